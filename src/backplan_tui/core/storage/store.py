"""``SessionStore``: sessions on disk, one TOML file per session under ``<data dir>/sessions/``.

The facade the app, the CLI and the tests use; each job is done in its own room of
``core.storage`` (see its ``__init__``), and this module says in what order.

A save never writes a session file in place: the text is serialized and read back
(``sessionfile``), written to a 0600 temp file beside it and fsynced (``fileio``), checked
against the file on disk under the save's write lock (``saving``, ``lock``), kept as a backup
(``backups``), then moved over the old file with ``os.replace`` and the folder fsynced.  Any
failure before the move leaves the old file byte-identical and the ``Session`` as it was.

A file that cannot be read is listed as damaged with the reason and is never written to or
deleted (``restore`` keeps a copy in ``backups/`` first, then replaces it in one rename).  A
newer backplan's file opens read-only (``load(id, allow_newer=True)``); an older one is
migrated when read and kept as ``backups/<id>/pre-migration-v<N>.toml`` by the first save.
``restore()`` saves a backup's content as a new revision on top, so it can itself be undone.

``list()`` reads the cache ``index.jsonl`` (``index``); each entry's glance is made by the
store's ``summarizer`` (given to the constructor; ``SessionStore(root)`` takes the app's
from ``core.wiring``): nothing in ``core.storage`` imports the domain's glance, coach,
progress or schedule.  Problems that do not stop the work are in ``store.warnings``.

Why one long module: it is the facade whose public methods the app, the CLI and the tests
call; each method is a few lines that put the storage rooms' work in order.
"""

from __future__ import annotations

import copy
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from backplan_tui.core.basics import SCHEMA_VERSION
from backplan_tui.core.storage.backups import BackupFiles, keeps_backup
from backplan_tui.core.storage.entries import (
    BackupEntry,
    SessionEntry,
    Summarizer,
    default_summarizer,
)
from backplan_tui.core.storage.errors import (
    ConflictError,
    Damage,
    DamagedSessionError,
    Newer,
    SessionNotFound,
    SessionReadOnly,
    StoreError,
)
from backplan_tui.core.storage.fileio import (
    identity,
    move_no_clobber,
    read_small,
    reason,
    remove_quietly,
    write_temp,
)
from backplan_tui.core.storage.folders import Folders
from backplan_tui.core.storage.index import Index, Listing, resolve
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
from backplan_tui.core.storage.saving import Seen, check_disk, check_unchanged
from backplan_tui.core.storage.sessionfile import digest, load_file, parse, serialize
from backplan_tui.core.storage.trash import id_of, in_trash, move_to_trash, trash_files
from backplan_tui.core.textclean import clean_line

if TYPE_CHECKING:
    from backplan_tui.core.model import Session
    from backplan_tui.core.storage.lock import LockInfo, SessionLock

__all__ = ["SessionStore"]


class Unmergeable(ConflictError):
    """The file on disk cannot be merged into (gone, or damaged): a copy is the way out."""


MERGE_TRIES = 1
"""Merges made outside the write lock before a save takes the lock for the whole merge.
One: a save that lost the race once is in a crowd, and each further try outside the lock
reads, merges and writes the session again only to lose again.  With eight processes saving
as fast as they can (tests/reliability/teamsoak.py), five tries took about 1.7 times the CPU
and 1.4 times the time of one; with two processes it makes no difference."""


