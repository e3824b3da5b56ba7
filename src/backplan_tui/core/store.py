"""Sessions on disk: one TOML file per session under ``<data dir>/sessions/``.

Saving never writes a session file in place: the text is serialized, re-parsed and compared,
written to a temp file in the same folder (0600), flushed and fsynced, checked against the
revision on disk (another window or program may have saved in between), then moved over the
old file with ``os.replace`` and the folder fsynced.  Any failure before the move leaves the
old file byte-identical and the ``Session`` object as it was.

A file that cannot be read (bad TOML, wrong types, too large, not UTF-8, nested too deep, a
symbolic link) is listed as damaged with the reason and is never written to or deleted by
the store (``restore`` keeps a copy in ``backups/`` first, then replaces it in one rename).
A file written by a newer backplan is not damaged: it is listed with ``read_only_reason``
and opens read-only (``load(id, allow_newer=True)``).  An older file is migrated when read
(``codec.MIGRATIONS``) and the old file is kept as ``backups/<id>/pre-migration-v<N>.toml``
by the first save.

Backups: before a save replaces a file, the old version is kept (a hard link, so no copy
and no temp file; a private copy when the file has other names or another mode) as
``backups/<id>/<revision>.toml``, unless the save changes only the step on screen.  Which
ones stay is ``core.backups``' retention policy: every revision of the last hour, one per
hour for two days, one per day for 60 days, the newest 10 always; at most 200 files and
20 MB per session (``prune_backups``, after each save and when a session is opened).
``restore()`` saves a backup's content as a new revision on top, so a restore can itself be
undone.

Temp files are named ``.<file>.<pid>.<random>.tmp``; a store starting up removes those
whose process is gone or that are more than a minute old (a crash or ``kill -9`` during a
save leaves one).  Problems that do not stop the work (a folder that could not be made
private, a directory fsync the file system refuses, a backup that could not be kept) are
collected in ``store.warnings`` and logged, never raised.

``list()`` keeps a cache in ``<data dir>/index.json`` (file name -> stat + the fields of the
list entry) so that only new or changed files are parsed.  The index is only a cache: it is
never trusted over the file it describes, and deleting it is always safe.  It is read on every
start, so it is built to be read fast: ``{"format": "backplan-index", "version": 5, "files":
{"<id>.toml": RECORD, ...}}`` where each RECORD is one JSON array of 12 items::

    [size, mtime_ns, inode, title, team, current_step, updated, revision, damaged, read_only,
     glance, head]

``size``, ``mtime_ns`` and ``inode`` are the file's ``lstat`` when it was read, and ``head``
is the sha256 (32 hex digits) of its first 4 KB (where the title, team, step, revision and
``updated`` are): any change in either and the file is parsed again, so a file rewritten in
place with its size and mtime put back is not shown with the old record.  ``updated`` is ISO
8601 text with a UTC offset; ``glance`` is ``Glance.to_text()`` (compact JSON in a string),
parsed only when shown.  Integers are never booleans.  A readable file's record has text in
``updated`` and ``glance``, ``damaged`` null and ``read_only`` text or null; a damaged file's
has the reason in ``damaged``, empty texts, revision 0 and nulls elsewhere (``head`` is ""
for a file that cannot be opened, a symlink say).  A record of any other shape or with other
values is not as written: that file alone is parsed again.  An index of another version is
rebuilt.

A digest in the index cannot stop whoever can write the index itself from forging a record
(they can compute it too).  So the index is trusted only when it is the current user's own
file that no other user can write (``_own_private``); one that is not (a shared folder where
someone else replaced it) is ignored and rebuilt, and what the list shows comes from the
session files.
"""

from __future__ import annotations

import copy
import errno
import hashlib
import json
import os
import re
import secrets
import stat
import time
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import cached_property
from operator import attrgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any

from backplan_tui.core.backups import keeps_backup
from backplan_tui.core.basics import MAX_FILE_BYTES, SCHEMA_VERSION
from backplan_tui.core.fileio import fsync_dir as _fsync_dir
from backplan_tui.core.fileio import remove_quietly as _remove_quietly
from backplan_tui.core.fileio import write_temp as _write_temp
from backplan_tui.core.glance import TEXT_START as _GLANCE_START
from backplan_tui.core.glance import Glance, summarize, text_prefix
from backplan_tui.core.paths import check_private_dir, ensure_dir
from backplan_tui.core.textclean import clean_line

if TYPE_CHECKING:
    from backplan_tui.core.lock import LockInfo, SessionLock
    from backplan_tui.core.model import Session

# The codec and the model are imported where a session is read or written: listing from a
# current index (home's start-up) needs neither (about 9 ms of imports).

try:
    import fcntl
except ImportError:  # pragma: no cover - not POSIX
    fcntl = None  # type: ignore[assignment]

__all__ = [
    "BackupEntry",
    "ConflictError",
    "DamagedSessionError",
    "SessionEntry",
    "SessionNotFound",
    "SessionReadOnly",
    "SessionStore",
    "StoreError",
]

LOGGER = "backplan.store"  # logging is imported on the first warning, not at start-up

FILE_MODE = 0o600
SUFFIX = ".toml"
INDEX_NAME = "index.json"
INDEX_FORMAT = "backplan-index"
# 3: each record holds the session's glance (health, risks, dated items); 4: each record is
# one array, the glance in it one string (read in half the time; see the module docstring)
# 5: each record ends with a digest of the file's first 4 KB, and the index is trusted only
# when it is this user's own private file (see the module docstring)
INDEX_VERSION = 5
HEAD_BYTES = 4096  # what the record's digest covers: the file's top-level fields and more
SLUG_MAX = 40
MAX_ID_LENGTH = 200
WRITE_LOCK_SUFFIX = ".write"  # sessions/.<id>.write: held by a save around check-and-replace
WRITE_LOCK_WAIT = 10.0  # seconds a save waits for another save of the same session
TEMP_MAX_AGE = 60.0  # seconds: an orphaned temp file of a live process is removed after this
_TRASH_STAMP = re.compile(r"\d{8}T\d{6}Z(-\d+)?")
_STAMP_FORMAT = "%Y%m%dT%H%M%SZ"
# .<target>.<pid>.<8 hex>.tmp (the pid part is missing in files of older versions)
_TEMP_NAME = re.compile(r"\.(?P<target>.+?)\.(?:(?P<pid>\d{1,10})\.)?[0-9a-f]{8}\.tmp")
_BACKUP_REVISION = re.compile(r"(?P<revision>\d{1,19})(?:-(?P<n>\d{1,6}))?\.toml")
_BACKUP_DAMAGED = re.compile(r"damaged-\d{8}T\d{6}Z(?:-\d+)?\.toml")
_BACKUP_MIGRATION = re.compile(r"pre-migration-v(?P<version>\d{1,6})(?:-\d+)?\.toml")
_MB = 1024 * 1024
_RECORD_LENGTH = 12  # items in an index record (see the module docstring)
_Record = list[Any]  # (an alias: inside SessionStore, ``list`` is the method)
_BY_ID = attrgetter("id")
_BY_UPDATED = attrgetter("updated")
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


class StoreError(Exception):
    """Something the store cannot do; ``str()`` is one clear line for the user."""


class SessionNotFound(StoreError):
    pass


class DamagedSessionError(StoreError):
    def __init__(self, path: Path, reason: str, action: str = "") -> None:
        self.path = Path(path)
        self.reason = reason
        message = f"session file {self.path} is damaged: {reason}"
        super().__init__(f"{message} ({action})" if action else message)


