"""Files, one at a time: durable writes (shared by the session store, the settings and the
exports), temp files and their clean-up, safe reads, moves that never replace.

One sequence everywhere: a 0600 temp file created exclusively beside the target (never
following a symlink), written in full, flushed to stable storage (``F_FULLFSYNC`` on macOS),
renamed over the target in one step, then the folder flushed so the rename survives a power
cut.  The store adds its conflict check between the temp file and the rename.

Temp files are named ``.<file>.<pid>.<random>.tmp``; ``orphaned_temp_files`` finds those whose
process is gone or that are more than a minute old (a crash or ``kill -9`` during a save
leaves one).  Reads (``read_small``) never follow a symbolic link and never read more than
``MAX_FILE_BYTES``.  Nothing here knows what a session is.
"""

from __future__ import annotations

import errno
import os
import re
import stat
import time
from collections.abc import Iterable
from pathlib import Path
from typing import NamedTuple

from backplan_tui.core.basics import MAX_FILE_BYTES
from backplan_tui.core.storage.errors import Damage
from backplan_tui.core.storage.layout import FILE_MODE

try:
    import fcntl
except ImportError:  # pragma: no cover - not POSIX
    fcntl = None  # type: ignore[assignment]

TEMP_MAX_AGE = 60.0  # seconds: an orphaned temp file of a live process is removed after this
# .<target>.<pid>.<8 hex>.tmp (the pid part is missing in files of older versions)
TEMP_NAME = re.compile(r"\.(?P<target>.+?)\.(?:(?P<pid>\d{1,10})\.)?[0-9a-f]{8}\.tmp")
CLOEXEC = getattr(os, "O_CLOEXEC", 0)
NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_MB = 1024 * 1024


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
    return f".{name}.{os.getpid()}.{os.urandom(4).hex()}.tmp"  # (``secrets``: 9 ms to import)


class FileSpan(NamedTuple):
    """``length`` bytes of the open file ``fd`` from byte ``at``: a part of what ``write_temp``
    writes, copied from file to file (by the kernel where it can), never held in memory."""

    fd: int
    at: int
    length: int


def write_temp(directory: Path, name: str, data: bytes | Iterable[bytes | FileSpan]) -> Path:
    """``data`` in a new 0600 temp file beside ``name`` (exclusive create), fsynced; ``data``
    may come in parts, some of them copied from another file (``FileSpan``)."""
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
            for part in [data] if isinstance(data, bytes) else data:
                if isinstance(part, FileSpan):
                    _copy_span(part, fd)
                else:
                    _write_all(fd, part)
            fsync_file(fd)
        finally:
            os.close(fd)
    except BaseException:
        remove_quietly(tmp)
        raise
    return tmp


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        if written <= 0:  # pragma: no cover - os.write raises instead
            raise OSError(errno.EIO, "nothing was written")
        view = view[written:]


def _copy_span(span: FileSpan, fd: int) -> None:
    """Append ``span`` to ``fd``: ``os.copy_file_range`` where there is one, else a
    megabyte at a time; ``OSError`` when the source ends before the span does."""
    at, left = span.at, span.length
    copy = getattr(os, "copy_file_range", None)
    while left > 0:
        done = 0
        if copy is not None:
            try:
                done = copy(span.fd, fd, left, at)
            except OSError as err:
                if err.errno not in (errno.EXDEV, errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP):
                    raise
                copy = None
                continue
        else:
            chunk = os.pread(span.fd, min(left, 1 << 20), at)
            if chunk:
                _write_all(fd, chunk)
            done = len(chunk)
        if done <= 0:
            raise OSError(errno.EIO, "the file to copy from ended early")
        at += done
        left -= done


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
    written = write_temp(parent, path.name, raw)
    tmp: Path | None = written
    try:
        if overwrite:
            os.replace(written, path)
        else:
            _link_new(written, path)
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


# --- temp files left behind ------------------------------------------------------------------


def pid_alive(pid: int) -> bool:
    """Whether a process with this id exists (a process of another user counts as alive)."""
    if pid <= 0:
        return True  # not a real pid: let the age decide
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


# what our temp files are written for (index.json: version 7 and before)
TEMP_TARGETS = (".toml", "index.json", "index.jsonl", "index.glances")


def orphaned_temp_files(
    directory: Path, *, now: float | None = None, targets: tuple[str, ...] = TEMP_TARGETS
) -> list[Path]:
    """Our temp files in ``directory`` that no save will finish: their process is gone or
    they are older than ``TEMP_MAX_AGE``.  Only regular files named like ours, for a target
    whose name ends in one of ``targets``, count."""
    now = time.time() if now is None else now
    found: list[Path] = []
    try:  # names only: a DirEntry for each of 10,000 sessions costs more than the look
        names = [name for name in os.listdir(directory) if name[:1] == "." and name[-4:] == ".tmp"]
    except OSError:
        return found
    for name in names:
        match = TEMP_NAME.fullmatch(name)
        if match is None or not match["target"].endswith(targets):
            continue
        path = directory / name
        try:
            info = os.lstat(path)
        except OSError:
            continue
        if not stat.S_ISREG(info.st_mode):
            continue
        age = now - info.st_mtime
        pid = int(match["pid"]) if match["pid"] else None
        if age > TEMP_MAX_AGE or (pid is not None and not pid_alive(pid)):
            found.append(path)
    return found


