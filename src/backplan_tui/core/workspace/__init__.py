"""The one write path: the open session (:class:`Workspace`, here) and the sessions that are
not open (:class:`~backplan_tui.core.workspace.library.Library`).

Every change to the sessions folder made by the app goes through here: saving the open
session (its :class:`~backplan_tui.core.document.Document`), a copy when the file changed
underneath, the emergency save on a signal, and, for the sessions on the home list, create,
rename, delete, undelete, duplicate, restore a backup and import.  The app holds one
``Workspace``; its screens ask it (through the app) and never touch the store.

The workspace also owns what belongs to the open session and not to any screen: the undo
history (and the state after the last edit), the timeboxes of the agenda, this app's
presence in the session (``core.presence``: who else is here), this person's visits ("since
last visit") and the plan-health cache.

Team mode: several apps may have one session open.  Every save merges what another process
saved meanwhile (``core.merge``; ``base`` is the version this app last loaded, saved or
merged in), under the store's write lock; :meth:`Workspace.read_disk` and
:meth:`Workspace.absorb` bring another process's save into memory (unsaved edits kept).
Items, check-ins and adjustments this app adds carry its name (``by``), stamped here when
the edit is recorded.

No Textual here (``core`` never imports it): the app schedules autosaves, runs saves in its
workers and shows what these methods return.  The modules that need the model are imported
where first used: the home screen, which every start waits for, needs none of them.

Why one long module: every write of the open session and every change that reaches it
from elsewhere (a save, a merge, an undo, the room) keeps one base and one history here;
split, each part would need the others' state.  (The team part could become a mixin next.)
"""

from __future__ import annotations

import pickle
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from backplan_tui.core.basics import STEP_TITLES, STEPS
from backplan_tui.core.storage import SessionStore, StoreError
from backplan_tui.core.workspace.library import Library

if TYPE_CHECKING:
    from backplan_tui.core.document import Document
    from backplan_tui.core.merge import MergeReport
    from backplan_tui.core.model import Session
    from backplan_tui.core.owners import Limits
    from backplan_tui.core.presence import Presence
    from backplan_tui.core.storage.lock import LockInfo, SessionLock
    from backplan_tui.core.timebox import Agenda
    from backplan_tui.core.undo import History
    from backplan_tui.core.visits import Visits

__all__ = ["DRAFTS_KEY", "Library", "Opening", "Workspace"]

DRAFTS_KEY = "drafts_at_quit"
"""facilitation.extra[DRAFTS_KEY]: how many dialogs' drafts the last quit parked (told, then
removed, when the session opens again)."""

COALESCE_SECONDS = 2.0
"""Typing into one field ("type: ...") within this many seconds is one undo step."""


@dataclass
class Opening:
    """A session loaded, about to become the open one (:meth:`Workspace.adopt`)."""

    session: Session
    lock: SessionLock | None  # no longer taken on open (team mode: presence instead)
    read_only: bool
    newer: bool  # written by a newer backplan: read-only
    cannot_write: str  # why the sessions folder cannot be written: read-only
    stamp: tuple[int, int, int] | None = None  # the file read (``SessionStore.stamp``)


@dataclass
class DiskRead:
    """The session file as another process left it (:meth:`Workspace.read_disk`)."""

    session: Session
    stamp: tuple[int, int, int] | None
    generation: int  # the workspace's save count when it was read


def _copy(session: Session) -> Session:
    """A private copy (pickle round trip: our own objects, at once unpickled)."""
    copied: Session = pickle.loads(pickle.dumps(session, protocol=pickle.HIGHEST_PROTOCOL))
    return copied


def _added_things(session: Session) -> list[Any]:
    """Everything in a session that records who added it (``by``)."""
    return [
        *session.future_state.outcomes,
        *session.questions,
        *session.map,
        *session.pilots,
        *session.checkins,
        *session.adjustments,
        *session.owners,
        *session.stakeholders,
        *session.communications,
    ]