class ConflictError(StoreError):
    """The file changed on disk since the session was loaded (or last saved).

    The session object keeps the user's edits; ``SessionStore.save_as_copy`` saves them
    under a new id.
    """


class SessionReadOnly(StoreError):
    """The file was written by a newer backplan: it opens read-only, never writable.

    ``load(id, allow_newer=True)`` reads it for viewing; saving such a session is refused.
    """

    def __init__(self, path: Path, reason: str) -> None:
        self.path = Path(path)
        self.reason = reason
        super().__init__(f"session file {self.path} opens read-only: {reason}")


@dataclass(frozen=True)
class SessionEntry:
    """One session file in the list.

    The entries ``SessionStore.list()`` returns make ``path`` on first use (home draws only
    the rows on screen, and making a ``Path`` costs more than the rest of an entry); it is a
    field like the others for everything else (equality, repr, the constructor).
    """

    id: str
    path: Path
    title: str
    team: str
    current_step: str
    updated: datetime | None
    revision: int
    damaged: str | None  # the reason, when the file cannot be read
    read_only_reason: str | None = None  # written by a newer backplan: view only
    has_backup: bool = False  # backups/<id>/ holds at least one backup (restore() can help)
    # The index record's glance, read on first use (a list of 1,000 shows 200 at most).
    glance_record: Any = field(default=None, repr=False)

    if not TYPE_CHECKING:  # hidden from type checkers: any other name stays an error there

        def __getattr__(self, name: str) -> Any:
            # Only called for a name that is not set: ``path`` of a listed entry.
            if name == "path":
                folder = self.__dict__.get("_folder")
                if folder is not None:
                    path = self.__dict__["path"] = folder / f"{self.id}{SUFFIX}"
                    return path
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    @cached_property
    def glance(self) -> Glance | None:
        """Health, risks and next due; None for a damaged file or a glance edited by hand."""
        record = self.glance_record
        if isinstance(record, Glance):
            return record
        if isinstance(record, str):  # the index's text (``Glance.to_text``)
            return Glance.from_text(record)
        return Glance.from_record(record)

    def glance_stale(self, today: date) -> bool:
        """The glance was computed on another day (cheap: the record is not parsed)."""
        record = self.glance_record
        if isinstance(record, Glance):
            return record.stale(today)
        return _stale(record, today)


def _session_files(directory: Path) -> list[tuple[str, os.stat_result]]:
    """(name, lstat) of each session file in ``directory``: every name ending in ".toml"
    and not starting with "." that is not a folder (a symlink or a FIFO is listed too, as
    damaged: never followed or read).  [] when the folder cannot be read.

    Listed through a file descriptor where the OS allows it: each ``stat()`` is then an
    ``fstatat`` relative to it, not a look-up of the whole path (a tenth faster)."""
    fd: int | None = None
    try:
        if os.scandir in os.supports_fd:
            fd = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | _CLOEXEC)
        found: list[tuple[str, os.stat_result]] = []
        with os.scandir(directory if fd is None else fd) as scan:
            for item in scan:
                name = item.name
                if name.startswith(".") or not name.endswith(SUFFIX):
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


def _utc_now() -> datetime:
    from backplan_tui.core.model import utc_now

    return utc_now()


# making a listed entry without its constructor (see ``SessionStore.list``)
_new = object.__new__
_set = object.__setattr__


@dataclass(frozen=True)
class BackupEntry:
    """One file in ``backups/<id>/``.

    ``kind`` is "revision" (``<revision>.toml``, a version a save replaced), "damaged" (a
    damaged file that ``restore`` moved aside; ``revision`` is None) or "pre-migration" (the
    file as it was before a schema migration; ``revision`` is None).  ``saved`` is when that
    version was written (the file's modification time, UTC).
    """

    revision: int | None
    saved: datetime | None
    path: Path
    size: int
    kind: str = "revision"


def _stale(glance: Any, today: date) -> bool:
    """A readable file's glance (``Glance.to_text``, or a record) was computed on another day
    (health and risks have aged); a damaged file has none."""
    if isinstance(glance, str):
        return not glance.startswith(text_prefix(today))
    return isinstance(glance, dict) and glance.get("as_of") != today.isoformat()


