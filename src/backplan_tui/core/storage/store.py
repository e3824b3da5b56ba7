"""``SessionStore``: sessions on disk, one TOML file per session under ``<data dir>/sessions/``.

The facade the app, the CLI and the tests use; each job is done in its own room of
``core.storage`` (see its ``__init__``): this module says in what order.

Saving never writes a session file in place: the text is serialized, re-parsed and compared
(``sessionfile.serialize``), written to a temp file in the same folder (0600), flushed and
fsynced (``fileio``), checked against the revision on disk (another window or program may
have saved in between) under the save's write lock (``lock.write_lock``), then moved over the
old file with ``os.replace`` and the folder fsynced.  Any failure before the move leaves the
old file byte-identical and the ``Session`` object as it was.

A file that cannot be read (bad TOML, wrong types, too large, not UTF-8, nested too deep, a
symbolic link) is listed as damaged with the reason and is never written to or deleted by
the store (``restore`` keeps a copy in ``backups/`` first, then replaces it in one rename).
A file written by a newer backplan is not damaged: it is listed with ``read_only_reason``
and opens read-only (``load(id, allow_newer=True)``).  An older file is migrated when read
(``codec.MIGRATIONS``) and the old file is kept as ``backups/<id>/pre-migration-v<N>.toml``
by the first save.

Backups: before a save replaces a file, the old version is kept as
``backups/<id>/<revision>.toml`` unless the save changes only the step on screen; which ones
stay is the retention policy of ``core.storage.backups`` (``prune_backups``, after each save
and when a session is opened).  ``restore()`` saves a backup's content as a new revision on
top, so a restore can itself be undone.

A store starting up removes orphaned temp files (``fileio.orphaned_temp_files``).  Problems
that do not stop the work (a folder that could not be made private, a directory fsync the
file system refuses, a backup that could not be kept) are collected in ``store.warnings``
and logged, never raised.

``list()`` keeps a cache in ``<data dir>/index.json`` (``core.storage.index``) so that only
new or changed files are parsed.  The glance each entry shows is made by the store's
``summarizer`` (given to the constructor; ``SessionStore(root)`` uses the app's, wired in
``core.wiring``): nothing in ``core.storage`` imports the domain's glance, coach, progress or
schedule.
"""

from __future__ import annotations

import copy
import os
import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from backplan_tui.core.basics import SCHEMA_VERSION
from backplan_tui.core.paths import check_private_dir, ensure_dir
from backplan_tui.core.storage.backups import BackupFiles, keeps_backup
from backplan_tui.core.storage.entries import (
    BackupEntry,
    SessionEntry,
    Summarizer,
    default_summarizer,
)
from backplan_tui.core.storage.errors import (
    ConflictError,
    DamagedSessionError,
    SessionNotFound,
    SessionReadOnly,
    StoreError,
)
from backplan_tui.core.storage.errors import Damage as _Damage
from backplan_tui.core.storage.errors import Newer as _Newer
from backplan_tui.core.storage.fileio import fsync_dir as _fsync_dir
from backplan_tui.core.storage.fileio import identity as _identity
from backplan_tui.core.storage.fileio import move_no_clobber as _move_no_clobber
from backplan_tui.core.storage.fileio import orphaned_temp_files, read_small
from backplan_tui.core.storage.fileio import reason as _reason
from backplan_tui.core.storage.fileio import remove_quietly as _remove_quietly
from backplan_tui.core.storage.fileio import write_temp as _write_temp
from backplan_tui.core.storage.index import Index
from backplan_tui.core.storage.layout import (
    BACKUPS,
    INDEX_NAME,
    LOCK_SUFFIX,
    SESSIONS,
    SUFFIX,
    TRASH,
    slugify,
    valid_id,
    write_lock_file,
)
from backplan_tui.core.storage.sessionfile import digest as _digest
from backplan_tui.core.storage.sessionfile import load_file, parse, serialize
from backplan_tui.core.storage.trash import id_of, in_trash, move_to_trash, trash_files
from backplan_tui.core.textclean import clean_line

if TYPE_CHECKING:
    from backplan_tui.core.model import Session
    from backplan_tui.core.storage.lock import LockInfo, SessionLock

__all__ = ["SessionStore"]

LOGGER = "backplan.store"  # logging is imported on the first warning, not at start-up


def _utc_now() -> datetime:
    from backplan_tui.core.model import utc_now

    return utc_now()


