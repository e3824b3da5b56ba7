"""One session, one writer: an advisory lock file beside the session file.

``sessions/<id>.lock`` (never the session file itself, which every save replaces) is locked
with ``fcntl.flock``.  The kernel drops the lock when its holder exits or is killed, so a
crashed app never leaves a session locked: a stale lock file is simply reused.  While held,
the file says who holds it, as JSON: ``{"pid", "host", "user", "started"}``, so a second
instance can tell the person *who* has the session open (Vim's "ATTENTION", git's
``index.lock``).

flock locks belong to an open file, so a second ``acquire`` in the same process is refused
too (two windows of one app are two writers).  On release the lock file is removed while
still locked; ``acquire`` checks that the file it locked is still the one at the path, so
a release racing an acquire never leaves two holders.

A symbolic link (or a file with other hard links) planted at the lock path is refused: the
lock file is opened with ``O_NOFOLLOW`` and never truncated before it is locked and checked.

``write_lock`` is the other lock: ``sessions/.<id>.write``, held by a save for the few
milliseconds of its check-and-replace, so two savers (windows, processes, threads) never
both check and then both replace.
"""

from __future__ import annotations

import errno
import getpass
import json
import os
import socket
import stat
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType

from backplan_tui.core.storage.errors import StoreError
from backplan_tui.core.storage.fileio import CLOEXEC, NOFOLLOW, remove_quietly, same_fd_file
from backplan_tui.core.storage.layout import FILE_MODE, LOCK_SUFFIX
from backplan_tui.core.textclean import clean_line

try:
    import fcntl
except ImportError:  # pragma: no cover - not POSIX: locks are not available
    fcntl = None  # type: ignore[assignment]

__all__ = [
    "LockError",
    "LockInfo",
    "SessionLock",
    "SessionLocked",
    "acquire",
    "holder",
    "write_lock",
]

WRITE_LOCK_WAIT = 10.0  # seconds a save waits for another save of the same session
MAX_INFO_BYTES = 4096
_POLL_FIRST = 0.002
_POLL_MAX = 0.05


class LockError(StoreError):
    """The lock file cannot be used at all (a symlink, not a regular file, no permission)."""


@dataclass(frozen=True)
class LockInfo:
    """Who holds (or last held) a lock; any field may be unknown (None / "")."""

    pid: int | None = None
    host: str = ""
    user: str = ""
    started: datetime | None = None

    def describe(self) -> str:
        """One line: ``dana (process 4242 on laptop, since 2026-11-22 13:00 UTC)``."""
        who = self.user or "someone"
        where = []
        if self.pid is not None:
            where.append(f"process {self.pid}")
        if self.host:
            where.append(f"on {self.host}")
        detail = " ".join(where)
        if self.started is not None:
            since = f"since {self.started.strftime('%Y-%m-%d %H:%M')} UTC"
            detail = f"{detail}, {since}" if detail else since
        return f"{who} ({detail})" if detail else who

    def to_json(self) -> str:
        return json.dumps(
            {
                "pid": self.pid,
                "host": self.host,
                "user": self.user,
                "started": self.started.isoformat() if self.started else None,
            },
            sort_keys=True,
        )

    @classmethod
    def from_bytes(cls, data: bytes) -> LockInfo:
        """Parse what a holder wrote; anything odd gives unknown fields, never an error."""
        try:
            raw = json.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError):
            return cls()
        if not isinstance(raw, dict):
            return cls()
        pid = raw.get("pid")
        started = None
        if isinstance(raw.get("started"), str):
            try:
                started = datetime.fromisoformat(raw["started"])
            except ValueError:
                started = None
            if started is not None and started.tzinfo is None:
                started = started.replace(tzinfo=UTC)
        return cls(
            pid=pid if type(pid) is int and pid > 0 else None,
            host=_clean(raw.get("host")),
            user=_clean(raw.get("user")),
            started=started,
        )

    @classmethod
    def current(cls) -> LockInfo:
        return cls(
            pid=os.getpid(),
            host=socket.gethostname(),
            user=_user_name(),
            started=datetime.now(UTC).replace(microsecond=0),
        )


def _clean(value: object) -> str:
    return clean_line(value)[:200] if isinstance(value, str) else ""


def _user_name() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no user name in the environment or the password database
        return str(os.getuid()) if hasattr(os, "getuid") else ""


class SessionLocked(StoreError):
    """Another process (or another window of this one) holds the session's lock.

    ``holder`` says who, as far as the lock file tells; ``str()`` is one line for the user.
    """

    def __init__(self, session_id: str, holder: LockInfo, path: Path | None = None) -> None:
        self.session_id = session_id
        self.holder = holder
        self.path = path
        super().__init__(f"session {session_id!r} is open in another backplan: {holder.describe()}")


class SessionLock:
    """A held lock; ``release()`` (or leaving the ``with`` block) gives it up."""

    def __init__(self, path: Path, session_id: str, fd: int, info: LockInfo) -> None:
        self.path = path
        self.session_id = session_id
        self.info = info
        self._fd: int | None = fd

    @property
    def held(self) -> bool:
        return self._fd is not None

    def release(self) -> None:
        """Give the lock up (idempotent).  The lock file is removed while still locked."""
        fd, self._fd = self._fd, None
        if fd is None:
            return
        try:
            if same_fd_file(fd, self.path):
                try:
                    os.unlink(self.path)
                except OSError:
                    try:  # cannot remove it: at least forget who held it
                        os.ftruncate(fd, 0)
                    except OSError:
                        pass
        finally:
            os.close(fd)  # closing the last descriptor drops the flock

    def __enter__(self) -> SessionLock:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()

    def __del__(self) -> None:  # a forgotten lock is released when collected
        if getattr(self, "_fd", None) is not None:
            try:
                os.close(self._fd)  # type: ignore[arg-type]
            except OSError:
                pass
            self._fd = None

    def __repr__(self) -> str:
        state = "held" if self.held else "released"
        return f"SessionLock({str(self.path)!r}, {state})"


