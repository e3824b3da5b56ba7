"""The checks a save makes under its write lock, just before it replaces the file.

A save never replaces a file that changed (or broke) since it was loaded: another window,
process or program may have saved in between.  ``seen`` is what the store last loaded or
saved of each session: ``id -> (revision, sha256 of the bytes, schema_version)``; a save
finding those bytes on disk need not parse them again.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from backplan_tui.core.basics import SCHEMA_VERSION
from backplan_tui.core.storage.errors import (
    ConflictError,
    Damage,
    DamagedSessionError,
    Newer,
    SessionReadOnly,
    StoreError,
)
from backplan_tui.core.storage.fileio import identity, read_small
from backplan_tui.core.storage.sessionfile import digest, parse

__all__ = ["Seen", "check_disk", "check_unchanged"]

Seen = dict[str, tuple[int, str, int]]


def check_disk(
    path: Path,
    session_id: str,
    expected: int,
    creating: bool,
    seen: Seen,
    read: Callable[[Path], bytes] = read_small,
) -> tuple[bytes, int, int] | None:
    """Refuse to replace a file that changed (or broke) since it was loaded.

    Returns what is on disk now (to back it up): its bytes, revision and schema version;
    None when there is no file.  The bytes this store last loaded or saved (same sha256)
    are known to be that revision, readable and not a newer backplan's: not parsed again.
    """
    try:
        disk_bytes = read(path)
    except (FileNotFoundError, NotADirectoryError):
        if creating or expected == 0:
            return None
        raise ConflictError(
            f"session {session_id!r} was removed from disk since it was opened; "
            "not saving (your changes are still here)"
        ) from None
    except Damage as damage:
        raise DamagedSessionError(path, damage.reason, "not overwriting it") from None
    if creating:
        raise StoreError(f"a session with the id {session_id!r} already exists")
    found = digest(disk_bytes)
    last = seen.get(session_id)
    if last is not None and last[0] == expected and last[1] == found and last[2] <= SCHEMA_VERSION:
        return disk_bytes, expected, last[2]
    try:
        on_disk = parse(disk_bytes)
    except Newer as newer:
        raise SessionReadOnly(path, f"{newer.reason}; not overwriting it") from None
    except Damage as damage:
        raise DamagedSessionError(path, damage.reason, "not overwriting it") from None
    if on_disk.revision != expected:
        raise ConflictError(
            f"session {session_id!r} was changed on disk since it was opened "
            f"(revision {on_disk.revision} there, {expected} here); not overwriting it"
        )
    if last is not None and last[0] == expected and last[1] != found:
        raise ConflictError(
            f"session {session_id!r} was changed on disk since it was opened; not overwriting it"
        )
    return disk_bytes, on_disk.revision, on_disk.schema_version


def check_unchanged(path: Path, session_id: str, expected: tuple[int, ...] | None) -> None:
    """``restore`` replaces a damaged file: refuse when it is no longer that file (gone
    is fine: the restored file then simply takes its place)."""
    found = identity(path)
    if found is not None and found != expected:
        raise ConflictError(
            f"session {session_id!r} was changed on disk while it was being restored; "
            "not overwriting it"
        )