# --- reading ---------------------------------------------------------------------------------


def size_reason(size: int) -> str:
    return f"file is {size / _MB:.1f} MB, larger than the {MAX_FILE_BYTES // _MB} MB limit"


def own_private(info: os.stat_result) -> bool:
    """This user's file, that no other user can write (what the index must be to be trusted:
    anyone who can replace it could set the titles and health the list shows)."""
    uid = os.geteuid() if hasattr(os, "geteuid") else None
    mine = uid is None or info.st_uid == uid
    return mine and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def read_small(path: Path, *, private: bool = False) -> bytes:
    """The bytes of a file; ``Damage`` when it is not a readable, small (``MAX_FILE_BYTES``),
    regular file.  A symbolic link is never followed (``O_NOFOLLOW``).  ``private``: also
    ``Damage`` unless the file is this user's and nobody else can write it.
    ``FileNotFoundError`` / ``NotADirectoryError`` when nothing is there."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | CLOEXEC | NOFOLLOW
    try:
        fd = os.open(path, flags)
    except (FileNotFoundError, NotADirectoryError):
        raise
    except OSError as err:
        if err.errno in (errno.ELOOP, errno.EMLINK) or os.path.islink(path):
            raise Damage("is a symbolic link (not followed)") from None
        raise Damage(f"cannot be opened ({err.strerror or err})") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise Damage("not a regular file")
        if private and not own_private(info):
            raise Damage("not this user's own private file")
        if info.st_size > MAX_FILE_BYTES:
            raise Damage(size_reason(info.st_size))
        chunks: list[bytes] = []
        total = 0
        while total <= MAX_FILE_BYTES:
            # the whole file in one read when it is read at once (no copy to join)
            chunk = os.read(fd, info.st_size + 1 if not chunks else 1024 * 1024)
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
    except OSError as err:
        raise Damage(f"cannot be read ({err.strerror or err})") from None
    finally:
        os.close(fd)
    data = b"".join(chunks)
    if len(data) > MAX_FILE_BYTES:
        raise Damage(size_reason(len(data)))
    return data


def read_any(path: Path) -> bytes:
    """All the bytes of a regular file (no size limit: a damaged file being set aside);
    ``OSError`` for anything else.  A symbolic link is never followed."""
    fd = os.open(path, os.O_RDONLY | NOFOLLOW | CLOEXEC | getattr(os, "O_NONBLOCK", 0))
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(errno.EINVAL, "not a regular file", str(path))
        chunks = []
        while chunk := os.read(fd, 1024 * 1024):
            chunks.append(chunk)
    finally:
        os.close(fd)
    return b"".join(chunks)


def scan_files(directory: Path, suffix: str) -> list[tuple[str, os.stat_result]]:
    """(name, lstat) of each entry of ``directory`` whose name ends in ``suffix`` and does
    not start with "." and that is not a folder (a symlink or a FIFO is listed too: the
    caller never follows or reads it).  [] when the folder cannot be read.

    Listed through a file descriptor where the OS allows it: each ``stat()`` is then an
    ``fstatat`` relative to it, not a look-up of the whole path (a tenth faster)."""
    fd: int | None = None
    try:
        if os.scandir in os.supports_fd:
            fd = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | CLOEXEC)
        found: list[tuple[str, os.stat_result]] = []
        with os.scandir(directory if fd is None else fd) as scan:
            for item in scan:
                name = item.name
                if name.startswith(".") or not name.endswith(suffix):
                    continue
                try:
                    if item.is_dir(follow_symlinks=False):
                        continue
                    found.append((name, item.stat(follow_symlinks=False)))
                except OSError:
                    continue
        return found
    except OSError:
        return []
    finally:
        if fd is not None:
            os.close(fd)


# --- moves and identities --------------------------------------------------------------------


def move_no_clobber(src: Path, dst: Path) -> None:
    """Rename ``src`` to ``dst``; ``FileExistsError`` when ``dst`` exists.

    A symbolic link at ``src`` is moved as a link (never followed).
    """
    try:
        os.link(src, dst, follow_symlinks=False)
    except FileExistsError:
        raise
    except (OSError, NotImplementedError):  # no hard links here: check, then rename
        if os.path.lexists(dst):
            raise FileExistsError(f"{dst} already exists") from None
        os.rename(src, dst)
        return
    try:
        os.unlink(src)
    except OSError:
        remove_quietly(dst)
        raise


def same_inode(a: Path, b: Path) -> bool:
    try:
        first, second = os.lstat(a), os.lstat(b)
    except OSError:
        return False
    return (first.st_dev, first.st_ino) == (second.st_dev, second.st_ino)


def same_fd_file(fd: int, path: Path) -> bool:
    try:
        mine, there = os.fstat(fd), os.lstat(path)
    except OSError:
        return False
    return (mine.st_dev, mine.st_ino) == (there.st_dev, there.st_ino)


def identity(path: Path) -> tuple[int, ...] | None:
    """What tells one file at ``path`` from another (lstat; None: nothing there)."""
    try:
        info = os.lstat(path)
    except OSError:
        return None
    return (info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns, info.st_mode)


def reason(err: BaseException) -> str:
    """An error in a few words, for a one-line message."""
    if isinstance(err, OSError) and err.strerror:
        return err.strerror
    return str(err) or type(err).__name__