class Workspace:
    """The open session and every write the app makes (see the module's docstring)."""

    def __init__(
        self,
        store: SessionStore,
        *,
        today: Callable[[], date] = date.today,
        clock: Callable[[], float],
        name: str | None = None,
        role: str = "facilitator",
    ) -> None:
        from backplan_tui.core.identity import resolve

        self._store = store
        self.name = resolve(name)  # who this app is: presence, and ``by`` on what it adds
        self.role = role  # "facilitator" or "participant" (presence)
        self.presence: Presence | None = None
        # Team mode (see the module docstring): the version memory and disk both come from,
        # whether the disk holds a merge memory has not taken in yet, the file as last
        # read or written here, and how many saves this workspace has made.
        self._base: Session | None = None
        self._pending = False
        self.disk_stamp: tuple[int, int, int] | None = None
        self._unreadable: tuple[int, int, int] | None = None  # a damaged file, read once
        self.generation = 0
        self._known: dict[int, Any] = {}  # id() -> object: what has its ``by`` settled
        self._in_flight = 0  # background saves of snapshots not done yet
        # what the last save's merge has to tell (both changed one field ...): the app shows it
        self.save_notes: list[str] = []
        self.library = Library(store)
        self.today = today
        self.clock = clock
        self.document: Document | None = None
        self.agenda: Agenda | None = None
        self._history: History | None = None
        self._state = b""  # the session after the last edit (pickled): the next undo step
        self._last_label = ""
        self._last_record_at = 0.0
        self._last_tick = 0.0
        self._lock: SessionLock | None = None
        self._visits: Visits | None = None
        self._health_key: tuple[Any, ...] | None = None
        # When the coach flags an owner: the user's settings as (max at once, max share of
        # the week), made into ``owners.Limits`` when first needed; None: the defaults.
        self.owner_settings: tuple[int, float] | None = None
        self._health: tuple[Any, list[Any]] = (None, [])
        # (changes, when) since this person's previous visit to the open session
        self.since_last_visit: tuple[list[str], datetime | None] = ([], None)

    @property
    def store(self) -> SessionStore:
        """The store, for reading what it says of itself (tests patch its methods here)."""
        return self._store

    @property
    def session(self) -> Session:
        assert self.document is not None, "no session open"
        return self.document.session

    @property
    def read_only(self) -> bool:
        return self.document is not None and self.document.read_only

    @property
    def history(self) -> History:
        """The undo history (made on first use: ``core.undo`` loads the model)."""
        if self._history is None:
            from backplan_tui.core.undo import History

            self._history = History()
        return self._history

    @history.setter
    def history(self, history: History) -> None:
        self._history = history

    @property
    def visits(self) -> Visits:
        """This person's last-seen copies of the sessions (``core.visits``), made on first use."""
        if self._visits is None:
            from backplan_tui.core.visits import Visits

            self._visits = Visits(self._store.root)
        return self._visits

    @visits.setter
    def visits(self, visits: Visits) -> None:
        """Another person's visits (a browser participant's, kept apart from the host's)."""
        self._visits = visits

    # --- open and close --------------------------------------------------------------------

    def prepare(self, session_id: str, *, read_only: bool = False) -> Opening:
        """Load a session; the open one stays open until :meth:`adopt`.  Several apps may
        open one session (team mode: saves merge, presence says who is here); the session's
        lock is only taken for a moment, to check that the folder can be written (and to
        tidy its backups).  Raises the load's ``StoreError``/``CodecError``/``OSError``."""
        from backplan_tui.core.storage import SessionReadOnly
        from backplan_tui.core.storage.lock import SessionLocked

        cannot_write = ""
        if not read_only:
            try:
                self._store.lock(session_id).release()
            except SessionLocked:
                pass  # a command (a restore) holds it for a moment: saves merge anyway
            except (StoreError, OSError) as error:  # LockError, an unusable sessions folder
                cannot_write = str(error)
        newer = False
        try:
            session, stamp = self._store.read_current(session_id)
        except SessionReadOnly:
            session = self._store.load(session_id, allow_newer=True)
            stamp = None
            newer = True
        read_only = read_only or newer or bool(cannot_write)
        return Opening(session, None, read_only, newer, cannot_write, stamp)

    def adopt(self, opening: Opening) -> Document:
        """Make a prepared session the open one (close the previous one first)."""
        from backplan_tui.core.document import Document
        from backplan_tui.core.timebox import Agenda
        from backplan_tui.core.undo import History, snapshot

        session = opening.session
        self.document = Document(self._store, session, read_only=opening.read_only)
        self.document.write = self._write_merging
        self._lock = opening.lock
        self._base = _copy(session)
        self._pending = False
        self.disk_stamp = opening.stamp
        self._remember_known(session)
        self.history = History()
        self._state = snapshot(session)
        self._last_label = ""
        self.agenda = Agenda.from_session(session)
        self.since_last_visit = self.visits.changes(session)
        self.visits.remember(session)
        self.join(session)
        return self.document

    def close(self) -> None:
        """Forget the open session (saved by the caller first): its visit, clocks, presence."""
        self.remember_visit()
        if self.agenda is not None:
            self.agenda.pause_all(self.clock())
        self.release_lock()
        self.leave()
        self.document = None
        self.agenda = None
        self._base = None

    # --- presence --------------------------------------------------------------------------

    def join(self, session: Session) -> None:
        """This app's presence record in ``session`` (replacing any earlier one)."""
        from backplan_tui.core.presence import Presence

        self.leave()
        self.presence = Presence(self._store.root, session.id, self.name, self.role)
        self.presence.join(session.current_step)
        self.publish_room()

    def publish_room(self, step: str | None = None) -> None:
        """Where this app is, and (a facilitator's) running timebox, into its presence
        record: participants follow them (``core.presence``: room state, not the file)."""
        from backplan_tui.core.presence import RoomClock

        presence, doc = self.presence, self.document
        if presence is None or doc is None:
            return
        clock: RoomClock | None = None
        agenda = self.agenda
        if self.role == "facilitator" and agenda is not None:
            running = agenda.running_step()
            shown = running or doc.session.current_step
            if shown in STEPS:
                box = agenda.timebox(shown)
                clock = RoomClock(shown, box.remaining(self.clock()), box.running, time.time())
        try:
            presence.update(step=step or doc.session.current_step, clock=clock)
        except OSError:  # presence is a courtesy
            pass

    def leave(self) -> None:
        """Remove this app's presence record (never fails: presence is a courtesy)."""
        model = sys.modules.get("backplan_tui.core.model")
        if model is not None:  # (not imported: no id was ever tagged; home-only runs end fast)
            model.set_id_tag("")  # alone again: new ids untagged
        presence, self.presence = self.presence, None
        if presence is not None:
            try:
                presence.leave()
            except Exception:  # noqa: BLE001 - leaving anyway
                pass

    def others(self) -> list[Any]:
        """The other apps in the open session now (``presence.Member``)."""
        return self.presence.others() if self.presence is not None else []

    def here_text(self) -> str:
        """ "Ana, Ben here": the others in the open session ("" when alone)."""
        from backplan_tui.core.presence import here_text

        return here_text(self.others())

    def look_around(self) -> str:
        """Who else is here ("Ana, Ben here", "" when alone), at each look at the room.  While
        others are here, new items get ids tagged with this person's name (``model.set_id_tag``),
        so that items added at once in two apps never share an id."""
        from backplan_tui.core.model import id_tag_for, set_id_tag
        from backplan_tui.core.presence import here_text

        others = self.others()
        set_id_tag(id_tag_for(self.name) if others else "")
        return here_text(others)

    def theirs_name(self) -> str:
        """Whose save is being merged in: the one other person here, else "someone else"."""
        names = {m.name for m in self.others() if m.name != self.name}
        return names.pop() if len(names) == 1 else "someone else"

    def remember_visit(self) -> None:
        """The open session as this person leaves it: the next visit's "since" compares to it.
        Unedited, it is what ``adopt`` kept already: nothing to write."""
        if self.document is not None and self.document.edits:
            self.visits.remember(self.document.session)

    def release_lock(self) -> None:
        """Let the open session go for other processes: this app's presence record (and a
        lock, when one was given).  Every way out (quit, a signal, the app's end) comes here."""
        self.leave()
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    def release_lock_quietly(self) -> None:
        try:
            self.release_lock()
        except Exception:  # noqa: BLE001 - ending anyway
            pass

    def lock_holder(self) -> LockInfo | None:
        """Who holds the open session's lock (another window, when it is read-only)."""
        assert self.document is not None, "no session open"
        return self._store.lock_holder(self.document.session.id)

    # --- edits -----------------------------------------------------------------------------

    def record_edit(self, label: str = "edit") -> bool:
        """After an edit of the open session: an undo step and "unsaved".  False (nothing
        recorded) in a read-only session, which the caller takes back (``revert``).

        The state before this edit is the one kept after the previous edit, so it goes on
        the undo list under ``label``.  Typing into a field ("type: ...") coalesces into one
        step while the same field keeps changing within two seconds.
        """
        from backplan_tui.core.undo import snapshot

        doc = self.document
        if doc is None or doc.read_only:
            return False
        now = self.clock()
        coalesce = (
            label.startswith("type:")
            and label == self._last_label
            and now - self._last_record_at < COALESCE_SECONDS
        )
        if not coalesce:
            self.history.record_snapshot(self._state, label, doc.session.current_step)
        self._last_label, self._last_record_at = label, now
        self._stamp_added(doc.session)
        self._state = snapshot(doc.session)
        doc.touch()
        return True

    def replace_session(self, session: Session) -> None:
        """An edit made as a new session (a conflict resolved, ``core.conflicts.resolve``)
        takes the open one's place; the caller records it (``record_edit``) like any edit,
        so undo brings the old one back."""
        doc = self.document
        assert doc is not None, "no session open"
        if not doc.read_only:
            doc.session = session

    def _remember_known(self, session: Session) -> None:
        """What is in ``session`` now keeps its ``by`` as it is (it was not added here)."""
        self._known = {id(thing): thing for thing in _added_things(session)}

    def _stamp_added(self, session: Session) -> None:
        """What this edit added (an item, a check-in, an adjustment) with no ``by`` yet gets
        this app's name: one place, whichever screen added it."""
        for thing in _added_things(session):
            if id(thing) not in self._known:
                if not getattr(thing, "by", "x"):
                    thing.by = self.name
                self._known[id(thing)] = thing

    def undo(self, redo: bool = False) -> str | None:
        """Undo (or redo) the last edit; the label of what was undone, None when nothing."""
        from backplan_tui.core.undo import snapshot

        doc = self.document
        if doc is None:
            return None
        entry = self.history.peek_redo() if redo else self.history.peek_undo()
        restored = self.history.redo(doc.session) if redo else self.history.undo(doc.session)
        if restored is None or entry is None:
            return None
        doc.session = restored
        self._state = snapshot(restored)
        self._last_label = ""
        self._remember_known(restored)
        doc.touch()
        return entry.label

    def revert(self) -> None:
        """Put a read-only session back as it was opened (an edit got through: the keys
        that edit are refused before anything changes; this is the net under them)."""
        doc = self.document
        if doc is None:
            return
        kept = doc.session
        restored = pickle.loads(self._state)  # our own bytes: the session as it was opened
        restored.current_step = kept.current_step
        restored.revision = kept.revision
        restored.updated = kept.updated
        doc.session = restored

    def go_to_step(self, step: str) -> None:
        """Where the workshop is (saved with the session; not an undo step)."""
        from backplan_tui.core.basics import ALL_STEPS

        doc = self.document
        known = next((s for s in ALL_STEPS if s == step), None)
        if doc is not None and known is not None and doc.session.current_step != known:
            doc.session.current_step = known
            doc.touch()

    # --- saving ----------------------------------------------------------------------------

    def commit_agenda(self) -> None:
        """The time used per step into the session: saved, but not an undo step."""
        doc = self.document
        if doc is not None and self.agenda is not None:
            if self.agenda.store(doc.session, self.clock()):
                doc.touch()

    def save(self) -> bool:
        """Save the open session on this thread (when dirty).  True when the file holds
        every edit; a failure is in ``document.error`` (``document.conflict``)."""
        return True if self.document is None else self.document.save()

    def _write_merging(self, snapshot: Session) -> Session:
        """How the open document writes (``Document.write``): the store's save, merging what
        another process saved since this app last loaded, saved or merged the file
        (``SessionStore.save_merging``).  Runs under the document's save lock."""
        from backplan_tui.core.merge import merge_sessions

        base = self._base
        doc = self.document
        if base is None or doc is None or snapshot.id != doc.session.id:
            return self._store.save(snapshot)
        theirs_name = self.theirs_name()
        self.save_notes = []

        def merge(on_disk: Session) -> Session:
            merged, report = merge_sessions(base, snapshot, on_disk, theirs_name=theirs_name)
            self.save_notes = list(report.notes)
            return merged  # type: ignore[no-any-return]

        written, merged = self._store.save_merging(snapshot, merge, always=self._pending)
        self.generation += 1
        if merged:
            # The file now holds more than memory: memory and the file both come from the
            # snapshot; the next poll merges the file in (absorb), with the edits made since.
            self._base = _copy(snapshot)
            self._pending = True
            self.disk_stamp = None
        else:
            self._base = _copy(written)
            self.disk_stamp = self._store.written.get(written.id)
        return written

    def take_save_notes(self) -> list[str]:
        """What the last merging save has to tell the room (once)."""
        notes, self.save_notes = self.save_notes, []
        return notes

    @property
    def behind(self) -> bool:
        """The file holds a merge that memory has not taken in yet (see :meth:`absorb`)."""
        return self._pending

    def disk_changed(self) -> bool:
        """Has the session file changed since this app last read or wrote it (one stat)?"""
        doc = self.document
        if doc is None or doc.read_only:
            return False
        if self._pending:
            return True
        now = self._store.stamp(doc.session.id)
        # A file that could not be read is not read again every poll: only once it changes.
        return now != self.disk_stamp and now != self._unreadable

    def read_disk(self) -> DiskRead | None:
        """The session file as it is now (from a worker thread), read between saves;
        None when there is nothing that can be merged (gone, damaged, newer)."""
        from backplan_tui.core.codec import CodecError

        doc = self.document
        if doc is None or doc.read_only:
            return None
        with doc.save_lock:
            generation = self.generation
            try:
                session, stamp = self._store.read_current(doc.session.id, look=True)
            except (StoreError, CodecError, OSError):
                self._unreadable = self._store.stamp(doc.session.id)
                return None
        return DiskRead(session, stamp, generation)

    def absorb(self, read: DiskRead) -> MergeReport | None:
        """Merge another process's save into memory (on the UI thread): ours = memory, with
        its unsaved edits; the undo history goes on from the merged session.  None when
        ``read`` is out of date (a save came in between: the next poll reads again) or a
        save is writing right now."""
        from backplan_tui.core.merge import merge_sessions, renamed_session
        from backplan_tui.core.undo import snapshot

        doc = self.document
        base = self._base
        if doc is None or base is None or read.session.id != doc.session.id:
            return None
        if read.generation != self.generation or self._in_flight:
            return None
        if not doc.save_lock.acquire(blocking=False):
            return None
        try:
            merged, report = merge_sessions(
                base, doc.session, read.session, theirs_name=self.theirs_name()
            )
            if not doc.dirty:  # nothing of ours unsaved: memory is the file, plus conflicts
                merged.revision = read.session.revision
            doc.session = merged
            before, after, who = base, read.session, self.theirs_name()
            self.history.rebase(  # an undo later takes back our edit, not their additions
                lambda older: merge_sessions(before, older, after, theirs_name=who)[0]
            )
            # Items both sides added under one id: theirs got fresh ids in memory.  The base
            # is the file as memory names it, so that the next merge sees one item where
            # there is one (not our item "edited" into theirs); memory is then written so
            # that the file takes the new ids too.
            self._base = renamed_session(read.session, report.renamed)
            if report.renamed:
                doc.touch()
            self._pending = False
            self.disk_stamp = read.stamp
            self._state = snapshot(merged)
            self._last_label = ""
            self._remember_known(merged)
            doc.edits += 1  # what is shown is redrawn (edit marks); not "unsaved"
            if self.agenda is not None:
                self.agenda.replan(merged)
        finally:
            doc.save_lock.release()
        return report  # type: ignore[no-any-return]

    def take_snapshot(self, doc: Document) -> tuple[Session, int]:
        """A copy of the session for a background save (on the UI thread).  Until that save
        is done (:meth:`save_snapshot`) nothing is merged into memory (:meth:`absorb`): the
        snapshot and memory must keep one base."""
        copied = doc.snapshot()
        self._in_flight += 1
        return copied

    def save_snapshot(self, doc: Document, snapshot: Session, edits: int) -> None:
        """A background save (a worker thread) of a snapshot taken on the UI thread."""
        try:
            doc.save_snapshot(snapshot, edits)
        finally:
            self._in_flight = max(0, self._in_flight - 1)

    def save_as_copy(self) -> Session:
        """The open session (with its edits) under a new id, after a conflict: the edits live
        on in the copy, and the original stays as the other window saved it."""
        assert self.document is not None, "no session open"
        copy = self._store.save_as_copy(self.document.session)
        self.document.dirty = False
        return copy

    def copy_for_editing(self) -> Session:
        """A writable copy of the read-only open session: the other window's last save, or
        (a newer backplan's file) what this one could read of it."""
        from backplan_tui.core.storage import SessionReadOnly

        assert self.document is not None, "no session open"
        try:
            return self._store.duplicate(self.document.session.id)
        except SessionReadOnly:
            return self._store.save_as_copy(self.document.session)

    def keep_drafts(self, texts: list[str]) -> int:
        """Text typed into dialogs still open at quit goes into the parking lot (one line per
        dialog); the next open says so (``take_drafts_note``).  Returns how many."""
        doc = self.document
        if doc is None or doc.read_only:
            return 0
        kept = [text for text in texts if text]
        if kept:
            doc.session.facilitation.parking_lot.extend(kept)
            extra = doc.session.facilitation.extra
            before = extra.get(DRAFTS_KEY)
            extra[DRAFTS_KEY] = (before if type(before) is int and before > 0 else 0) + len(kept)
            doc.touch()
        return len(kept)

    def take_drafts_note(self) -> int | None:
        """How many dialogs' drafts the last quit parked (the note leaves the file at the
        next save: the document is touched), or None."""
        doc = self.document
        if doc is None or doc.read_only:
            return None
        count = doc.session.facilitation.extra.pop(DRAFTS_KEY, None)
        if count is None:
            return None
        return count if type(count) is int and count > 0 else 1

    def save_for_exit(self, drafts_kept: int) -> tuple[bool, str]:
        """Keep every edit before the app ends: the session file, else a copy or a recovery
        file.  Returns (done, a line for stderr after exit), or (False, the problem) when
        nothing could be written."""
        from backplan_tui.core.textclean import clean_line

        doc = self.document
        if doc is None:
            return True, ""
        note = ""
        if drafts_kept:
            title = clean_line(doc.session.title)
            dialogs = "an open dialog" if drafts_kept == 1 else f"{drafts_kept} open dialogs"
            note = f'backplan: what was typed in {dialogs} is kept in the parking lot of "{title}".'
        if doc.read_only or doc.save():
            return True, note
        kept_note = self.keep_elsewhere(doc.session, doc.error or "")
        if not kept_note.startswith("backplan: "):
            return False, kept_note
        doc.dirty = False  # the edits live on in the copy
        return True, "\n".join(filter(None, (note, kept_note)))

    def keep_elsewhere(self, session: Session, error: str) -> str:
        """The session (with its edits) as a copy or a recovery file; a line saying where
        (it starts "backplan: "), or the reasons nothing could be written."""
        from backplan_tui.core.recovery import keep_edits
        from backplan_tui.core.textclean import clean_line

        where, how = keep_edits(self._store, session)
        if where is None:
            return f"{error} {how}".strip()
        return (
            f'backplan: "{clean_line(session.title)}" could not be saved ({error}); '
            f"your edits are kept in {how}: {where}"
        )

    def emergency_save(self) -> str:
        """From the exit watchdog's thread, the main thread stuck: save what can be taken
        safely, and let the lock go.

        The session is copied (pickled) as it is; if that fails (the main thread was
        changing it) the state after the last edit (the undo snapshot) is used.  Returns a
        line for stderr."""
        doc = self.document
        if doc is None or doc.read_only or not (doc.dirty or doc.error):
            self.release_lock_quietly()
            return ""
        snapshot: Session | None = None
        edits = doc.edits
        for _ in range(3):
            try:
                snapshot, edits = doc.snapshot()
                break
            except Exception:  # noqa: BLE001 - the main thread changed it under us
                continue
        if snapshot is None and self._state:
            snapshot = pickle.loads(self._state)  # our own bytes, made in this process
        if snapshot is None:
            return "backplan: ended by a signal; the session could not be copied."
        agenda = self.agenda
        if agenda is not None:
            try:
                agenda.store(snapshot, self.clock())
            except Exception:  # noqa: BLE001 - the timers are the least of it
                pass
        note = ""
        if not doc.save_snapshot(snapshot, edits, wait=0.3):
            note = self.keep_elsewhere(snapshot, doc.error or "")
        self.release_lock_quietly()
        return note

    # --- schedule and plan health ----------------------------------------------------------

    @property
    def owner_limits(self) -> Limits | None:
        """When the coach flags an owner (``owner_settings``); None: the defaults."""
        if self.owner_settings is None:
            return None
        from backplan_tui.core.owners import Limits

        return Limits(*self.owner_settings)

    def health(self) -> tuple[Any, list[Any]]:
        """(schedule, findings) for the open session, recomputed only after an edit."""
        from backplan_tui.core import coach, schedule

        doc = self.document
        assert doc is not None, "no session open"
        key = (id(doc.session), doc.edits, self.today(), self.owner_settings)
        if self._health_key != key:
            plan = schedule.compute(doc.session, self.today())
            self._health = (
                plan,
                coach.review(doc.session, self.today(), schedule=plan, limits=self.owner_limits),
            )
            self._health_key = key
        return self._health

    # --- the timebox -----------------------------------------------------------------------

    def running_step(self) -> str | None:
        return self.agenda.running_step() if self.agenda is not None else None

    def toggle_timer(self, step: str) -> None:
        """Start ``step``'s clock (pausing any other), or pause it when it runs."""
        if self.agenda is None:
            return
        now = self.clock()
        if self.agenda.running_step() == step:
            self.agenda.pause_all(now)
        else:
            self.agenda.start(step, now)
        self._last_tick = now

    def timer_follows(self, step: str) -> str | None:
        """The running timebox follows the step on screen: leaving a step whose clock runs
        pauses it and starts the clock of the step shown next (the summary and Track have
        none: the clock just pauses).  Returns what happened, for a toast; None when no clock
        runs (paging through the steps before the workshop starts its clocks starts none)."""
        agenda = self.agenda
        running = agenda.running_step() if agenda is not None else None
        if agenda is None or running is None or running == step:
            return None
        now = self.clock()
        box = agenda.timebox(running)
        box.pause(now)
        message = f"{STEP_TITLES.get(running, running)} paused at {box.clock(now)}"
        if step in STEPS:
            agenda.start(step, now)
            message += f"; {STEP_TITLES[step]}'s timer started."
        else:
            message += ". F3 on a step starts its timer."
        self._last_tick = now
        return message

    def extend_timer(self, step: str) -> None:
        if self.agenda is not None:
            self.agenda.timebox(step).add()

    def reset_timer(self, step: str) -> None:
        if self.agenda is not None:
            self.agenda.timebox(step).reset()

    def tick(self) -> str | None:
        """Once a second while a clock runs: the step whose time just ran out, else None."""
        step = self.running_step()
        if self.agenda is None or step is None:
            return None
        now = self.clock()
        crossed = self.agenda.timebox(step).crossed_zero(self._last_tick, now)
        self._last_tick = now
        return step if crossed else None

    def timer_line(self) -> str:
        """ "Reverse map ▶ 36:00" while a clock runs, else ""."""
        step = self.running_step()
        if self.agenda is None or step is None:
            return ""
        box = self.agenda.timebox(step)
        return f"{STEP_TITLES.get(step, step)} ▶ {box.clock(self.clock())}"
