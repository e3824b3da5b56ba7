"""Team mode, the Textual side: several apps in one session at once.

- **Live**: every ``POLL_EVERY`` seconds one ``stat`` of the session file; when another
  process saved it, a worker reads it and the UI thread merges it into memory
  (``Workspace.absorb``: unsaved edits kept), the screens show it again with their cursors on
  the same items (``ShowsSession.session_changed``), and a toast says what arrived.  While a
  dialog is open nothing is merged: the dialog may hold items of the session as it was; the
  merge waits until it closes.
- **Presence**: who else is here ("Ana, Ben here" in the header), a heartbeat every
  ``PRESENCE_EVERY`` seconds, and where this app is (``Workspace.publish_room``).
- **Follow the facilitator**: a participant (``--participant``) follows the facilitator's
  step and shows the room's clock; ``f`` toggles following and browsing freely.

What is merged and how is the workspace's (``core.workspace``, ``core.merge``).
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from textual import work
from textual.app import App
from textual.screen import ModalScreen

from backplan_tui.core.basics import ALL_STEPS, STEP_TITLES
from backplan_tui.tui.contracts import ShowsSession, ShowsTimer, drawn
from backplan_tui.tui.text import toast

if TYPE_CHECKING:
    from backplan_tui.core.document import Document
    from backplan_tui.core.merge import MergeReport
    from backplan_tui.core.presence import RoomClock
    from backplan_tui.core.workspace import DiskRead, Workspace

POLL_EVERY = 0.5
"""Seconds between two looks (one stat) at the open session's file."""

PRESENCE_EVERY = 1.0
"""Seconds between two looks at who is here (and the heartbeat, written when it is due)."""


class Team(App[None]):
    """The app's part in team mode (a base of ``BackplanApp``)."""

    workspace: Workspace
    save_state: str

    def _init_team(self, participant: bool) -> None:
        self.following = participant  # a participant follows the facilitator by default
        self.here = ""  # "Ana, Ben here" (the others in the open session)
        self.arrivals = 0  # merges taken in from other processes (for tests, benchmarks)
        self.presence_ticks = 0  # looks at the room so far (tests wait on it)
        self._reading = False

    def _start_team(self) -> None:
        self.set_interval(POLL_EVERY, self._poll_disk)
        self.set_interval(PRESENCE_EVERY, self._presence_tick)

    def goto_step(self, step: str) -> None:  # pragma: no cover - BackplanApp's
        raise NotImplementedError

    if TYPE_CHECKING:  # ``saving.Saving``'s

        def _schedule_autosave(self, doc: Document) -> None: ...

    # --- live: other processes' saves --------------------------------------------------------

    def _dialog_open(self) -> bool:
        return isinstance(self.screen, ModalScreen)

    def _poll_disk(self) -> None:
        if not self.screen_stack:  # the app is closing: its screens are gone before its timers
            return
        if self._reading or self._dialog_open() or not self.workspace.disk_changed():
            return
        self._reading = True
        self._read_disk()

    @work(thread=True, group="team-read", exit_on_error=False)
    def _read_disk(self) -> None:
        try:
            read = self.workspace.read_disk()
        except Exception:  # noqa: BLE001 - the next poll tries again
            read = None
        self.call_from_thread(self._absorb, read)

    def _absorb(self, read: DiskRead | None) -> None:
        self._reading = False
        if read is None or not self.screen_stack or self._dialog_open():
            return
        report = self.workspace.absorb(read)
        if report is None:
            return
        self.arrivals += 1
        self.show_session_changed()
        self._tell_arrivals(report)
        doc = self.workspace.document
        if doc is not None and doc.dirty:  # unsaved edits, or ids the merge renamed: save
            self._schedule_autosave(doc)

    def show_session_changed(self) -> None:
        """The session changed behind the screens (merged in): the screen on top shows it
        again now; the ones under it when they come back (their edit marks differ)."""
        doc = self.workspace.document
        if doc is None:
            return
        self.save_state = doc.state
        screen = self.screen
        if isinstance(screen, ShowsSession):
            screen.session_changed()

    def _tell_arrivals(self, report: MergeReport) -> None:
        arrived = report.arrived
        if len(arrived) == 1:
            toast(self, arrived[0], title="Arrived", timeout=5)
        elif arrived:
            toast(
                self,
                f"{len(arrived)} new items arrived: {arrived[0]}, ...",
                title="Arrived",
                timeout=5,
            )
        for note in report.notes:
            toast(self, note, title="Merged", severity="warning", timeout=8)

    # --- presence ------------------------------------------------------------------------------

    def _presence_tick(self) -> None:
        self.presence_ticks += 1
        presence = self.workspace.presence
        if presence is None:
            if self.here:
                self._show_here("")
            return
        try:
            presence.beat()
        except OSError:
            pass
        self._show_here(self.workspace.look_around())
        if self.following and self.screen_stack:  # (none: the app is closing)
            self._follow()

    def _show_here(self, text: str) -> None:
        if text == self.here:
            return
        self.here = text
        for screen in drawn(self.screen_stack, ShowsSession):
            screen.show_here(text)

    # --- following the facilitator -------------------------------------------------------------

    def room_clock(self) -> RoomClock | None:
        """The facilitator's clock, while this app follows them."""
        if not self.following or self.workspace.presence is None:
            return None
        facilitator = self.workspace.presence.facilitator()
        return facilitator.clock if facilitator is not None else None

    def _follow(self) -> None:
        presence, doc = self.workspace.presence, self.workspace.document
        if presence is None or doc is None or self._dialog_open():
            return
        facilitator = presence.facilitator()
        if facilitator is None:
            return
        step = facilitator.step
        from backplan_tui.tui.screens.base import StepScreen  # home's start does without it

        screen = self.screen
        shown = screen.STEP if isinstance(screen, StepScreen) else None
        if step in ALL_STEPS and step != shown:
            self.goto_step(step)  # the new screen shows the room's clock when mounted
            toast(self, f"Following {facilitator.name}: {STEP_TITLES[step]}.", timeout=3)
            return
        self._show_room_clock()

    def _show_room_clock(self) -> None:
        for screen in drawn(self.screen_stack, ShowsTimer):
            screen.show_timer()

    def action_follow(self) -> None:
        """``f``: follow the facilitator's step and clock, or browse freely."""
        self.following = not self.following
        if self.following:
            self._follow()
            toast(self, "Following the facilitator (f to browse freely).", timeout=3)
        else:
            toast(self, "Browsing freely (f to follow the facilitator).", timeout=3)
        self._show_room_clock()

    def room_timer_text(self, step: str) -> tuple[str, bool, bool] | None:
        """(the room's countdown for ``step``, running, over) while following, else None."""
        clock = self.room_clock()
        if clock is None or clock.step != step:
            return None
        from backplan_tui.core.timebox import format_clock

        left = clock.remaining_now(time.time())
        return format_clock(left), clock.running, left <= 0