class _Damage(Exception):
    """Internal: why a file cannot be read."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _size_reason(size: int) -> str:
    return f"file is {size / _MB:.1f} MB, larger than the {MAX_FILE_BYTES // _MB} MB limit"


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def valid_id(session_id: object) -> bool:
    """Whether ``session_id`` can name a file in the sessions folder."""
    return (
        isinstance(session_id, str)
        and 0 < len(session_id) <= MAX_ID_LENGTH
        and session_id == session_id.strip()
        and session_id == clean_line(session_id)
        and not session_id.startswith(".")
        and not any(sep in session_id for sep in ("/", "\\", os.sep, os.altsep or "/"))
    )


def slugify(title: str) -> str:
    """Lower-case ASCII words of ``title`` joined by "-", at most 40 characters."""
    ascii_text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode("ascii")
    slug = ""
    for word in re.findall(r"[a-z0-9]+", ascii_text.lower()):
        candidate = f"{slug}-{word}" if slug else word
        if len(candidate) > SLUG_MAX:
            slug = slug or word[:SLUG_MAX]
            break
        slug = candidate
    return slug or "session"


def _pid_alive(pid: int) -> bool:
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


def orphaned_temp_files(directory: Path, *, now: float | None = None) -> list[Path]:
    """Our temp files in ``directory`` that no save will finish: their process is gone or
    they are older than ``TEMP_MAX_AGE``.  Only regular files named like ours count."""
    now = time.time() if now is None else now
    found: list[Path] = []
    try:
        items = list(os.scandir(directory))
    except OSError:
        return found
    for item in items:
        name = item.name
        if not (name.startswith(".") and name.endswith(".tmp")):  # cheap: on every start
            continue
        match = _TEMP_NAME.fullmatch(name)
        if match is None or not match["target"].endswith((SUFFIX, INDEX_NAME)):
            continue
        try:
            if not item.is_file(follow_symlinks=False):
                continue
            age = now - item.stat(follow_symlinks=False).st_mtime
        except OSError:
            continue
        pid = int(match["pid"]) if match["pid"] else None
        if age > TEMP_MAX_AGE or (pid is not None and not _pid_alive(pid)):
            found.append(Path(item.path))
    return found


def _move_no_clobber(src: Path, dst: Path) -> None:
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
        _remove_quietly(dst)
        raise


def _same_inode(a: Path, b: Path) -> bool:
    try:
        first, second = os.lstat(a), os.lstat(b)
    except OSError:
        return False
    return (first.st_dev, first.st_ino) == (second.st_dev, second.st_ino)


def _same_fd_file(fd: int, path: Path) -> bool:
    try:
        mine, there = os.fstat(fd), os.lstat(path)
    except OSError:
        return False
    return (mine.st_dev, mine.st_ino) == (there.st_dev, there.st_ino)


def _identity(path: Path) -> tuple[int, ...] | None:
    """What tells one file at ``path`` from another (lstat; None: nothing there)."""
    try:
        info = os.lstat(path)
    except OSError:
        return None
    return (info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns, info.st_mode)


_HEAD_DIGEST_LENGTH = 32  # hex digits of sha256 kept in an index record


def _open_folder(directory: Path) -> int | None:
    try:
        return os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | _CLOEXEC)
    except OSError:
        return None


def _head_digest(name: str, folder_fd: int | None, folder: Path | None = None) -> str:
    """sha256 (first ``_HEAD_DIGEST_LENGTH`` hex digits) of the first ``HEAD_BYTES`` of the
    file ``name`` (in the folder open as ``folder_fd``, else in ``folder``); "" when it is
    not a regular file that can be read (a symlink is never followed)."""
    flags = os.O_RDONLY | _NOFOLLOW | _CLOEXEC | getattr(os, "O_NONBLOCK", 0)
    try:
        if folder_fd is not None:
            fd = os.open(name, flags, dir_fd=folder_fd)
        elif folder is not None:
            fd = os.open(folder / name, flags)
        else:
            return ""
    except OSError:
        return ""
    try:  # no fstat: list() calls this only for a name its lstat found a regular file
        return _digest(os.read(fd, HEAD_BYTES))[:_HEAD_DIGEST_LENGTH]
    except OSError:  # a folder put there meanwhile, say: the record will not match
        return ""
    finally:
        os.close(fd)


def _own_private(info: os.stat_result) -> bool:
    """This user's file, that no other user can write (what the index must be to be trusted:
    anyone who can replace it could set the titles and health the list shows)."""
    uid = os.geteuid() if hasattr(os, "geteuid") else None
    mine = uid is None or info.st_uid == uid
    return mine and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def _stamp() -> str:
    return datetime.now(UTC).strftime(_STAMP_FORMAT)


def _reason(err: BaseException) -> str:
    if isinstance(err, OSError) and err.strerror:
        return err.strerror
    return str(err) or type(err).__name__


class _Newer(_Damage):
    """Internal: the file was written by a newer backplan (readable only with allow_newer)."""


class SessionStore:
    def __init__(self, root: Path, *, clock: Callable[[], datetime] | None = None) -> None:
        self.root = Path(root)
        # what backup retention counts ages from (tests pass a fake one)
        self.clock: Callable[[], datetime] = clock or (lambda: datetime.now(UTC))
        self.sessions_dir = self.root / "sessions"
        self.trash_dir = self.root / "trash"
        self.backups_dir = self.root / "backups"
        self.index_path = self.root / INDEX_NAME
        # Problems that did not stop anything (see the module docstring), one line each.
        self.warnings: list[str] = []
        # session id -> (revision, sha256 of the bytes, schema_version) of the file as last
        # loaded or saved by this store: a save finding those bytes on disk need not parse them
        self._seen: dict[str, tuple[int, str, int]] = {}
        self._start()

    def __repr__(self) -> str:
        return f"SessionStore({str(self.root)!r})"

    # --- start-up, folders, warnings -----------------------------------------------------

    def _warn(self, message: str) -> None:
        if message not in self.warnings:
            self.warnings.append(message)
            import logging

            logging.getLogger(LOGGER).warning("%s", message)

    def _start(self) -> None:
        """Check the folders that exist (nothing is created) and remove orphaned temp files."""
        for warning in check_private_dir(self.root, "data folder"):
            self._warn(warning)
        for directory, label in (
            (self.sessions_dir, "sessions folder"),
            (self.trash_dir, "trash folder"),
            (self.backups_dir, "backups folder"),
        ):
            if os.path.islink(directory):
                self._warn(
                    f"the {label} {directory} is a symbolic link; backplan will not write there"
                )
                continue
            for warning in check_private_dir(directory, label):
                self._warn(warning)
        self.removed_temp_files = self.clean_temp_files()

    def clean_temp_files(self) -> list[Path]:
        """Remove temp files left by saves that never finished (see ``orphaned_temp_files``)."""
        removed: list[Path] = []
        if os.path.islink(self.sessions_dir):
            return removed
        for directory in (self.sessions_dir, self.root):
            for path in orphaned_temp_files(directory):
                try:
                    os.unlink(path)
                except OSError:
                    continue
                removed.append(path)
        return removed

    def _private_dir(self, path: Path) -> Path:
        """Create (0700) or tighten one of the store's folders; a symlink there is refused."""
        try:
            ensure_dir(self.root)
            current = self.root
            for part in path.relative_to(self.root).parts:  # no symlink on the way down
                current = ensure_dir(current / part, allow_symlink=False)
            return current
        except OSError as err:
            where = err.filename or path
            raise StoreError(f"cannot use the folder {where}: {_reason(err)}") from err

    # --- paths ---------------------------------------------------------------------------

    def path_for(self, session_id: str) -> Path:
        if not valid_id(session_id):
            raise StoreError(f"not a usable session id: {session_id!r}")
        return self.sessions_dir / f"{session_id}{SUFFIX}"

    def lock_path(self, session_id: str) -> Path:
        """``sessions/<id>.lock``: beside the session file, never the file itself."""
        if not valid_id(session_id):
            raise StoreError(f"not a usable session id: {session_id!r}")
        return self.sessions_dir / f"{session_id}.lock"

    def backup_dir(self, session_id: str) -> Path:
        if not valid_id(session_id):
            raise StoreError(f"not a usable session id: {session_id!r}")
        return self.backups_dir / session_id

    def exists(self, session_id: str) -> bool:
        return valid_id(session_id) and os.path.lexists(self.path_for(session_id))

    def new_id(self, title: str) -> str:
        """``slug(title)-xxxx`` (4 random hex digits), not used by any session file (nor by
        the backups of a deleted one)."""
        slug = slugify(title)
        for attempt in range(10_000):
            suffix = secrets.token_hex(2 if attempt < 1_000 else 4)
            candidate = f"{slug}-{suffix}"
            if not self.exists(candidate) and not os.path.lexists(self.backups_dir / candidate):
                return candidate
        raise StoreError("could not find an unused session id")  # pragma: no cover

    # --- reading -------------------------------------------------------------------------

    def _read_raw(self, path: Path, *, private: bool = False) -> bytes:
        """The bytes of a session file; ``_Damage`` when it is not a readable, small, regular
        file.  A symbolic link is never followed (``O_NOFOLLOW``).  ``private``: also
        ``_Damage`` unless the file is this user's and nobody else can write it."""
        flags = (
            os.O_RDONLY
            | getattr(os, "O_NONBLOCK", 0)
            | getattr(os, "O_CLOEXEC", 0)
            | getattr(os, "O_NOFOLLOW", 0)
        )
        try:
            fd = os.open(path, flags)
        except (FileNotFoundError, NotADirectoryError):
            raise
        except OSError as err:
            if err.errno in (errno.ELOOP, errno.EMLINK) or os.path.islink(path):
                raise _Damage("is a symbolic link (not followed)") from None
            raise _Damage(f"cannot be opened ({err.strerror or err})") from None
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode):
                raise _Damage("not a regular file")
            if private and not _own_private(info):
                raise _Damage("not this user's own private file")
            if info.st_size > MAX_FILE_BYTES:
                raise _Damage(_size_reason(info.st_size))
            chunks: list[bytes] = []
            total = 0
            while total <= MAX_FILE_BYTES:
                chunk = os.read(fd, 1024 * 1024)
                if not chunk:
                    break
                chunks.append(chunk)
                total += len(chunk)
        except OSError as err:
            raise _Damage(f"cannot be read ({err.strerror or err})") from None
        finally:
            os.close(fd)
        data = b"".join(chunks)
        if len(data) > MAX_FILE_BYTES:
            raise _Damage(_size_reason(len(data)))
        return data

    @staticmethod
    def _parse(data: bytes, *, allow_newer: bool = False) -> Session:
        """Bytes -> validated ``Session``; ``_Damage`` (``_Newer``) with a one-line reason."""
        if data.startswith(b"\xef\xbb\xbf"):  # a BOM left by some editors
            data = data[3:]
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as err:
            bad = data[err.start]
            raise _Damage(f"not valid UTF-8 (byte 0x{bad:02x} at offset {err.start})") from None
        from backplan_tui.core import codec

        try:
            if allow_newer:
                return codec.loads(text, allow_newer=True)
            return codec.loads(text)
        except codec.NewerSchemaError as err:
            raise _Newer(str(err)) from None
        except codec.CodecError as err:
            raise _Damage(str(err)) from None
        except RecursionError:  # pragma: no cover - the codec checks the depth first
            raise _Damage("nested too deeply to read") from None

    def _load_file(self, path: Path, *, allow_newer: bool = False) -> tuple[Session, bytes]:
        """Read and validate one file; the file name is the session's id."""
        session_id = path.name[: -len(SUFFIX)]
        if not valid_id(session_id):
            raise _Damage("the file name is not a usable session id")
        data = self._read_raw(path)
        try:
            session = self._parse(data)
        except _Newer as newer:
            if not allow_newer:
                raise
            try:
                session = self._parse(data, allow_newer=True)
            except _Damage as damage:
                reason = f"{newer.reason}; and by this version's rules, {damage.reason}"
                raise _Damage(reason) from None
        session.id = session_id
        return session, data

    def load(self, session_id: str, *, allow_newer: bool = False) -> Session:
        """The session, validated.  ``SessionNotFound`` / ``DamagedSessionError`` /
        ``SessionReadOnly`` (a newer backplan's file: pass ``allow_newer=True`` to read it
        for viewing; its ``schema_version`` is then above ``model.SCHEMA_VERSION`` and the
        store refuses to save it)."""
        if not self.exists(session_id):
            raise SessionNotFound(f"no session with the id {session_id!r}")
        path = self.path_for(session_id)
        try:
            session, data = self._load_file(path, allow_newer=allow_newer)
        except (FileNotFoundError, NotADirectoryError):
            raise SessionNotFound(f"no session with the id {session_id!r}") from None
        except _Newer as newer:
            raise SessionReadOnly(path, newer.reason) from None
        except _Damage as damage:
            raise DamagedSessionError(path, damage.reason) from None
        self._seen[session_id] = (session.revision, _digest(data), session.schema_version)
        return session

    # --- writing -------------------------------------------------------------------------

    def create(self, session: Session) -> Session:
        """First save of a new session; its id must not be in use."""
        if self.exists(session.id):
            raise StoreError(f"a session with the id {session.id!r} already exists")
        return self._write(session, creating=True)

    def save(self, session: Session) -> Session:
        """Save atomically: ``revision`` + 1 and ``updated`` = now, on success only.

        On any failure the file on disk is byte-identical to before, no temp file is left,
        the session object is unchanged (edits included) and ``StoreError`` says why in one
        line.  ``ConflictError`` when the file changed on disk since it was loaded.
        """
        return self._write(session, creating=False)

    def save_as_copy(self, session: Session, title: str | None = None) -> Session:
        """Save the in-memory ``session`` (with its unsaved edits) as a new session: new id,
        titled ``title`` or "<title> (copy)", revision 1 on disk.  ``session`` itself is left
        as it is; the copy is returned."""
        copied = copy.deepcopy(session)
        copied.title = clean_line(title) if title is not None else f"{session.title} (copy)"
        copied.id = self.new_id(copied.title)
        copied.revision = 0
        copied.created = copied.updated = _utc_now()
        copied.schema_version = SCHEMA_VERSION
        return self.create(copied)

    def _serialize(self, session: Session) -> bytes:
        """The file's bytes, checked to read back as the same session (``dumps_checked``:
        a text that would not load, or would load as something else, is never written)."""
        from backplan_tui.core import codec

        try:
            text = codec.dumps_checked(session)
        except codec.CodecError as err:  # ReadBackError: "the file would not read back the same"
            raise StoreError(f"cannot save session {session.id!r}: {err}") from None
        except (TypeError, ValueError, RecursionError) as err:
            raise StoreError(f"cannot save session {session.id!r}: {err}") from None
        try:
            encoded = text.encode("utf-8")
        except UnicodeEncodeError as err:
            raise StoreError(f"cannot save session {session.id!r}: {err.reason}") from None
        if len(encoded) > MAX_FILE_BYTES:
            raise StoreError(
                f"cannot save session {session.id!r}: it would be {len(encoded) / _MB:.1f} MB, "
                f"larger than the {MAX_FILE_BYTES // _MB} MB limit"
            )
        return encoded

    def _check_disk(
        self, path: Path, session_id: str, expected: int, creating: bool
    ) -> tuple[bytes, int, int] | None:
        """Refuse to replace a file that changed (or broke) since it was loaded.

        Returns what is on disk now (to back it up): its bytes, revision and schema version;
        None when there is no file.  The bytes this store last loaded or saved (same sha256)
        are known to be that revision, readable and not a newer backplan's: not parsed again.
        """
        try:
            disk_bytes = self._read_raw(path)
        except (FileNotFoundError, NotADirectoryError):
            if creating or expected == 0:
                return None
            raise ConflictError(
                f"session {session_id!r} was removed from disk since it was opened; "
                "not saving (your changes are still here)"
            ) from None
        except _Damage as damage:
            raise DamagedSessionError(path, damage.reason, "not overwriting it") from None
        if creating:
            raise StoreError(f"a session with the id {session_id!r} already exists")
        digest = _digest(disk_bytes)
        seen = self._seen.get(session_id)
        if (
            seen is not None
            and seen[0] == expected
            and seen[1] == digest
            and seen[2] <= SCHEMA_VERSION
        ):
            return disk_bytes, expected, seen[2]
        try:
            on_disk = self._parse(disk_bytes)
        except _Newer as newer:
            raise SessionReadOnly(path, f"{newer.reason}; not overwriting it") from None
        except _Damage as damage:
            raise DamagedSessionError(path, damage.reason, "not overwriting it") from None
        if on_disk.revision != expected:
            raise ConflictError(
                f"session {session_id!r} was changed on disk since it was opened "
                f"(revision {on_disk.revision} there, {expected} here); not overwriting it"
            )
        if seen is not None and seen[0] == expected and seen[1] != digest:
            raise ConflictError(
                f"session {session_id!r} was changed on disk since it was opened; "
                "not overwriting it"
            )
        return disk_bytes, on_disk.revision, on_disk.schema_version

    def _write(
        self,
        session: Session,
        *,
        creating: bool,
        replace_damaged: bool = False,
        replacing: tuple[int, ...] | None = None,
    ) -> Session:
        """Save ``session``.  ``replace_damaged``: ``restore`` has kept the damaged file
        whose identity (``_identity``) is ``replacing`` in ``backups/``, and this save
        replaces it in one rename (it must still be that file, or gone)."""
        path = self.path_for(session.id)
        if session.schema_version > SCHEMA_VERSION:
            raise SessionReadOnly(
                path,
                f"written by a newer backplan (schema {session.schema_version}; this version "
                f"writes {SCHEMA_VERSION}); not saving over it (save a copy instead)",
            )
        old_revision, old_updated = session.revision, session.updated
        session.revision = old_revision + 1
        session.updated = _utc_now()
        tmp: Path | None = None
        on_disk: tuple[bytes, int, int] | None = None
        try:
            data = self._serialize(session)
            try:
                self._private_dir(self.sessions_dir)
            except StoreError as err:
                raise StoreError(f"could not save session {session.id!r}: {err}") from None
            tmp = _write_temp(self.sessions_dir, path.name, data)
            # check-and-replace is atomic with respect to every other saver (another
            # window, process or thread): a save landing in between is a conflict, not lost
            with self._write_lock(session.id):
                if replace_damaged:
                    on_disk = None
                    self._check_unchanged(path, session.id, replacing)
                else:
                    on_disk = self._check_disk(path, session.id, old_revision, creating)
                if on_disk is not None and keeps_backup(on_disk[0], data):
                    self._keep_backup(session.id, path, *on_disk)
                if creating and not replace_damaged:
                    try:
                        _move_no_clobber(tmp, path)
                    except FileExistsError:
                        raise StoreError(
                            f"a session with the id {session.id!r} already exists"
                        ) from None
                else:
                    os.replace(tmp, path)
                tmp = None
        except BaseException as err:
            session.revision, session.updated = old_revision, old_updated
            _remove_quietly(tmp)
            if isinstance(err, StoreError) or not isinstance(err, Exception):
                raise
            raise StoreError(f"could not save session {session.id!r}: {_reason(err)}") from err
        # The new file is in place: nothing below may fail the save.
        session.schema_version = SCHEMA_VERSION
        self._seen[session.id] = (session.revision, _digest(data), SCHEMA_VERSION)
        try:
            self._flush_dirs(self.sessions_dir)
            if on_disk is not None:
                self._prune_backups(session.id)
        except Exception as err:  # pragma: no cover - each step guards itself already
            self._warn(f"after saving session {session.id!r}: {_reason(err)}")
        return session

    def _check_unchanged(
        self, path: Path, session_id: str, expected: tuple[int, ...] | None
    ) -> None:
        """``restore`` replaces a damaged file: refuse when it is no longer that file (gone
        is fine: the restored file then simply takes its place)."""
        found = _identity(path)
        if found is not None and found != expected:
            raise ConflictError(
                f"session {session_id!r} was changed on disk while it was being restored; "
                "not overwriting it"
            )

    @contextmanager
    def _write_lock(self, session_id: str) -> Iterator[None]:
        """Hold ``sessions/.<id>.write`` (an exclusive ``flock``) for the few milliseconds of
        a save's check-and-replace.  Not the session's lock (``lock()``: who has it open).
        Removed while still held, as ``core.lock`` does: a saver that locked a file no
        longer at the path tries again, so two savers never both hold it."""
        if fcntl is None:  # pragma: no cover - not POSIX: no saver-to-saver exclusion
            yield
            return
        path = self.sessions_dir / f".{session_id}{WRITE_LOCK_SUFFIX}"
        deadline = time.monotonic() + WRITE_LOCK_WAIT
        pause = 0.001
        while True:
            fd = os.open(path, os.O_RDWR | os.O_CREAT | _NOFOLLOW | _CLOEXEC, FILE_MODE)
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
                if not _same_fd_file(fd, path):  # removed by the saver before us: again
                    continue
                try:
                    yield
                finally:
                    _remove_quietly(path)
                return
            finally:
                try:
                    os.close(fd)  # drops the flock (even when close reports an error)
                except OSError:
                    pass  # after the replace, nothing may fail the save

    # --- locks ---------------------------------------------------------------------------

    def lock(self, session_id: str, *, timeout: float | None = 0.0) -> SessionLock:
        """Take the session's lock (``sessions/<id>.lock``) for as long as it is open here.

        ``lock.SessionLocked`` (a ``StoreError``; ``.holder`` says who: pid, host, user,
        since when) when another process or window holds it.  ``timeout``: 0 = fail at
        once, None = wait, N = wait up to N seconds.  Release with ``.release()`` or use it
        as a context manager; a killed process frees it by itself.
        """
        from backplan_tui.core import lock as locks

        path = self.lock_path(session_id)
        self._private_dir(self.sessions_dir)
        held = locks.acquire(path, session_id, timeout=timeout)
        try:  # a save killed between keeping a backup and pruning: tidy up now
            self.prune_backups(session_id)
        except (OSError, StoreError) as err:  # pragma: no cover - prune guards itself
            self._warn(f"could not prune the backups of session {session_id!r}: {_reason(err)}")
        return held

    def lock_holder(self, session_id: str) -> LockInfo | None:
        """Who holds the session's lock now (None: nobody), without taking it."""
        from backplan_tui.core import lock as locks

        return locks.holder(self.lock_path(session_id))

    # --- backups ---------------------------------------------------------------------------

    def _keep_backup(
        self, session_id: str, path: Path, data: bytes, revision: int, schema_version: int
    ) -> None:
        """Keep the file about to be replaced (``data``: its bytes, of that revision and
        schema) in ``backups/<id>/``.  Never raises: a backup that cannot be kept is a
        warning, and the save goes on."""
        try:
            directory = self._private_dir(self.backup_dir(session_id))
            self._keep_file(path, data, directory, str(revision))
            if schema_version < SCHEMA_VERSION and not any(
                _BACKUP_MIGRATION.fullmatch(name) for name in os.listdir(directory)
            ):
                self._keep_file(path, data, directory, f"pre-migration-v{schema_version}")
        except (OSError, StoreError) as err:
            self._warn(
                f"could not keep a backup of session {session_id!r} before saving "
                f"({_reason(err)}); the save went ahead"
            )

    def _keep_file(self, path: Path, data: bytes, directory: Path, stem: str) -> Path:
        """``path`` (whose bytes are ``data``) as ``directory/<stem>.toml`` (or
        ``<stem>-<n>.toml`` when taken by other content): a hard link, else a copy."""
        n = 1
        while True:
            target = directory / (f"{stem}{SUFFIX}" if n == 1 else f"{stem}-{n}{SUFFIX}")
            try:
                os.link(path, target, follow_symlinks=False)
            except FileExistsError:
                if _same_inode(path, target) or self._has_bytes(target, data):
                    return target  # already kept (a save that failed after keeping it)
                n += 1
                continue
            except (OSError, NotImplementedError):
                return self._copy_file(path, data, target)
            # Never chmod through the link: the inode may have other names (the session file
            # hard-linked from elsewhere) whose mode is not ours to change.  A file that is not
            # already private, or that has names besides these two, is kept as a copy.
            info = os.lstat(target)
            if info.st_nlink > 2 or stat.S_IMODE(info.st_mode) != FILE_MODE:
                os.unlink(target)
                return self._copy_file(path, data, target)
            return target

    def _has_bytes(self, path: Path, data: bytes) -> bool:
        try:
            return self._read_raw(path) == data
        except (OSError, _Damage):
            return False

    def _copy_file(self, source: Path, data: bytes, target: Path) -> Path:
        """No hard links on this file system: a copy (same mtime), made in sessions/ as one of
        our temp files and moved into place, so a crash leaves nothing half-written."""
        tmp: Path | None = _write_temp(self.sessions_dir, source.name, data)
        try:
            info = os.lstat(source)
            os.utime(tmp, ns=(info.st_atime_ns, info.st_mtime_ns))
            stem = target.name[: -len(SUFFIX)]
            n = 1
            while True:
                try:
                    _move_no_clobber(tmp, target)  # type: ignore[arg-type]
                except FileExistsError:
                    n += 1
                    target = target.with_name(f"{stem}-{n}{SUFFIX}")
                    continue
                tmp = None
                return target
        finally:
            _remove_quietly(tmp)

    def _backup_files(self, session_id: str) -> list[tuple[int, BackupEntry, int]]:
        """(mtime_ns, entry, n) for each file in ``backups/<id>/``; unknown names skipped."""
        directory = self.backup_dir(session_id)
        if os.path.islink(self.backups_dir) or os.path.islink(directory):
            return []
        try:
            items = list(os.scandir(directory))
        except OSError:
            return []
        found: list[tuple[int, BackupEntry, int]] = []
        for item in items:
            name = item.name
            revision: int | None = None
            n = 0
            match = _BACKUP_REVISION.fullmatch(name)
            if match:
                kind = "revision"
                revision = int(match["revision"])
                n = int(match["n"] or 1)
            elif _BACKUP_DAMAGED.fullmatch(name):
                kind = "damaged"
            elif _BACKUP_MIGRATION.fullmatch(name):
                kind = "pre-migration"
            else:
                continue
            try:
                if not item.is_file(follow_symlinks=False):
                    continue
                info = item.stat(follow_symlinks=False)
            except OSError:
                continue
            saved = datetime.fromtimestamp(info.st_mtime, UTC).replace(microsecond=0)
            entry = BackupEntry(revision, saved, Path(item.path), info.st_size, kind)
            found.append((info.st_mtime_ns, entry, n))
        found.sort(key=lambda f: (f[0], -1 if f[1].revision is None else f[1].revision, f[2]))
        found.reverse()
        return found

    def backups(self, session_id: str) -> list[BackupEntry]:
        """The kept versions of a session, newest first (by when each was written)."""
        return [entry for _, entry, _ in self._backup_files(session_id)]

    def _prune_backups(self, session_id: str) -> None:
        self.prune_backups(session_id)

    def prune_backups(self, session_id: str, *, now: datetime | None = None) -> list[Path]:
        """Remove the revision backups the retention policy (``core.backups``) no longer
        keeps at ``now`` (default: the store's clock); returns what was removed.  Damaged and
        pre-migration files are never removed.  Idempotent: run after every save that kept a
        backup and whenever a session is opened (``lock``), so a save killed between keeping
        and pruning is tidied up by the next open."""
        from backplan_tui.core.backups import Kept, kept

        revisions = [e for _, e, _ in self._backup_files(session_id) if e.kind == "revision"]
        when = now or self.clock()
        keep = kept(
            [Kept(e.path, e.saved or when, e.size) for e in revisions],
            when,
        )
        removed = []
        for entry in revisions:
            if entry.path not in keep:
                _remove_quietly(entry.path)
                removed.append(entry.path)
        return removed

    def read_backup(self, entry: BackupEntry) -> Session:
        """The session in a backup file (any schema this version can read; a newer one too,
        for viewing); ``DamagedSessionError`` when it cannot be read."""
        try:
            return self._parse(self._read_raw(entry.path), allow_newer=True)
        except FileNotFoundError:
            raise SessionNotFound(f"the backup {entry.path.name} is gone") from None
        except _Damage as damage:
            raise DamagedSessionError(entry.path, damage.reason) from None

    def newest_backup(self, session_id: str) -> BackupEntry | None:
        """The newest revision backup that reads cleanly (what ``restore`` takes by default)."""
        for entry in self.backups(session_id):
            if entry.kind != "revision":
                continue
            try:
                self._parse(self._read_raw(entry.path))
            except (OSError, _Damage):
                continue
            return entry
        return None

    def restore(self, session_id: str, revision: int | None = None) -> Session:
        """Save a backup's content as a new revision on top of the current file.

        ``revision=None`` takes the newest backup that can be read.  The version being
        replaced is itself backed up, so a restore can be undone by another restore.  A
        damaged current file is first kept as ``backups/<id>/damaged-<UTC stamp>.toml`` (a
        hard link or a copy; never deleted), then replaced by the restored file in one
        rename, so the session file is there at every moment; a missing one (deleted, say)
        is simply created again.  This does
        not take the session's lock: hold ``lock(session_id)`` around it (the CLI does).
        """
        path = self.path_for(session_id)
        files = self._backup_files(session_id)
        candidates = [
            entry
            for _, entry, _ in files
            if entry.kind == "revision" and (revision is None or entry.revision == revision)
        ]
        if not candidates:
            if revision is None:
                raise SessionNotFound(f"session {session_id!r} has no backups")
            raise SessionNotFound(f"session {session_id!r} has no backup of revision {revision}")
        restored: Session | None = None
        problems: list[str] = []
        for entry in candidates:
            try:
                restored = self._parse(self._read_raw(entry.path))
                break
            except FileNotFoundError:
                problems.append(f"{entry.path.name}: gone")
            except _Damage as damage:
                if revision is not None:
                    raise DamagedSessionError(
                        entry.path, damage.reason, "not restoring it"
                    ) from None
                problems.append(f"{entry.path.name}: {damage.reason}")
        if restored is None:
            raise StoreError(
                f"no backup of session {session_id!r} can be read ({'; '.join(problems)})"
            )
        restored.id = session_id
        highest = max((e.revision or 0 for _, e, _ in files), default=0)
        seen = self._seen.get(session_id, (0, ""))[0]

        current: Session | None = None
        current_bytes = b""
        try:
            current_bytes = self._read_raw(path)
            current = self._parse(current_bytes)
        except (FileNotFoundError, NotADirectoryError):
            current = None
        except _Newer as newer:
            raise SessionReadOnly(path, f"{newer.reason}; not restoring over it") from None
        except _Damage:
            # Keep a copy of the damaged file first, THEN replace it in one rename: at every
            # moment the list shows the session (damaged, then restored), never nothing.
            identity = _identity(path)
            self._keep_damaged(session_id, path)
            restored.revision = max(highest + 1, seen)
            return self._write(restored, creating=True, replace_damaged=True, replacing=identity)

        if current is not None:
            restored.revision = current.revision
            self._seen[session_id] = (
                current.revision,
                _digest(current_bytes),
                current.schema_version,
            )
            return self._write(restored, creating=False)
        # The damaged (or deleted) file most likely held the revision after the newest
        # backup: write above it, so revisions never repeat.
        restored.revision = max(highest + 1, seen)
        return self._write(restored, creating=True)

    def _keep_damaged(self, session_id: str, path: Path) -> Path:
        """Keep the damaged file at ``path`` as ``backups/<id>/damaged-<UTC stamp>.toml``
        (a hard link, else a copy; a symlink stays a symlink, never followed).  The file in
        ``sessions/`` is left where it is: the restore replaces it afterwards."""
        try:
            directory = self._private_dir(self.backup_dir(session_id))
            stamp = _stamp()
            n = 1
            while True:
                unique = stamp if n == 1 else f"{stamp}-{n}"
                target = directory / f"damaged-{unique}{SUFFIX}"
                if os.path.lexists(target):
                    n += 1
                    continue
                try:
                    os.link(path, target, follow_symlinks=False)
                except FileExistsError:
                    n += 1
                    continue
                except (OSError, NotImplementedError):  # no hard links here: a copy
                    self._copy_damaged(path, target)
                break
        except OSError as err:
            raise StoreError(
                f"could not keep a copy of the damaged session file {path}: {_reason(err)}; "
                "not restoring"
            ) from err
        self._flush_dirs(directory)
        return target

    def _copy_damaged(self, path: Path, target: Path) -> None:
        info = os.lstat(path)
        if stat.S_ISLNK(info.st_mode):
            os.symlink(os.readlink(path), target)
            return
        if not stat.S_ISREG(info.st_mode):
            raise OSError(errno.EINVAL, "not a regular file", str(path))
        fd = os.open(path, os.O_RDONLY | _NOFOLLOW | _CLOEXEC | getattr(os, "O_NONBLOCK", 0))
        try:
            chunks = []
            while chunk := os.read(fd, 1024 * 1024):
                chunks.append(chunk)
        finally:
            os.close(fd)
        self._copy_file(path, b"".join(chunks), target)

    # --- trash, copies -------------------------------------------------------------------

    def _require_readable(self, session_id: str, action: str) -> Path:
        if not self.exists(session_id):
            raise SessionNotFound(f"no session with the id {session_id!r}")
        path = self.path_for(session_id)
        try:
            self._load_file(path)
        except FileNotFoundError:
            raise SessionNotFound(f"no session with the id {session_id!r}") from None
        except _Newer as newer:
            raise SessionReadOnly(path, f"{newer.reason}; {action}") from None
        except _Damage as damage:
            raise DamagedSessionError(path, damage.reason, action) from None
        return path

    @contextmanager
    def _unless_open_elsewhere(self, session_id: str, action: str) -> Iterator[None]:
        """Hold the session's lock while ``action`` runs: refused (``StoreError`` naming who
        has it) while another process or window has the session open."""
        from backplan_tui.core import lock as locks

        try:
            held = self.lock(session_id)
        except locks.SessionLocked as locked:
            raise StoreError(f"{locked}; {action}") from None
        with held:
            yield

    def rename(self, session_id: str, title: str) -> Session:
        """Give the session a new title (a save), unless it is open elsewhere."""
        title = " ".join(clean_line(title).split())
        if not title:
            raise StoreError("a session needs a title; not renaming it")
        self._require_readable(session_id, "not renaming it")
        with self._unless_open_elsewhere(session_id, "not renaming it"):
            session = self.load(session_id)
            session.title = title
            return self.save(session)

    def delete(self, session_id: str) -> Path:
        """Move the session file into ``trash/``; returns where it went.  Refused while the
        session is open in another process or window."""
        path = self._require_readable(session_id, "not moving it")
        with self._unless_open_elsewhere(session_id, "not moving it to the trash"):
            return self._move_to_trash(session_id, path)

    def _move_to_trash(self, session_id: str, path: Path) -> Path:
        self._private_dir(self.trash_dir)
        try:
            stamp = _stamp()
            n = 1
            while True:
                unique = stamp if n == 1 else f"{stamp}-{n}"
                target = self.trash_dir / f"{session_id}.{unique}{SUFFIX}"
                try:
                    _move_no_clobber(path, target)
                except FileExistsError:
                    n += 1
                    continue
                break
        except OSError as err:
            raise StoreError(
                f"could not move session {session_id!r} to the trash: {err.strerror or err}"
            ) from err
        self._flush_dirs(self.sessions_dir, self.trash_dir)
        self._seen.pop(session_id, None)
        return target

    def trash(self) -> list[Path]:
        """Files in the trash (for ``undelete``), most recently deleted first."""
        try:
            paths = [p for p in self.trash_dir.iterdir() if p.name.endswith(SUFFIX)]
        except OSError:
            return []

        def deleted_at(path: Path) -> tuple[str, str]:
            head, _, tail = path.name[: -len(SUFFIX)].rpartition(".")
            return (tail, head) if _TRASH_STAMP.fullmatch(tail) else ("", path.name)

        return sorted(paths, key=deleted_at, reverse=True)

    def undelete(self, trash_path: Path) -> str:
        """Move a file back from the trash; returns its id (a new one if the old is taken)."""
        trash_path = Path(trash_path)
        if trash_path.parent.resolve() != self.trash_dir.resolve() or not (
            trash_path.name.endswith(SUFFIX)
            and trash_path.is_file()
            and not trash_path.is_symlink()
        ):
            raise SessionNotFound(f"nothing in the trash at {trash_path}")
        stem = trash_path.name[: -len(SUFFIX)]
        head, _, tail = stem.rpartition(".")
        session_id = head if head and _TRASH_STAMP.fullmatch(tail) else stem
        self._private_dir(self.sessions_dir)
        try:
            for _ in range(100):
                if not valid_id(session_id) or self.exists(session_id):
                    session_id = self.new_id(self._title_of(trash_path, session_id))
                try:
                    _move_no_clobber(trash_path, self.path_for(session_id))
                except FileExistsError:
                    continue
                break
            else:  # pragma: no cover
                raise StoreError(f"could not restore {trash_path.name}")
        except OSError as err:
            raise StoreError(f"could not restore {trash_path.name}: {err.strerror or err}") from err
        self._flush_dirs(self.sessions_dir, self.trash_dir)
        return session_id

    def _flush_dirs(self, *directories: Path) -> None:
        for directory in directories:
            warning = _fsync_dir(directory)
            if warning:
                self._warn(warning)

    def _title_of(self, path: Path, fallback: str) -> str:
        try:
            return self._parse(self._read_raw(path)).title or fallback
        except (OSError, _Damage):
            return fallback

    def duplicate(self, session_id: str, title: str | None = None) -> Session:
        """A saved copy under a new id, titled ``title`` or "Copy of <title>"."""
        original = self.load(session_id)
        copied = copy.deepcopy(original)
        copied.title = clean_line(title) if title is not None else f"Copy of {original.title}"
        copied.id = self.new_id(copied.title)
        copied.revision = 0
        copied.created = copied.updated = _utc_now()
        return self.create(copied)

    def resolve(self, id_or_title: str) -> str:
        """Exact id, else a unique title (any case), else a unique id prefix."""
        query = id_or_title.strip()
        if not query:
            raise SessionNotFound("no session given")
        if self.exists(query):
            return query
        entries = self.list()
        folded = query.casefold()
        by_title = [e for e in entries if e.title.strip().casefold() == folded]
        if len(by_title) == 1:
            return by_title[0].id
        if len(by_title) > 1:
            raise StoreError(self._ambiguous(query, by_title))
        by_prefix = [e for e in entries if e.id.casefold().startswith(folded)]
        if len(by_prefix) == 1:
            return by_prefix[0].id
        if len(by_prefix) > 1:
            raise StoreError(self._ambiguous(query, by_prefix))
        raise SessionNotFound(f"no session matches {query!r}")

    @staticmethod
    def _ambiguous(query: str, entries: list[SessionEntry]) -> str:
        ids = sorted(e.id for e in entries)
        shown = ", ".join(ids[:5]) + (", ..." if len(ids) > 5 else "")
        return f"{query!r} matches {len(ids)} sessions ({shown}); use the id"

    # --- listing -------------------------------------------------------------------------

    def list(self, *, today: date | None = None, refresh: bool = False) -> list[SessionEntry]:
        """Every session file, newest ``updated`` first; damaged ones last, with the reason.

        A newer backplan's file is not damaged: it has ``read_only_reason``.  ``has_backup``
        tells whether ``restore`` has something to work with (for a damaged entry it is
        checked file by file: at least one revision backup).

        ``glance`` (health, risks, dated items) is computed on ``today`` (default: the local
        date) for every file parsed because it is new or changed; a file unchanged since an
        earlier day keeps that day's glance (``glance.stale(today)``) unless ``refresh``, which
        parses those files again.  The app lists without ``refresh`` (start-up never parses
        unchanged files) and refreshes in a worker; ``backplan list`` refreshes.

        This is on the app's start-up path: with a current index it reads ``index.json``,
        stats each file, checks each record (shape, stat) and makes the entries; no more.
        """
        today = today or date.today()
        current = text_prefix(today)  # how a glance computed today starts (no parse needed)
        index = self._read_index()
        changed = index is None
        cached: dict[str, Any] = index or {}
        records: dict[str, _Record] = {}
        entries: list[SessionEntry] = []
        files = _session_files(self.sessions_dir)
        with_backups = self._ids_with_backups() if files else set()
        folder_fd = _open_folder(self.sessions_dir) if files and index else None
        folder = self.sessions_dir
        parse, new, set_dict, entry_class = datetime.fromisoformat, _new, _set, SessionEntry
        regular = stat.S_ISREG
        cut = -len(SUFFIX)
        for name, info in files:
            # The record is used only if it is exactly as written (the shapes in the module
            # docstring) and for this very file (its stat); else this one file is parsed again.
            record: Any = cached.get(name)
            updated: datetime | None = None
            glance: str | None = None
            usable = False
            if type(record) is list and len(record) == _RECORD_LENGTH:
                (
                    size,
                    mtime_ns,
                    inode,
                    title,
                    team,
                    step,
                    text,
                    revision,
                    damaged,
                    ro,
                    glance,
                    head,
                ) = record
                usable = (
                    type(size) is int  # never a bool or a float, which compare equal
                    and size == info.st_size
                    and type(mtime_ns) is int
                    and mtime_ns == info.st_mtime_ns
                    and type(inode) is int
                    and inode == info.st_ino
                    and type(title) is str
                    and type(team) is str
                    and type(step) is str
                    and type(revision) is int
                    and revision >= 0
                    and (
                        (  # a readable file: "updated" text with an offset, a glance
                            type(text) is str
                            and damaged is None
                            and (ro is None or type(ro) is str)
                            and type(glance) is str
                            and glance.startswith(_GLANCE_START)
                        )
                        or (  # a damaged file: the reason and nothing else
                            text is None
                            and type(damaged) is str
                            and ro is None
                            and glance is None
                            and not (title or team or step or revision)
                        )
                    )
                    # the file's first block is still the one the record was made from
                    and type(head) is str
                    and head == (_head_digest(name, folder_fd) if regular(info.st_mode) else "")
                )
                if usable and text is not None:
                    try:
                        updated = parse(text)
                    except ValueError:
                        usable = False
                    else:
                        usable = updated.tzinfo is not None
                    if refresh and usable and not glance.startswith(current):
                        usable = False  # computed on another day: parse it again, as asked
            if not usable:
                record, updated = self._index_record(folder / name, info, today)
                _, _, _, title, team, step, _, revision, damaged, ro, glance, _ = record
                changed = True
            records[name] = record
            session_id = name[:cut]
            has_backup = session_id in with_backups
            if has_backup and damaged is not None:
                has_backup = any(e.kind == "revision" for _, e, _ in self._backup_files(session_id))
            # SessionEntry(...) made the cheap way: one dict, and ``path`` made on first use
            # (see ``SessionEntry.__getattr__``); test_store checks it equals the constructor's
            entry = new(entry_class)
            set_dict(
                entry,
                "__dict__",
                {
                    "id": session_id,
                    "_folder": folder,
                    "title": title,
                    "team": team,
                    "current_step": step,
                    "updated": updated,
                    "revision": revision,
                    "damaged": damaged,
                    "read_only_reason": ro,
                    "has_backup": has_backup,
                    "glance_record": glance,
                },
            )
            entries.append(entry)
        if folder_fd is not None:
            os.close(folder_fd)
        # a file parsed again, a record that was not usable, a record of a file that is gone
        if (changed or len(records) != len(cached)) and self.sessions_dir.is_dir():
            self._write_index(records)
        # by id, then newest first (a stable sort keeps the id order of equal times)
        entries.sort(key=_BY_ID)
        dated = [e for e in entries if e.updated is not None]
        dated.sort(key=_BY_UPDATED, reverse=True)
        if len(dated) < len(entries):
            dated += [e for e in entries if e.updated is None]
        return dated

    def _index_record(
        self, path: Path, info: os.stat_result, today: date
    ) -> tuple[_Record, datetime | None]:
        """Parse one file: (its index record, with the glance on ``today``; its ``updated``)."""
        stat_key = [info.st_size, info.st_mtime_ns, info.st_ino]
        try:
            session, data = self._load_file(path, allow_newer=True)
        except FileNotFoundError:
            reason = "the file disappeared while it was being read"
            return [*stat_key, "", "", "", None, 0, reason, None, None, ""], None
        except _Damage as damage:
            regular = stat.S_ISREG(info.st_mode)
            head = _head_digest(path.name, None, path.parent) if regular else ""
            return [*stat_key, "", "", "", None, 0, damage.reason, None, None, head], None
        read_only = None
        if session.schema_version > SCHEMA_VERSION:
            read_only = (
                f"written by a newer backplan (schema {session.schema_version}; this version "
                f"reads up to {SCHEMA_VERSION})"
            )
        record = [
            *stat_key,
            session.title,
            session.team,
            session.current_step,
            session.updated.isoformat(),
            session.revision,
            None,
            read_only,
            summarize(session, today).to_text(),
            _digest(data[:HEAD_BYTES])[:_HEAD_DIGEST_LENGTH],
        ]
        return record, session.updated

    def _ids_with_backups(self) -> set[str]:
        """Ids that have a folder in ``backups/`` (one listing, not one per session)."""
        if os.path.islink(self.backups_dir):
            return set()
        try:
            return {
                item.name
                for item in os.scandir(self.backups_dir)
                if item.is_dir(follow_symlinks=False)
            }
        except OSError:
            return set()

    def _read_index(self) -> dict[str, Any] | None:
        """The index's records by file name, not yet checked (``list`` checks each one it
        uses); None when there is no usable index.  Never an error: a cache to rebuild."""
        try:
            raw = self._read_raw(self.index_path, private=True)
            data = json.loads(raw.decode("utf-8"))
        except (OSError, ValueError, _Damage, RecursionError):
            return None
        if (
            type(data) is not dict
            or data.get("format") != INDEX_FORMAT
            or data.get("version") != INDEX_VERSION
            or type(data.get("files")) is not dict
        ):
            return None
        files: dict[str, Any] = data["files"]
        return files

    def _write_index(self, records: dict[str, _Record]) -> None:
        """Best effort: the index is a cache, so failing to write it is not an error."""
        payload = {"format": INDEX_FORMAT, "version": INDEX_VERSION, "files": records}
        # a cache: compact
        data = (json.dumps(payload, separators=(",", ":")) + "\n").encode("utf-8")
        tmp: Path | None = None
        try:
            tmp = _write_temp(self.root, INDEX_NAME, data)
            os.replace(tmp, self.index_path)
            tmp = None
        except OSError:
            pass
        finally:
            _remove_quietly(tmp)
