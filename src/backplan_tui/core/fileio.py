"""Durable file writes, shared by the session store, the settings and the exports.

One sequence everywhere: a 0600 temp file created exclusively beside the target (never
following a symlink), written in full, flushed to stable storage (``F_FULLFSYNC`` on macOS),
renamed over the target in one step, then the folder flushed so the rename survives a power
cut.  The store adds its conflict check between the temp file and the rename.
"""

from __future__ import annotations

import errno
import os
import secrets
from pathlib import Path

try:
    import fcntl
except ImportError:  # pragma: no cover - not POSIX
    fcntl = None  # type: ignore[assignment]

FILE_MODE = 0o600


def fsync_file(fd: int) -> None:
    """Flush a file to stable storage: ``F_FULLFSYNC`` where there is one (macOS, whose
    ``fsync`` only reaches the drive's cache), else ``fsync``."""
    full = getattr(fcntl, "F_FULLFSYNC", None) if fcntl is not None else None
    if full is not None:
        try:
            fcntl.fcntl(fd, full)
            return
        except OSError:
            pass  # not supported by this file system: plain fsync below
    os.fsync(fd)


def fsync_dir(directory: Path) -> str | None:
    """fsync a folder so a rename in it is durable; a warning (never an error) if it fails.

    Called after ``os.replace``: the new file is already in place, so a failure here must
    not be reported as a failed save (a retry would then meet its own file as a conflict).
    """
    try:
        fd = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError as err:
        return f"could not open {directory} to flush it ({err.strerror or err})"
    try:
        fsync_file(fd)
    except OSError as err:
        if err.errno == errno.EINVAL:  # this file system cannot fsync a folder
            return (
                f"the file system of {directory} cannot flush folders; saves are done, but "
                "a power cut right after one could undo it"
            )
        return (
            f"could not flush {directory} ({err.strerror or err}); the last save may not "
            "survive a power cut"
        )
    finally:
        try:
            os.close(fd)
        except OSError:
            pass
    return None


def remove_quietly(path: Path | None) -> None:
    if path is None:
        return
    try:
        os.unlink(path)
    except OSError:
        pass


def temp_name(name: str) -> str:
    """``.<name>.<pid>.<8 random hex>.tmp``: hidden, ours, and tells which process wrote it."""
    return f".{name}.{os.getpid()}.{secrets.token_hex(4)}.tmp"


def write_temp(directory: Path, name: str, data: bytes) -> Path:
    """``data`` in a new 0600 temp file beside ``name`` (exclusive create), fsynced."""
    flags = (
        os.O_WRONLY
        | os.O_CREAT
        | os.O_EXCL
        | getattr(os, "O_NOFOLLOW", 0)
        | getattr(os, "O_CLOEXEC", 0)
    )
    while True:
        tmp = directory / temp_name(name)
        try:
            fd = os.open(tmp, flags, FILE_MODE)
        except FileExistsError:
            continue
        break
    try:
        try:
            os.fchmod(fd, FILE_MODE)  # whatever the umask
            view = memoryview(data)
            while view:
                written = os.write(fd, view)
                if written <= 0:  # pragma: no cover - os.write raises instead
                    raise OSError(errno.EIO, "nothing was written")
                view = view[written:]
            fsync_file(fd)
        finally:
            os.close(fd)
    except BaseException:
        remove_quietly(tmp)
        raise
    return tmp


def write_atomic(path: Path, data: str | bytes, *, overwrite: bool = True) -> Path:
    """Replace ``path`` with ``data`` in one step, as a new 0600 file.

    A symlink at ``path`` is refused (``os.replace`` would replace the link, never write
    through it, but the user asked for that path); the folder must exist.  On any error the
    old file is untouched and no temp file is left.  ``overwrite=False``: ``FileExistsError``
    when something is at ``path`` already, also when it appears while the data is written
    (the temp file is hard-linked into place, which never replaces).
    """
    path = Path(path).expanduser()
    if path.is_symlink():
        raise OSError(f"{path} is a symbolic link; refusing to overwrite it")
    if path.is_dir():
        raise OSError(f"{path} is a directory")
    if not overwrite and os.path.lexists(path):
        raise _exists(path)
    parent = path.parent
    if not parent.is_dir():
        raise OSError(f"cannot write {path}: directory {parent} does not exist")
    raw = data.encode("utf-8") if isinstance(data, str) else data
    tmp: Path | None = write_temp(parent, path.name, raw)
    try:
        if overwrite:
            os.replace(tmp, path)
        else:
            _link_new(tmp, path)
        tmp = None
    finally:
        remove_quietly(tmp)
    fsync_dir(parent)  # the file is in place: a folder that cannot be flushed is no error
    return path


def _exists(path: Path) -> FileExistsError:
    return FileExistsError(errno.EEXIST, "already exists", str(path))


def _link_new(tmp: Path, path: Path) -> None:
    """Put ``tmp`` at ``path`` only if nothing is there; ``tmp`` is gone afterwards."""
    try:
        os.link(tmp, path, follow_symlinks=False)
    except FileExistsError:
        raise _exists(path) from None
    except OSError as err:
        if err.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV):
            raise
        # No hard links on this file system: the check above, then the rename.
        if os.path.lexists(path):
            raise _exists(path) from None
        os.replace(tmp, path)
        return
    remove_quietly(tmp)
