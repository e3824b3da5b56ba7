"""``trash/``: a deleted session file waits there as ``<id>.<UTC stamp>.toml`` until
``undelete`` moves it back (under a new id when its old one is taken).  Files are only ever
moved (never copied or rewritten), and never over another file."""

from __future__ import annotations

from pathlib import Path

from backplan_tui.core.storage.errors import StoreError
from backplan_tui.core.storage.fileio import move_no_clobber
from backplan_tui.core.storage.layout import SUFFIX, TRASH_STAMP, stamp

__all__ = ["id_of", "in_trash", "move_to_trash", "trash_files"]


def move_to_trash(path: Path, trash_dir: Path, session_id: str) -> Path:
    """Move ``path`` to ``trash/<id>.<UTC stamp>[-n].toml``; returns where it went."""
    try:
        when = stamp()
        n = 1
        while True:
            unique = when if n == 1 else f"{when}-{n}"
            target = trash_dir / f"{session_id}.{unique}{SUFFIX}"
            try:
                move_no_clobber(path, target)
            except FileExistsError:
                n += 1
                continue
            return target
    except OSError as err:
        raise StoreError(
            f"could not move session {session_id!r} to the trash: {err.strerror or err}"
        ) from err


def trash_files(trash_dir: Path) -> list[Path]:
    """Files in the trash, most recently deleted first."""
    try:
        paths = [p for p in trash_dir.iterdir() if p.name.endswith(SUFFIX)]
    except OSError:
        return []

    def deleted_at(path: Path) -> tuple[str, str]:
        head, _, tail = path.name[: -len(SUFFIX)].rpartition(".")
        return (tail, head) if TRASH_STAMP.fullmatch(tail) else ("", path.name)

    return sorted(paths, key=deleted_at, reverse=True)


def in_trash(trash_path: Path, trash_dir: Path) -> bool:
    """A regular session file (not a symlink) right in ``trash_dir``."""
    return trash_path.parent.resolve() == trash_dir.resolve() and (
        trash_path.name.endswith(SUFFIX) and trash_path.is_file() and not trash_path.is_symlink()
    )


def id_of(trash_path: Path) -> str:
    """The id a file in the trash had (its name without the stamp)."""
    stem = trash_path.name[: -len(SUFFIX)]
    head, _, tail = stem.rpartition(".")
    return head if head and TRASH_STAMP.fullmatch(tail) else stem