def _open(path: Path) -> int:
    flags = (
        os.O_RDWR
        | os.O_CREAT
        | getattr(os, "O_NOFOLLOW", 0)
        | getattr(os, "O_CLOEXEC", 0)
        | getattr(os, "O_NONBLOCK", 0)
    )
    try:
        fd = os.open(path, flags, FILE_MODE)
    except OSError as err:
        if err.errno in (errno.ELOOP, errno.EMLINK) or os.path.islink(path):
            raise LockError(f"lock file {path} is a symbolic link; refusing to use it") from None
        raise LockError(f"cannot open lock file {path}: {err.strerror or err}") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise LockError(f"lock file {path} is not a regular file; refusing to use it")
        if info.st_nlink > 1:
            raise LockError(f"lock file {path} has other hard links; refusing to use it")
        if stat.S_IMODE(info.st_mode) != FILE_MODE:
            os.fchmod(fd, FILE_MODE)
    except BaseException:
        os.close(fd)
        raise
    return fd


def _read_info(fd: int) -> LockInfo:
    try:
        data = os.pread(fd, MAX_INFO_BYTES, 0)
    except OSError:
        return LockInfo()
    return LockInfo.from_bytes(data)


def holder(path: Path) -> LockInfo | None:
    """Who holds the lock at ``path`` now, or None when nobody does.  Never creates it."""
    if fcntl is None:  # pragma: no cover
        return None
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return _read_info(fd)
        except OSError:
            return None
        fcntl.flock(fd, fcntl.LOCK_UN)
        return None
    finally:
        os.close(fd)


def acquire(path: Path, session_id: str = "", *, timeout: float | None = 0.0) -> SessionLock:
    """Lock ``path`` (created 0600 if missing) and write our ``LockInfo`` into it.

    ``timeout=0`` (the default) fails at once with ``SessionLocked`` when someone else holds
    it; ``timeout=None`` waits as long as it takes; a positive number waits up to that many
    seconds.  ``LockError`` when the path is a symlink or not a regular file.
    """
    path = Path(path)
    session_id = session_id or path.name.removesuffix(LOCK_SUFFIX)
    mine = LockInfo.current()
    if fcntl is None:  # pragma: no cover - no advisory locks on this platform
        return SessionLock(path, session_id, os.open(os.devnull, os.O_RDONLY), mine)
    deadline = None if timeout is None else time.monotonic() + max(timeout, 0.0)
    pause = _POLL_FIRST
    while True:
        fd = _open(path)
        try:
            if timeout is None:
                fcntl.flock(fd, fcntl.LOCK_EX)
            else:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            info = _read_info(fd)
            os.close(fd)
            assert deadline is not None  # a blocking flock does not raise BlockingIOError
            left = deadline - time.monotonic()
            if left <= 0:
                raise SessionLocked(session_id, info, path) from None
            time.sleep(min(pause, left))
            pause = min(pause * 2, _POLL_MAX)
            continue
        except OSError as err:
            os.close(fd)
            raise LockError(f"cannot lock {path}: {err.strerror or err}") from None
        except BaseException:
            os.close(fd)
            raise
        if not same_fd_file(fd, path):  # released (and removed) while we were opening it
            os.close(fd)
            continue
        try:
            data = mine.to_json().encode("utf-8") + b"\n"
            os.ftruncate(fd, 0)
            os.pwrite(fd, data, 0)
        except OSError:
            pass  # the lock holds even when the note about who holds it cannot be written
        return SessionLock(path, session_id, fd, mine)


@contextmanager
def write_lock(path: Path, session_id: str) -> Iterator[None]:
    """Hold ``path`` (``sessions/.<id>.write``, an exclusive ``flock``) for the few
    milliseconds of a save's check-and-replace.  Not the session's lock (``acquire``: who has
    it open).  Removed while still held, as ``acquire``'s lock is: a saver that locked a file
    no longer at the path tries again, so two savers never both hold it."""
    if fcntl is None:  # pragma: no cover - not POSIX: no saver-to-saver exclusion
        yield
        return
    deadline = time.monotonic() + WRITE_LOCK_WAIT
    pause = 0.001
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | NOFOLLOW | CLOEXEC, FILE_MODE)
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                raise StoreError(f"{path} is not a regular file; not saving")
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise StoreError(
                        f"could not save session {session_id!r}: another save of it has "
                        f"not finished in {WRITE_LOCK_WAIT:.0f} s"
                    ) from None
                time.sleep(pause)
                pause = min(pause * 2, 0.02)
                continue
            if not same_fd_file(fd, path):  # removed by the saver before us: again
                continue
            try:
                yield
            finally:
                remove_quietly(path)
            return
        finally:
            try:
                os.close(fd)  # drops the flock (even when close reports an error)
            except OSError:
                pass  # after the replace, nothing may fail the save