def _to_second(moment: datetime) -> datetime:
    """``moment`` in UTC, to the second (TOML datetimes round-trip exactly at this precision)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).replace(microsecond=0)


class SessionStore:
    def _now(self) -> datetime:
        """The store's clock, in UTC to the second: a write's ``updated``."""
        return _to_second(self.clock())

    def __init__(
        self,
        root: Path,
        *,
        clock: Callable[[], datetime] | None = None,
        summarizer: Summarizer | None = None,
    ) -> None:
        self.root = Path(root)
        # what backup retention counts ages from, and what a write stamps as ``updated``
        # (tests pass a fake one)
        self.clock: Callable[[], datetime] = clock or (lambda: datetime.now(UTC))
        # what each listed entry's glance is made by (None: the app's, on first use)
        self._summarizer = summarizer
        self.sessions_dir = self.root / SESSIONS
        self.trash_dir = self.root / TRASH
        self.backups_dir = self.root / BACKUPS
        self.index_path = self.root / INDEX_NAME
        self._folders = Folders(self.root, self.sessions_dir, self.trash_dir, self.backups_dir)
        self._backups = BackupFiles(
            self.backups_dir,
            self.sessions_dir,
            folder_for=self.backup_dir,
            private_dir=self._folders.private_dir,
            warn=self._folders.warn,
            flush=self._folders.flush,
        )
        self._index = Index(self.root, self.sessions_dir, self._backups)
        # Problems that did not stop anything (see the module docstring), one line each.
        self.warnings: list[str] = self._folders.warnings
        # session id -> (revision, sha256 of the bytes, schema_version) of the file as last
        # loaded or saved by this store: a save finding those bytes on disk need not parse them
        self._seen: Seen = {}
        # session id -> the stamp (``stamp``) of the file this store last wrote
        self.written: dict[str, tuple[int, int, int] | None] = {}
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

    def _start(self) -> None:
        """Check the folders that exist (nothing is created) and remove orphaned temp files."""
        self._folders.check()
        self.removed_temp_files = self.clean_temp_files()

    def clean_temp_files(self) -> list[Path]:
        """Remove temp files left by saves that never finished (see ``orphaned_temp_files``)."""
        return self._folders.clean_temp_files()

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
            suffix = os.urandom(2 if attempt < 1_000 else 4).hex()  # (``secrets``: 8 ms to import)
            candidate = f"{slug}-{suffix}"
            if not self.exists(candidate) and not os.path.lexists(self.backups_dir / candidate):
                return candidate
        raise StoreError("could not find an unused session id")  # pragma: no cover

    # --- reading -------------------------------------------------------------------------

    @staticmethod
    def _read_raw(path: Path, *, private: bool = False) -> bytes:
        """A session file's bytes (``fileio.read_small``); every read of the store's own
        files goes through here (a test puts a save in between)."""
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
        except Newer as newer:
            raise SessionReadOnly(path, newer.reason) from None
        except Damage as damage:
            raise DamagedSessionError(path, damage.reason) from None
        self._seen[session_id] = (session.revision, digest(data), session.schema_version)
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

    def save_merging(
        self,
        session: Session,
        merge: Callable[[Session], Session],
        *,
        always: bool = False,
    ) -> tuple[Session, bool]:
        """Save ``session``, merging what another process saved meanwhile (team mode).

        The file is read again; when it is not the one this store last loaded or saved (or
        ``always``), ``merge(what is on disk)`` makes the session that is written instead
        (its ``revision`` follows the file's).  The replace is checked under the session's
        write lock against the very bytes merged, as every save is: a save landing in
        between makes this one read and merge again.  The merge itself runs outside the lock
        at first (the lock is held only for the replace); once it has lost ``MERGE_TRIES``
        races, read, merge and replace all happen under the lock.
        Returns (the session written, whether it was merged); ``session`` itself gets the
        new revision only when it was written as it is.

        A file gone from disk (``ConflictError``), damaged on disk (``ConflictError``: merging
        is impossible, a copy is the way out) or from a newer backplan (``SessionReadOnly``)
        is never written to.
        """
        from backplan_tui.core.storage.lock import write_lock

        for _ in range(MERGE_TRIES):
            try:
                return self._merge_and_write(session, merge, always, locked=False)
            except Unmergeable:
                raise
            except ConflictError:
                continue  # another save landed between the read and the replace: again
        self._folders.private_dir(self.sessions_dir)
        with write_lock(write_lock_file(self.sessions_dir, session.id), session.id):
            return self._merge_and_write(session, merge, always, locked=True)

    def _merge_and_write(
        self, session: Session, merge: Callable[[Session], Session], always: bool, *, locked: bool
    ) -> tuple[Session, bool]:
        path = self.path_for(session.id)
        try:
            disk_bytes = self._read_raw(path)
        except (FileNotFoundError, NotADirectoryError):
            raise Unmergeable(
                f"session {session.id!r} was removed from disk since it was opened; "
                "not saving (your changes are still here)"
            ) from None
        except Damage as damage:
            raise Unmergeable(
                f"session {session.id!r} cannot be read on disk any more ({damage.reason}); "
                "not merging into it (your changes are still here)"
            ) from None
        except OSError as err:
            raise StoreError(f"could not save session {session.id!r}: {reason(err)}") from err
        found = digest(disk_bytes)
        last = self._seen.get(session.id)
        if not always and last is not None and last[1] == found:
            return self._write(session, creating=False, locked=locked), False
        try:
            on_disk = self._parse(disk_bytes)
        except Newer as newer:
            raise SessionReadOnly(path, f"{newer.reason}; not overwriting it") from None
        except Damage as damage:
            raise Unmergeable(
                f"session {session.id!r} cannot be read on disk any more ({damage.reason}); "
                "not merging into it (your changes are still here)"
            ) from None
        merged = merge(on_disk)
        merged.id = session.id
        merged.revision = on_disk.revision
        merged.schema_version = min(merged.schema_version, SCHEMA_VERSION)
        # The replace is checked against the bytes just merged (not the last ones saved);
        # a save that fails leaves what this store knows of the file as it was.
        self._seen[session.id] = (on_disk.revision, found, on_disk.schema_version)
        try:
            return self._write(merged, creating=False, locked=locked), True
        except BaseException:
            if last is None:
                self._seen.pop(session.id, None)
            else:
                self._seen[session.id] = last
            raise

    def read_current(
        self, session_id: str, *, look: bool = False
    ) -> tuple[Session, tuple[int, int, int] | None]:
        """The session as on disk now and the stamp (``stamp``) of the file read (taken
        before reading: a file replaced in between is read again at the next poll).

        ``look``: a look, not a load (the live poll): what this store last loaded or saved
        stays as it was.  (Were the file looked at remembered as seen, a save before memory
        took it in would find the file "as last seen" and write without merging, then stop
        at the revision check: the user was offered a copy for another app's ordinary save.)"""
        before = self.stamp(session_id)
        if not look:
            return self.load(session_id), before
        seen = self._seen.get(session_id)
        try:
            return self.load(session_id), before
        finally:
            if seen is None:
                self._seen.pop(session_id, None)
            else:
                self._seen[session_id] = seen

    def stamp(self, session_id: str) -> tuple[int, int, int] | None:
        """(mtime_ns, size, inode) of the session file: what a live app polls (None: gone)."""
        try:
            info = os.stat(self.path_for(session_id))
        except OSError:
            return None
        return (info.st_mtime_ns, info.st_size, info.st_ino)

    def save_as_copy(self, session: Session, title: str | None = None) -> Session:
        """Save the in-memory ``session`` (with its unsaved edits) as a new session: new id,
        titled ``title`` or "<title> (copy)", revision 1 on disk.  ``session`` itself is left
        as it is; the copy is returned."""
        copied = copy.deepcopy(session)
        copied.title = clean_line(title) if title is not None else f"{session.title} (copy)"
        copied.id = self.new_id(copied.title)
        copied.revision = 0
        copied.created = copied.updated = self._now()
        copied.schema_version = SCHEMA_VERSION
        return self.create(copied)

    def _check_disk(
        self, path: Path, session_id: str, expected: int, creating: bool
    ) -> tuple[bytes, int, int] | None:
        """``saving.check_disk`` with what this store has seen (a test races a save here)."""
        return check_disk(path, session_id, expected, creating, self._seen, self._read_raw)

    def _write(
        self,
        session: Session,
        *,
        creating: bool,
        replace_damaged: bool = False,
        replacing: tuple[int, ...] | None = None,
        locked: bool = False,
    ) -> Session:
        """Save ``session`` (``locked``: the caller holds the write lock).
        ``replace_damaged``: ``restore`` has kept the damaged file whose identity
        (``fileio.identity``) is ``replacing`` in ``backups/``, and this save replaces it in
        one rename (it must still be that file, or gone)."""
        path = self.path_for(session.id)
        if session.schema_version > SCHEMA_VERSION:
            raise SessionReadOnly(
                path,
                f"written by a newer backplan (schema {session.schema_version}; this version "
                f"writes {SCHEMA_VERSION}); not saving over it (save a copy instead)",
            )
        old_revision, old_updated = session.revision, session.updated
        session.revision = old_revision + 1
        session.updated = self._now()
        tmp: Path | None = None
        on_disk: tuple[bytes, int, int] | None = None
        try:
            data = serialize(session)
            try:
                self._folders.private_dir(self.sessions_dir)
            except StoreError as err:
                raise StoreError(f"could not save session {session.id!r}: {err}") from None
            tmp = write_temp(self.sessions_dir, path.name, data)
            from backplan_tui.core.storage.lock import write_lock

            # check-and-replace is atomic with respect to every other saver (another
            # window, process or thread): a save landing in between is a conflict, not lost
            held = (
                nullcontext()
                if locked
                else write_lock(write_lock_file(self.sessions_dir, session.id), session.id)
            )
            with held:
                if replace_damaged:
                    on_disk = None
                    check_unchanged(path, session.id, replacing)
                else:
                    on_disk = self._check_disk(path, session.id, old_revision, creating)
                if on_disk is not None and keeps_backup(on_disk[0], data):
                    self._keep_backup(session.id, path, *on_disk)
                if creating and not replace_damaged:
                    try:
                        move_no_clobber(tmp, path)
                    except FileExistsError:
                        raise StoreError(
                            f"a session with the id {session.id!r} already exists"
                        ) from None
                else:
                    os.replace(tmp, path)
                tmp = None
                written = self.stamp(session.id)  # before the lock goes: ours, not the next
        except BaseException as err:
            session.revision, session.updated = old_revision, old_updated
            remove_quietly(tmp)
            if isinstance(err, StoreError) or not isinstance(err, Exception):
                raise
            raise StoreError(f"could not save session {session.id!r}: {reason(err)}") from err
        # The new file is in place: nothing below may fail the save.
        session.schema_version = SCHEMA_VERSION
        self._seen[session.id] = (session.revision, digest(data), SCHEMA_VERSION)
        self.written[session.id] = written
        try:
            self._folders.flush(self.sessions_dir)
            if on_disk is not None:
                self._prune_backups(session.id)
        except Exception as err:  # pragma: no cover - each step guards itself already
            self._folders.warn(f"after saving session {session.id!r}: {reason(err)}")
        return session

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
        self._folders.private_dir(self.sessions_dir)
        held = locks.acquire(path, session_id, timeout=timeout)
        try:  # a save killed between keeping a backup and pruning: tidy up now
            self.prune_backups(session_id)
        except (OSError, StoreError) as err:  # pragma: no cover - prune guards itself
            self._folders.warn(
                f"could not prune the backups of session {session_id!r}: {reason(err)}"
            )
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
        """Remove the revision backups the retention policy (``core.storage.backups``) no longer
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
        except Damage as damage:
            raise DamagedSessionError(entry.path, damage.reason) from None

    def newest_backup(self, session_id: str) -> BackupEntry | None:
        """The newest revision backup that reads cleanly (what ``restore`` takes by default)."""
        for entry in self.backups(session_id):
            if entry.kind != "revision":
                continue
            try:
                self._parse(self._read_raw(entry.path))
            except (OSError, Damage):
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
        restored = self._backups.first_readable(session_id, revision, files)
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
        except Newer as newer:
            raise SessionReadOnly(path, f"{newer.reason}; not restoring over it") from None
        except Damage:
            # Keep a copy of the damaged file first, THEN replace it in one rename: at every
            # moment the list shows the session (damaged, then restored), never nothing.
            was = identity(path)
            self._backups.keep_damaged(session_id, path)
            restored.revision = max(highest + 1, seen)
            return self._write(restored, creating=True, replace_damaged=True, replacing=was)

        if current is not None:
            restored.revision = current.revision
            self._seen[session_id] = (
                current.revision,
                digest(current_bytes),
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
        except Newer as newer:
            raise SessionReadOnly(path, f"{newer.reason}; {action}") from None
        except Damage as damage:
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
        self._folders.private_dir(self.trash_dir)
        target = move_to_trash(path, self.trash_dir, session_id)
        self._folders.flush(self.sessions_dir, self.trash_dir)
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
        self._folders.private_dir(self.sessions_dir)
        try:
            for _ in range(100):
                if not valid_id(session_id) or self.exists(session_id):
                    session_id = self.new_id(self._title_of(trash_path, session_id))
                try:
                    move_no_clobber(trash_path, self.path_for(session_id))
                except FileExistsError:
                    continue
                break
            else:  # pragma: no cover
                raise StoreError(f"could not restore {trash_path.name}")
        except OSError as err:
            raise StoreError(f"could not restore {trash_path.name}: {err.strerror or err}") from err
        self._folders.flush(self.sessions_dir, self.trash_dir)
        return session_id

    def _title_of(self, path: Path, fallback: str) -> str:
        try:
            return self._parse(self._read_raw(path)).title or fallback
        except (OSError, Damage):
            return fallback

    def duplicate(self, session_id: str, title: str | None = None) -> Session:
        """A saved copy under a new id, titled ``title`` or "Copy of <title>"."""
        original = self.load(session_id)
        copied = copy.deepcopy(original)
        copied.title = clean_line(title) if title is not None else f"Copy of {original.title}"
        copied.id = self.new_id(copied.title)
        copied.revision = 0
        copied.created = copied.updated = self._now()
        return self.create(copied)

    def resolve(self, id_or_title: str) -> str:
        """Exact id, else a unique title (any case), else a unique id prefix."""
        query = id_or_title.strip()
        if not query:
            raise SessionNotFound("no session given")
        if self.exists(query):
            return query
        return resolve(self.list(), query)

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

        This is on the app's start-up path: with a current index it reads ``index.jsonl``,
        stats each file, checks each record (shape, stat) and makes the entries; no more.
        """
        return self._index.entries(self.summarizer, today=today or date.today(), refresh=refresh)

    def listing(self, *, today: date | None = None, check_over: int | None = None) -> Listing:
        """``list()`` in steps, for a caller that shows the list while files are parsed (a
        first start without an index): ``Listing.entries`` are the sessions with a current
        index record, ``Listing.pending`` the files still to parse, newest first;
        ``Listing.read(n)`` parses the next ``n``, ``Listing.finish()`` writes the index
        once none is pending, and ``sort_entries`` puts entries in ``list()``'s order.
        ``check_over``: an index of more records than this is shown before the files are
        stat'ed; ``Listing.check()`` then corrects it (see ``Index.listing``)."""
        return self._index.listing(
            self.summarizer, today=today or date.today(), check_over=check_over
        )
