"""Edits and saves, the Textual side: every edit becomes an undo step and starts the
autosave countdown; saves run in a worker (autosave) or on the UI thread (step change,
Ctrl+S, quit); a conflict offers a copy; quitting keeps dialogs' drafts.

What is saved, and how, is the workspace's (``core.workspace``): this module decides
*when*, runs it, and says what happened.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from textual import work
from textual.app import App
from textual.reactive import reactive
from textual.timer import Timer

from backplan_tui.core.storage import StoreError
from backplan_tui.tui.contracts import HoldsDraft, HoldsFields, drawn
from backplan_tui.tui.text import toast

if TYPE_CHECKING:
    from backplan_tui.core.document import Document
    from backplan_tui.core.model import Session
    from backplan_tui.core.workspace import Workspace

AUTOSAVE_MAX_WAIT = 5.0
"""Seconds of the app clock after the first unsaved edit by which autosave runs, however
steadily the typing goes on (the debounce alone would wait for a pause forever)."""


class Saving(App[None]):
    """The app's part in edits and saves (a base of ``BackplanApp``)."""

    workspace: Workspace
    autosave_delay: float
    clock: Callable[[], float]
    exit_note: str

    save_state: reactive[str] = reactive("clean")

    def _init_saving(self) -> None:
        self._autosave_timer: Timer | None = None
        self._unsaved_since: float | None = None  # app clock at the first unsaved edit

    def report_error(self, message: str, title: str = "Error") -> None:
        """A toast for a problem; user text in ``message`` is shown literally."""
        toast(self, message, title=title, severity="error", timeout=8)

    def open_session(  # pragma: no cover - BackplanApp's
        self, id_or_title: str, step: str | None = None, *, read_only: bool = False
    ) -> bool:
        raise NotImplementedError

    # --- edits -----------------------------------------------------------------------------

    def changed(self, label: str = "edit") -> None:
        """Called after every edit: an undo step, "unsaved", and the autosave countdown.

        A read-only session refuses it: the edit is taken back (``readonly.refuse_edit``).
        """
        doc = self.workspace.document
        if doc is None:
            return
        if doc.read_only:  # never "edited": the change is taken back, and the room told
            from backplan_tui.tui import readonly

            readonly.refuse_edit(self, label)
            return
        self.workspace.record_edit(label)
        self._schedule_autosave(doc)

    def undo(self, redo: bool = False) -> str | None:
        """Undo (or redo) the last edit; the label of what was undone, None when nothing."""
        label = self.workspace.undo(redo)
        doc = self.workspace.document
        if label is not None and doc is not None:
            self._schedule_autosave(doc)
        return label

    def _touch_and_schedule(self, doc: Document) -> None:
        doc.touch()
        self._schedule_autosave(doc)

    def _schedule_autosave(self, doc: Document) -> None:
        """Unsaved now; autosave ``autosave_delay`` after the last edit (debounced), and
        never later than ``AUTOSAVE_MAX_WAIT`` after the first unsaved edit: steady typing
        with no pause is saved too (in the worker, so no key waits for the disk)."""
        self.save_state = doc.state
        now = self.clock()
        if self._unsaved_since is None:
            self._unsaved_since = now
        waited = now - self._unsaved_since
        if waited >= AUTOSAVE_MAX_WAIT:
            self.autosave()
            return
        if self._autosave_timer is not None:
            self._autosave_timer.stop()
        delay = min(self.autosave_delay, AUTOSAVE_MAX_WAIT - waited)
        self._autosave_timer = self.set_timer(delay, self.autosave)

    def _commit_fields(self) -> None:
        """Fields whose Changed message is still queued (a key typed just before Ctrl+Q)
        are read straight from the widgets, so nothing typed is lost; then the clocks."""
        for screen in drawn(self.screen_stack, HoldsFields):  # (one not drawn has no fields)
            screen.commit_fields()
        self.workspace.commit_agenda()

    def _before_save(self) -> None:
        """Whatever is typed into the session, and no autosave pending any more."""
        self._unsaved_since = None  # before the fields are committed: they may edit again
        self._commit_fields()
        if self._autosave_timer is not None:
            self._autosave_timer.stop()
            self._autosave_timer = None

    # --- saving ----------------------------------------------------------------------------

    def autosave(self) -> None:
        """Save in a worker thread: the UI keeps responding while the file is written."""
        doc = self.workspace.document
        if doc is None:
            return
        self._before_save()
        self._unsaved_since = None
        if not doc.dirty:
            return
        snapshot, edits = self.workspace.take_snapshot(doc)
        self._save_in_background(doc, snapshot, edits)

    @work(thread=True, group="save", exit_on_error=False)
    def _save_in_background(self, doc: Document, snapshot: Session, edits: int) -> None:
        had_error = doc.error
        self.workspace.save_snapshot(doc, snapshot, edits)
        self.call_from_thread(self._after_save, doc, had_error)

    def _after_save(self, doc: Document, had_error: str | None) -> None:
        if doc is not self.workspace.document:
            return
        self.save_state = doc.state
        for note in self.workspace.take_save_notes():  # merged with another app's save
            toast(self, note, title="Merged", severity="warning", timeout=8)
        if doc.error and doc.error != had_error:
            if doc.conflict:
                self._offer_save_as_copy(doc)
                return
            self.report_error(
                f"{doc.error} Your edits are kept; press Ctrl+S to retry.", "Not saved"
            )

    def _offer_save_as_copy(self, doc: Document) -> None:
        from backplan_tui.tui.screens.choice import ChoiceScreen

        def chosen(choice: str | None) -> None:
            if choice != "copy" or doc is not self.workspace.document:
                return
            try:
                copy = self.workspace.save_as_copy()
            except (StoreError, OSError) as error:
                self.report_error(str(error), "Cannot save a copy")
                return
            step = doc.session.current_step
            self.open_session(copy.id, step)
            toast(self, f"Your version is saved as {copy.title}.", timeout=6)

        self.push_screen(
            ChoiceScreen(
                f"{doc.error} Your edits are kept in memory: save them as a copy, or close "
                "and reopen to see the other version.",
                [("c", "copy", "Save my version as a copy")],
            ),
            chosen,
        )

    def save_now(self) -> bool:
        """Save on this thread (quit, step change, Ctrl+S); waits for a background save."""
        doc = self.workspace.document
        if doc is None:
            return True
        self._before_save()
        had_error = doc.error
        ok = self.workspace.save()
        self._after_save(doc, had_error)
        return ok

    def action_save(self) -> None:
        doc = self.workspace.document
        if doc is not None and doc.read_only:
            from backplan_tui.tui import readonly

            toast(self, readonly.refusal(self), title="Read-only", severity="warning")
            return
        if self.save_now() and self.workspace.document is not None:
            self.notify("Saved.", timeout=2)

    # --- quitting --------------------------------------------------------------------------

    async def action_quit(self) -> None:
        """Ctrl+Q: keep every edit, then exit.  Text in an open dialog is kept as a draft;
        a session file that cannot be written gets a copy (said on stderr after exit);
        when nothing can be written at all, ask: quit anyway, or stay.  In a team folder
        with something to share, first ask whether to sync (``teamsync``)."""
        if self.offer_sync_on_quit(self.quit_now):
            return
        self.quit_now()

    if TYPE_CHECKING:  # ``teamsync.TeamSync``'s

        def offer_sync_on_quit(self, quit_now: Callable[[bool], None]) -> bool: ...

        def start_sync(self, done: Callable[[str | None, str], None]) -> None: ...

    def quit_now(self, sync: bool = False) -> None:
        """Save everything (``_save_before_exit``), sync when asked, and exit; what the save
        and the sync did is printed on the terminal after the exit."""
        ok, note = self._save_before_exit()
        if not ok:
            self._ask_quit_unsaved(note)
            return
        if not sync:
            self._exit_with(note)
            return

        def synced(error: str | None, line: str) -> None:
            said = line if error is None else f"{line} (your edits are saved on this machine)"
            self._exit_with("\n".join(n for n in (note, said) if n))

        self.start_sync(synced)

    def _exit_with(self, note: str) -> None:
        self.workspace.release_lock()
        self.exit_note = note  # printed by run(), unwrapped: it may end with a path
        self.exit()

    def _ask_quit_unsaved(self, problem: str) -> None:
        from backplan_tui.tui.screens.choice import ChoiceScreen

        def chosen(choice: str | None) -> None:
            if choice == "quit":
                self.workspace.release_lock()
                self.exit(return_code=1)

        self.push_screen(
            ChoiceScreen(
                f"Your edits are NOT saved and no copy could be written: {problem} "
                "Free some space and press Ctrl+S, or quit and lose them.",
                [("q", "quit", "Quit and lose the edits")],
            ),
            chosen,
        )

    def _keep_dialog_drafts(self) -> int:
        """What was typed into a dialog still open goes into the parking lot, one line per
        dialog ("Draft from the ... dialog"), so quitting never throws it away.  The next
        open of the session says so.  Returns how many dialogs were kept."""
        doc = self.workspace.document
        if doc is None or doc.read_only:
            return 0
        texts = [s.draft_text() for s in self.screen_stack if isinstance(s, HoldsDraft)]
        return self.workspace.keep_drafts(texts)

    def _announce_drafts(self) -> None:
        """After a session opens: dialogs left open at the last quit are in the parking lot."""
        n = self.workspace.take_drafts_note()
        doc = self.workspace.document
        if n is None or doc is None:
            return
        self._touch_and_schedule(doc)  # the note is gone from the file at the next save
        dialogs = "a dialog was" if n == 1 else f"{n} dialogs were"
        toast(
            self,
            f"When backplan last quit, {dialogs} open: what was typed there is in the "
            'parking lot (Ctrl+L), marked "Draft from".',
            title="Drafts kept",
            timeout=10,
        )

    def _save_before_exit(self) -> tuple[bool, str]:
        """Keep every edit before the app ends: drafts of open dialogs, then the session
        file, else a copy or a recovery file (``Workspace.save_for_exit``)."""
        if self.workspace.document is None:
            return True, ""
        kept = self._keep_dialog_drafts()
        self._before_save()
        return self.workspace.save_for_exit(kept)
