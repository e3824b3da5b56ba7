"""Sessions on disk: one TOML file per session under ``<data dir>/sessions/``.

Saving never writes a session file in place: the text is serialized, re-parsed and compared,
written to a temp file in the same folder (0600), flushed and fsynced, checked against the
revision on disk (another window or program may have saved in between), then moved over the
old file with ``os.replace`` and the folder fsynced.  Any failure before the move leaves the
old file byte-identical and the ``Session`` object as it was.

A file that cannot be read (bad TOML, wrong types, too large, not UTF-8, newer schema) is
listed as damaged with the reason and is never written to, moved or deleted by the store.

``list()`` keeps a cache in ``<data dir>/index.json`` (file name -> stat + the fields of the
list entry) so that only new or changed files are parsed.  The index is only a cache: it is
never trusted over the file it describes, and deleting it is always safe.
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
import re
import secrets
import stat
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from backplan_tui.core import codec
from backplan_tui.core.model import Session, utc_now
from backplan_tui.core.paths import ensure_dir
from backplan_tui.core.textclean import clean_line

__all__ = [
    "ConflictError",
    "DamagedSessionError",
    "SessionEntry",
    "SessionNotFound",
    "SessionStore",
    "StoreError",
]

FILE_MODE = 0o600
SUFFIX = ".toml"
INDEX_NAME = "index.json"
INDEX_FORMAT = "backplan-index"
INDEX_VERSION = 1
SLUG_MAX = 40
MAX_ID_LENGTH = 200
_TRASH_STAMP = re.compile(r"\d{8}T\d{6}Z(-\d+)?")
_MB = 1024 * 1024


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
    """The file changed on disk since the session was loaded (or last saved)."""


@dataclass(frozen=True)
class SessionEntry:
    id: str
    path: Path
    title: str
    team: str
    current_step: str
    updated: datetime | None
    revision: int
    damaged: str | None  # the reason, when the file cannot be read


class _Damage(Exception):
    """Internal: why a file cannot be read."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _size_reason(size: int) -> str:
    return f"file is {size / _MB:.1f} MB, larger than the {codec.MAX_FILE_BYTES // _MB} MB limit"


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


