"""Where backplan keeps its files.  Nothing here creates a directory except ``ensure_dir``."""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

# platformdirs is imported only when it is asked (no --data-dir, no $BACKPLAN_HOME): the
# commands that do not need it start faster.

ENV_VAR = "BACKPLAN_HOME"
APP_NAME = "backplan"
DIR_MODE = 0o700


def _absolute(path: str | Path) -> Path:
    return Path(path).expanduser().resolve()


def data_dir(override: str | Path | None = None) -> Path:
    """The data directory: ``override`` > ``$BACKPLAN_HOME`` > the platform's user data dir.

    Always absolute (``~`` expanded, resolved).  Not created here.
    """
    if override is not None and str(override) != "":
        return _absolute(override)
    env = os.environ.get(ENV_VAR, "")
    if env:
        return _absolute(env)
    import platformdirs

    return _absolute(platformdirs.user_data_path(APP_NAME, appauthor=False))


def config_dir() -> Path:
    """Settings and user themes live here (``settings.toml``, ``themes/*.toml``).  Not created."""
    import platformdirs

    return _absolute(platformdirs.user_config_path(APP_NAME, appauthor=False))


def refuse_symlink(path: Path) -> None:
    """``OSError`` (ELOOP) when ``path`` itself is a symbolic link (a planted one is never
    followed: its target is not read, written, truncated or chmod-ed)."""
    if os.path.islink(path):
        raise OSError(errno.ELOOP, "is a symbolic link; refusing to use it", str(path))


def ensure_dir(path: Path, *, allow_symlink: bool = True) -> Path:
    """``mkdir -p`` where every directory created is 0700, whatever the umask.

    An existing ``path`` is tightened to 0700 (its parents are left alone) unless it is not
    ours to change: owned by another user, or a shared folder with the sticky bit (``/tmp``,
    given as ``--data-dir`` by mistake).  With ``allow_symlink=False`` a symbolic link at
    ``path`` is refused (``OSError``) before anything is changed.
    """
    path = Path(path)
    if not allow_symlink:
        refuse_symlink(path)
    missing: list[Path] = []
    current = path
    while not current.exists():
        missing.append(current)
        if current.parent == current:
            break
        current = current.parent
    for directory in reversed(missing):
        try:
            directory.mkdir(mode=DIR_MODE)
        except FileExistsError:
            if not directory.is_dir():
                raise
        os.chmod(directory, DIR_MODE)
    if not path.is_dir():
        raise NotADirectoryError(f"{path} exists and is not a directory")
    info = path.stat()
    if stat.S_IMODE(info.st_mode) != DIR_MODE and _ours_to_tighten(info):
        os.chmod(path, DIR_MODE)
    return path


def _ours_to_tighten(info: os.stat_result) -> bool:
    uid = _geteuid()
    return not (info.st_mode & stat.S_ISVTX) and (uid is None or info.st_uid == uid)


def _geteuid() -> int | None:
    return os.geteuid() if hasattr(os, "geteuid") else None


def check_private_dir(path: Path, label: str = "folder") -> list[str]:
    """Tighten an existing directory to 0700; return warnings (one line each), never raise.

    A directory owned by another user is left as it is, with a warning: someone else can
    read or replace what is in it.  A missing ``path`` is fine (nothing to check yet).
    """
    path = Path(path)
    try:
        info = os.lstat(path)
    except OSError:
        return []
    if stat.S_ISLNK(info.st_mode):
        try:
            info = os.stat(path)
        except OSError:
            return [f"the {label} {path} is a broken symbolic link"]
    if not stat.S_ISDIR(info.st_mode):
        return [f"the {label} {path} is not a folder"]
    uid = _geteuid()
    if uid is not None and info.st_uid != uid:
        return [
            f"the {label} {path} belongs to another user (uid {info.st_uid}); "
            "they can read and change your sessions"
        ]
    if info.st_mode & stat.S_ISVTX:
        return [f"the {label} {path} is a shared folder (like /tmp); others can see what is in it"]
    if stat.S_IMODE(info.st_mode) != DIR_MODE:
        try:
            os.chmod(path, DIR_MODE)
        except OSError as err:
            return [
                f"the {label} {path} is readable by others and could not be made private "
                f"({err.strerror or err})"
            ]
    return []
