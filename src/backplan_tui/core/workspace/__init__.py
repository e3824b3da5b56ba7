"""The one write path: the open session (:class:`Workspace`, here) and the sessions that are
not open (:class:`~backplan_tui.core.workspace.library.Library`).

Every change to the sessions folder made by the app goes through here: saving the open
session (its :class:`~backplan_tui.core.document.Document`), a copy when the file changed
underneath, the emergency save on a signal, and, for the sessions on the home list, create,
rename, delete, undelete, duplicate, restore a backup and import.  The app holds one
``Workspace``; its screens ask it (through the app) and never touch the store.

The workspace also owns what belongs to the open session and not to any screen: the undo
history (and the state after the last edit), the timeboxes of the agenda, the session's
lock, this person's visits ("since last visit") and the plan-health cache.

No Textual here (``core`` never imports it): the app schedules autosaves, runs saves in its
workers and shows what these methods return.  The modules that need the model are imported
where first used: the home screen, which every start waits for, needs none of them.
"""

from __future__ import annotations

import pickle
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from backplan_tui.core.basics import STEP_TITLES, STEPS
from backplan_tui.core.storage import SessionStore, StoreError
from backplan_tui.core.workspace.library import Library

if TYPE_CHECKING:
    from backplan_tui.core.document import Document
    from backplan_tui.core.model import Session
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
    """A session loaded and locked, about to become the open one (:meth:`Workspace.adopt`)."""

    session: Session
    lock: SessionLock | None
    read_only: bool
    newer: bool  # written by a newer backplan: read-only
    cannot_write: str  # why no lock could be taken at all: read-only


class Workspace:
    """The open session and every write the app makes (see the module's docstring)."""

    def __init__(
        self,
        store: SessionStore,
        *,
        today: Callable[[], date] = date.today,
        clock: Callable[[], float],
    ) -> None:
        self._store = store
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
        """Lock (unless ``read_only``) and load a session; the open one stays open until
        :meth:`adopt`.  Raises ``SessionLocked`` (another process has it), or the load's
        ``StoreError``/``CodecError``/``OSError`` (the lock given back)."""
        from backplan_tui.core.storage import SessionReadOnly
        from backplan_tui.core.storage.lock import SessionLocked

        lock = None
        cannot_write = ""
        if not read_only:
            try:
                lock = self._store.lock(session_id)
            except SessionLocked:
                raise
            except (StoreError, OSError) as error:  # LockError, an unusable sessions folder
                cannot_write = str(error)
        newer = False
        try:
            try:
                session = self._store.load(session_id)
            except SessionReadOnly:
                session = self._store.load(session_id, allow_newer=True)
                newer = True
        except BaseException:
            if lock is not None:
                lock.release()
            raise
        return Opening(session, lock, read_only or newer or bool(cannot_write), newer, cannot_write)

    def adopt(self, opening: Opening) -> Document:
        """Make a prepared session the open one (close the previous one first)."""
        from backplan_tui.core.document import Document
        from backplan_tui.core.timebox import Agenda
        from backplan_tui.core.undo import History, snapshot

        session = opening.session
        self.document = Document(self._store, session, read_only=opening.read_only)
        self._lock = opening.lock
        self.history = History()
        self._state = snapshot(session)
        self._last_label = ""
        self.agenda = Agenda.from_session(session)
        self.since_last_visit = self.visits.changes(session)
        self.visits.remember(session)
        return self.document

    def close(self) -> None:
        """Forget the open session (saved by the caller first): its visit, clocks, lock."""
        self.remember_visit()
        if self.agenda is not None:
            self.agenda.pause_all(self.clock())
        self.release_lock()
        self.document = None
        self.agenda = None

    def remember_visit(self) -> None:
        """The open session as this person leaves it: the next visit's "since" compares to it.
        Unedited, it is what ``adopt`` kept already: nothing to write."""
        if self.document is not None and self.document.edits:
            self.visits.remember(self.document.session)

    def release_lock(self) -> None:
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

    def save_snapshot(self, doc: Document, snapshot: Session, edits: int) -> None:
        """A background save (a worker thread) of a snapshot taken on the UI thread."""
        doc.save_snapshot(snapshot, edits)

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

    def health(self) -> tuple[Any, list[Any]]:
        """(schedule, findings) for the open session, recomputed only after an edit."""
        from backplan_tui.core import coach, schedule

        doc = self.document
        assert doc is not None, "no session open"
        key = (id(doc.session), doc.edits, self.today())
        if self._health_key != key:
            plan = schedule.compute(doc.session, self.today())
            self._health = (plan, coach.review(doc.session, self.today(), schedule=plan))
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