def _fsync_dir(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some filesystems (EINVAL) cannot fsync a directory
    finally:
        os.close(fd)


def _remove_quietly(path: Path | None) -> None:
    if path is None:
        return
    try:
        os.unlink(path)
    except OSError:
        pass


def _write_temp(directory: Path, name: str, data: bytes) -> Path:
    """``data`` in a new 0600 temp file beside ``name``, flushed and fsynced."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
    while True:
        tmp = directory / f".{name}.{secrets.token_hex(4)}.tmp"
        try:
            fd = os.open(tmp, flags, FILE_MODE)
        except FileExistsError:
            continue
        break
    try:
        with open(fd, "wb") as handle:
            os.fchmod(handle.fileno(), FILE_MODE)  # whatever the umask
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        _remove_quietly(tmp)
        raise
    return tmp


def _move_no_clobber(src: Path, dst: Path) -> None:
    """Rename ``src`` to ``dst``; ``FileExistsError`` when ``dst`` exists."""
    try:
        os.link(src, dst)
    except FileExistsError:
        raise
    except OSError:  # no hard links here: check, then rename
        if os.path.lexists(dst):
            raise FileExistsError(f"{dst} already exists") from None
        os.rename(src, dst)
        return
    try:
        os.unlink(src)
    except OSError:
        _remove_quietly(dst)
        raise


class SessionStore:
    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.sessions_dir = self.root / "sessions"
        self.trash_dir = self.root / "trash"
        self.index_path = self.root / INDEX_NAME
        # session id -> (revision, sha256 of the bytes) as last loaded or saved by this store
        self._seen: dict[str, tuple[int, str]] = {}

    def __repr__(self) -> str:
        return f"SessionStore({str(self.root)!r})"

    # --- paths ---------------------------------------------------------------------------

    def path_for(self, session_id: str) -> Path:
        if not valid_id(session_id):
            raise StoreError(f"not a usable session id: {session_id!r}")
        return self.sessions_dir / f"{session_id}{SUFFIX}"

    def exists(self, session_id: str) -> bool:
        return valid_id(session_id) and os.path.lexists(self.path_for(session_id))

    def new_id(self, title: str) -> str:
        """``slug(title)-xxxx`` (4 random hex digits), not used by any session file."""
        slug = slugify(title)
        for attempt in range(10_000):
            suffix = secrets.token_hex(2 if attempt < 1_000 else 4)
            candidate = f"{slug}-{suffix}"
            if not self.exists(candidate):
                return candidate
        raise StoreError("could not find an unused session id")  # pragma: no cover

    # --- reading -------------------------------------------------------------------------

    def _read_raw(self, path: Path) -> bytes:
        """The bytes of a session file; ``_Damage`` when it is not a readable, small file."""
        flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
        try:
            fd = os.open(path, flags)
        except (FileNotFoundError, NotADirectoryError):
            raise
        except OSError as err:
            raise _Damage(f"cannot be opened ({err.strerror or err})") from None
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode):
                raise _Damage("not a regular file")
            if info.st_size > codec.MAX_FILE_BYTES:
                raise _Damage(_size_reason(info.st_size))
            chunks: list[bytes] = []
            total = 0
            while total <= codec.MAX_FILE_BYTES:
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
        if len(data) > codec.MAX_FILE_BYTES:
            raise _Damage(_size_reason(len(data)))
        return data

    @staticmethod
    def _parse(data: bytes) -> Session:
        if data.startswith(b"\xef\xbb\xbf"):  # a BOM left by some editors
            data = data[3:]
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as err:
            bad = data[err.start]
            raise _Damage(f"not valid UTF-8 (byte 0x{bad:02x} at offset {err.start})") from None
        try:
            return codec.loads(text)
        except codec.CodecError as err:
            raise _Damage(str(err)) from None

    def _load_file(self, path: Path) -> tuple[Session, bytes]:
        """Read and validate one file; the file name is the session's id."""
        session_id = path.name[: -len(SUFFIX)]
        if not valid_id(session_id):
            raise _Damage("the file name is not a usable session id")
        data = self._read_raw(path)
        session = self._parse(data)
        session.id = session_id
        return session, data

    def load(self, session_id: str) -> Session:
        if not self.exists(session_id):
            raise SessionNotFound(f"no session with the id {session_id!r}")
        path = self.path_for(session_id)
        try:
            session, data = self._load_file(path)
        except (FileNotFoundError, NotADirectoryError):
            raise SessionNotFound(f"no session with the id {session_id!r}") from None
        except _Damage as damage:
            raise DamagedSessionError(path, damage.reason) from None
        self._seen[session_id] = (session.revision, _digest(data))
        return session

    # --- writing -------------------------------------------------------------------------

    def create(self, session: Session) -> Session:
        """First save of a new session; its id must not be in use."""
        if self.exists(session.id):
            raise StoreError(f"a session with the id {session.id!r} already exists")
        return self._write(session, creating=True)

    def save(self, session: Session) -> Session:
        """Save atomically: ``revision`` + 1 and ``updated`` = now, on success only."""
        return self._write(session, creating=False)

    def _serialize(self, session: Session) -> bytes:
        try:
            data = codec.to_dict(session)
            text = codec.dumps(session)
            again = codec.to_dict(codec.loads(text))
        except codec.CodecError as err:
            raise StoreError(f"cannot save session {session.id!r}: {err}") from None
        except (TypeError, ValueError) as err:
            raise StoreError(f"cannot save session {session.id!r}: {err}") from None
        if again != data:
            raise StoreError(
                f"cannot save session {session.id!r}: the file would not read back the same"
            )
        try:
            encoded = text.encode("utf-8")
        except UnicodeEncodeError as err:
            raise StoreError(f"cannot save session {session.id!r}: {err.reason}") from None
        if len(encoded) > codec.MAX_FILE_BYTES:
            raise StoreError(
                f"cannot save session {session.id!r}: it would be {len(encoded) / _MB:.1f} MB, "
                f"larger than the {codec.MAX_FILE_BYTES // _MB} MB limit"
            )
        return encoded

    def _check_disk(self, path: Path, session_id: str, expected: int, creating: bool) -> None:
        """Refuse to replace a file that changed (or broke) since it was loaded."""
        try:
            disk_bytes = self._read_raw(path)
        except (FileNotFoundError, NotADirectoryError):
            if creating or expected == 0:
                return
            raise ConflictError(
                f"session {session_id!r} was removed from disk since it was opened; "
                "not saving (your changes are still here)"
            ) from None
        except _Damage as damage:
            raise DamagedSessionError(path, damage.reason, "not overwriting it") from None
        if creating:
            raise StoreError(f"a session with the id {session_id!r} already exists")
        try:
            on_disk = self._parse(disk_bytes)
        except _Damage as damage:
            raise DamagedSessionError(path, damage.reason, "not overwriting it") from None
        if on_disk.revision != expected:
            raise ConflictError(
                f"session {session_id!r} was changed on disk since it was opened "
                f"(revision {on_disk.revision} there, {expected} here); not overwriting it"
            )
        seen = self._seen.get(session_id)
        if seen is not None and seen[0] == expected and seen[1] != _digest(disk_bytes):
            raise ConflictError(
                f"session {session_id!r} was changed on disk since it was opened; "
                "not overwriting it"
            )

    def _write(self, session: Session, *, creating: bool) -> Session:
        path = self.path_for(session.id)
        old_revision, old_updated = session.revision, session.updated
        session.revision = old_revision + 1
        session.updated = utc_now()
        tmp: Path | None = None
        try:
            data = self._serialize(session)
            ensure_dir(self.root)
            ensure_dir(self.sessions_dir)
            tmp = _write_temp(self.sessions_dir, path.name, data)
            self._check_disk(path, session.id, old_revision, creating)
            if creating:
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
            reason = err.strerror if isinstance(err, OSError) and err.strerror else str(err)
            raise StoreError(f"could not save session {session.id!r}: {reason}") from err
        _fsync_dir(self.sessions_dir)
        self._seen[session.id] = (session.revision, _digest(data))
        return session

    # --- trash, copies -------------------------------------------------------------------

    def _require_readable(self, session_id: str, action: str) -> Path:
        if not self.exists(session_id):
            raise SessionNotFound(f"no session with the id {session_id!r}")
        path = self.path_for(session_id)
        try:
            self._load_file(path)
        except FileNotFoundError:
            raise SessionNotFound(f"no session with the id {session_id!r}") from None
        except _Damage as damage:
            raise DamagedSessionError(path, damage.reason, action) from None
        return path

    def delete(self, session_id: str) -> Path:
        """Move the session file into ``trash/``; returns where it went."""
        path = self._require_readable(session_id, "not moving it")
        try:
            ensure_dir(self.root)
            ensure_dir(self.trash_dir)
            stamp = utc_now().strftime("%Y%m%dT%H%M%SZ")
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
        _fsync_dir(self.sessions_dir)
        _fsync_dir(self.trash_dir)
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
            trash_path.name.endswith(SUFFIX) and trash_path.is_file()
        ):
            raise SessionNotFound(f"nothing in the trash at {trash_path}")
        stem = trash_path.name[: -len(SUFFIX)]
        head, _, tail = stem.rpartition(".")
        session_id = head if head and _TRASH_STAMP.fullmatch(tail) else stem
        try:
            ensure_dir(self.root)
            ensure_dir(self.sessions_dir)
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
        _fsync_dir(self.sessions_dir)
        _fsync_dir(self.trash_dir)
        return session_id

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
        copied.created = copied.updated = utc_now()
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

    def list(self) -> list[SessionEntry]:
        """Every session file, newest ``updated`` first; damaged ones last, with the reason."""
        cached, index_ok = self._read_index()
        records: dict[str, dict[str, Any]] = {}
        try:
            scan = list(os.scandir(self.sessions_dir))
        except OSError:
            scan = []
        for item in scan:
            name = item.name
            if name.startswith(".") or not name.endswith(SUFFIX):
                continue
            try:
                if not item.is_file():
                    continue
                info = item.stat()
            except OSError:
                continue
            key = [info.st_size, info.st_mtime_ns, info.st_ino]
            record = cached.get(name)
            if record is None or record["stat"] != key:
                record = self._index_record(Path(item.path), key)
            records[name] = record
        if (not index_ok or records != cached) and self.sessions_dir.is_dir():
            self._write_index(records)
        entries = [self._entry(name, record) for name, record in records.items()]
        entries.sort(key=lambda e: e.id)
        entries.sort(
            key=lambda e: (e.updated is None, -e.updated.timestamp() if e.updated else 0.0)
        )
        return entries

    def _index_record(self, path: Path, key: list[int]) -> dict[str, Any]:
        record: dict[str, Any] = {
            "stat": key,
            "id": path.name[: -len(SUFFIX)],
            "title": "",
            "team": "",
            "current_step": "",
            "updated": None,
            "revision": 0,
            "damaged": None,
        }
        try:
            session, _ = self._load_file(path)
        except FileNotFoundError:
            record["damaged"] = "the file disappeared while it was being read"
            return record
        except _Damage as damage:
            record["damaged"] = damage.reason
            return record
        record.update(
            title=session.title,
            team=session.team,
            current_step=session.current_step,
            updated=session.updated.isoformat(),
            revision=session.revision,
        )
        return record

    def _entry(self, name: str, record: dict[str, Any]) -> SessionEntry:
        updated = record["updated"]
        return SessionEntry(
            id=name[: -len(SUFFIX)],
            path=self.sessions_dir / name,
            title=record["title"],
            team=record["team"],
            current_step=record["current_step"],
            updated=datetime.fromisoformat(updated) if updated else None,
            revision=record["revision"],
            damaged=record["damaged"],
        )

    def _read_index(self) -> tuple[dict[str, dict[str, Any]], bool]:
        """(records, usable).  Anything unexpected means "rebuild", never an error."""
        try:
            with open(self.index_path, "rb") as handle:
                data = json.loads(handle.read().decode("utf-8"))
        except (OSError, ValueError):
            return {}, False
        if (
            not isinstance(data, dict)
            or data.get("format") != INDEX_FORMAT
            or data.get("version") != INDEX_VERSION
            or not isinstance(data.get("files"), dict)
        ):
            return {}, False
        files: dict[str, dict[str, Any]] = data["files"]
        for name, record in files.items():
            if not self._valid_record(name, record):
                return {}, False
        return files, True

    @staticmethod
    def _valid_record(name: Any, record: Any) -> bool:
        if not isinstance(name, str) or not name.endswith(SUFFIX) or not isinstance(record, dict):
            return False
        key = record.get("stat")
        if not (isinstance(key, list) and len(key) == 3 and all(type(v) is int for v in key)):
            return False
        if record.get("id") != name[: -len(SUFFIX)]:
            return False
        if not all(isinstance(record.get(f), str) for f in ("title", "team", "current_step")):
            return False
        if type(record.get("revision")) is not int:
            return False
        if not (record.get("damaged") is None or isinstance(record.get("damaged"), str)):
            return False
        updated = record.get("updated")
        if updated is None:
            return True
        if not isinstance(updated, str):
            return False
        try:
            return datetime.fromisoformat(updated).tzinfo is not None
        except ValueError:
            return False

    def _write_index(self, records: dict[str, dict[str, Any]]) -> None:
        """Best effort: the index is a cache, so failing to write it is not an error."""
        payload = {"format": INDEX_FORMAT, "version": INDEX_VERSION, "files": records}
        data = (json.dumps(payload, sort_keys=True, indent=1) + "\n").encode("utf-8")
        tmp: Path | None = None
        try:
            tmp = _write_temp(self.root, INDEX_NAME, data)
            os.replace(tmp, self.index_path)
            tmp = None
        except OSError:
            pass
        finally:
            _remove_quietly(tmp)