class SessionStore:
    def __init__(
        self,
        root: Path,
        *,
        clock: Callable[[], datetime] | None = None,
        summarizer: Summarizer | None = None,
    ) -> None:
        self.root = Path(root)
        # what backup retention counts ages from (tests pass a fake one)
        self.clock: Callable[[], datetime] = clock or (lambda: datetime.now(UTC))
        # what each listed entry's glance is made by (None: the app's, on first use)
        self._summarizer = summarizer
        self.sessions_dir = self.root / SESSIONS
        self.trash_dir = self.root / TRASH
        self.backups_dir = self.root / BACKUPS
        self.index_path = self.root / INDEX_NAME
        self._backups = BackupFiles(
            self.backups_dir,
            self.sessions_dir,
            folder_for=self.backup_dir,
            private_dir=self._private_dir,
            warn=self._warn,
            flush=self._flush_dirs,
        )
        self._index = Index(self.root, self.sessions_dir, self._backups)
        # Problems that did not stop anything (see the module docstring), one line each.
        self.warnings: list[str] = []
        # session id -> (revision, sha256 of the bytes, schema_version) of the file as last
        # loaded or saved by this store: a save finding those bytes on disk need not parse them
        self._seen: dict[str, tuple[int, str, int]] = {}
        self._start()

    def __repr__(self) -> str:
        return f"SessionStore({str(self.root)!r})"

    @property
    def summarizer(self) -> Summarizer:
        """What makes (and reads back) each listed session's glance."""
        if self._summarizer is None:
            self._summarizer = default_summarizer()
        return self._summarizer

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
        return self.sessions_dir / f"{session_id}{LOCK_SUFFIX}"

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

    @staticmethod
    def _read_raw(path: Path, *, private: bool = False) -> bytes:
        return read_small(path, private=private)

    @staticmethod
    def _parse(data: bytes, *, allow_newer: bool = False) -> Session:
        """Bytes -> validated ``Session`` (``sessionfile.parse``)."""
        return parse(data, allow_newer=allow_newer)

    def load(self, session_id: str, *, allow_newer: bool = False) -> Session:
        """The session, validated.  ``SessionNotFound`` / ``DamagedSessionError`` /
        ``SessionReadOnly`` (a newer backplan's file: pass ``allow_newer=True`` to read it
        for viewing; its ``schema_version`` is then above ``model.SCHEMA_VERSION`` and the
        store refuses to save it)."""
        if not self.exists(session_id):
            raise SessionNotFound(f"no session with the id {session_id!r}")
        path = self.path_for(session_id)
        try:
            session, data = load_file(path, allow_newer=allow_newer)
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
            data = serialize(session)
            try:
                self._private_dir(self.sessions_dir)
            except StoreError as err:
                raise StoreError(f"could not save session {session.id!r}: {err}") from None
            tmp = _write_temp(self.sessions_dir, path.name, data)
            from backplan_tui.core.storage.lock import write_lock

            # check-and-replace is atomic with respect to every other saver (another
            # window, process or thread): a save landing in between is a conflict, not lost
            with write_lock(write_lock_file(self.sessions_dir, session.id), session.id):
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

    # --- locks ---------------------------------------------------------------------------

    def lock(self, session_id: str, *, timeout: float | None = 0.0) -> SessionLock:
        """Take the session's lock (``sessions/<id>.lock``) for as long as it is open here.

        ``lock.SessionLocked`` (a ``StoreError``; ``.holder`` says who: pid, host, user,
        since when) when another process or window holds it.  ``timeout``: 0 = fail at
        once, None = wait, N = wait up to N seconds.  Release with ``.release()`` or use it
        as a context manager; a killed process frees it by itself.
        """
        from backplan_tui.core.storage import lock as locks

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
        from backplan_tui.core.storage import lock as locks

        return locks.holder(self.lock_path(session_id))

    # --- backups ---------------------------------------------------------------------------

    def _keep_backup(
        self, session_id: str, path: Path, data: bytes, revision: int, schema_version: int
    ) -> None:
        self._backups.keep(session_id, path, data, revision, schema_version)

    def _backup_files(self, session_id: str) -> list[tuple[int, BackupEntry, int]]:
        return self._backups.files(session_id)

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
        return self._backups.prune(session_id, now or self.clock())

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
            self._backups.keep_damaged(session_id, path)
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

    # --- trash, copies -------------------------------------------------------------------

    def _require_readable(self, session_id: str, action: str) -> Path:
        if not self.exists(session_id):
            raise SessionNotFound(f"no session with the id {session_id!r}")
        path = self.path_for(session_id)
        try:
            load_file(path)
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
        from backplan_tui.core.storage import lock as locks

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
        target = move_to_trash(path, self.trash_dir, session_id)
        self._flush_dirs(self.sessions_dir, self.trash_dir)
        self._seen.pop(session_id, None)
        return target

    def trash(self) -> list[Path]:
        """Files in the trash (for ``undelete``), most recently deleted first."""
        return trash_files(self.trash_dir)

    def undelete(self, trash_path: Path) -> str:
        """Move a file back from the trash; returns its id (a new one if the old is taken)."""
        trash_path = Path(trash_path)
        if not in_trash(trash_path, self.trash_dir):
            raise SessionNotFound(f"nothing in the trash at {trash_path}")
        session_id = id_of(trash_path)
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
        return self._index.entries(self.summarizer, today=today or date.today(), refresh=refresh)
