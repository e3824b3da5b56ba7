"""The timebox on screen: one ticker while a step's clock runs, the countdown on the step
screens and in an open dialog's border, and the clock following the step on screen.

The clocks themselves (which runs, how much is used, when time is up) are the workspace's
(``core.workspace`` over ``core.timebox``); this is the Textual side of them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.app import App
from textual.screen import ModalScreen, Screen
from textual.timer import Timer

from backplan_tui.core.basics import STEP_TITLES
from backplan_tui.tui.contracts import ShowsTimer, drawn
from backplan_tui.tui.text import toast

if TYPE_CHECKING:
    from backplan_tui.core.workspace import Workspace


class TimeboxTicker(App[None]):
    """The app's part in showing the timebox (a base of ``BackplanApp``)."""

    workspace: Workspace
    _ticker: Timer

    def _start_ticker(self) -> None:
        self._ticker = self.set_interval(1, self._tick, pause=True)

    def _run_ticker(self) -> None:
        """Tick while a clock runs, else not."""
        if self.workspace.running_step():
            self._ticker.resume()
        else:
            self._ticker.pause()

    def toggle_timer(self, step: str) -> None:
        if self.workspace.agenda is None:
            return
        self.workspace.toggle_timer(step)
        self.workspace.publish_room()
        self._run_ticker()
        self._show_timer()

    def _timer_follows(self, step: str) -> None:
        """The running clock follows the step on screen (``Workspace.timer_follows``),
        and a toast says what happened."""
        message = self.workspace.timer_follows(step)
        self.workspace.publish_room(step)
        if message is None:
            return
        self._run_ticker()
        toast(self, message, title="Timebox", timeout=5)

    def extend_timer(self, step: str) -> None:
        if self.workspace.agenda is not None:
            self.workspace.extend_timer(step)
            self.workspace.publish_room()
            self._show_timer()

    def reset_timer(self, step: str) -> None:
        if self.workspace.agenda is not None:
            self.workspace.reset_timer(step)
            self.workspace.publish_room()
            self._show_timer()

    def _show_timer(self) -> None:
        """The countdown on every step screen (one under a dialog stays current, for when
        the dialog closes) and, while a dialog is open, in the dialog's bottom border.
        A screen pushed but not mounted yet has no countdown to set: it shows its own on
        mount (a tick in between used to end the app with NoMatches)."""
        for screen in drawn(self.screen_stack, ShowsTimer):
            screen.show_timer()
        if isinstance(self.screen, ModalScreen):
            self._show_timer_in_dialog(self.screen)

    def _show_timer_in_dialog(self, screen: Screen[Any]) -> None:
        """Most of a live session is typed in dialogs: the running countdown is shown (and
        ticks) in the border of the dialog box, so the room still sees its time."""
        text = self.workspace.timer_line()
        for box in screen.query(".dialog"):
            if box.parent is screen:
                shown = box.border_subtitle or ""  # constant step titles: no user text
                if text or shown.startswith(tuple(STEP_TITLES.values())):
                    box.border_subtitle = text
                break

    def push_screen(self, *args: Any, **kwargs: Any) -> Any:
        """``App.push_screen``; a dialog opened while a clock runs shows it at once."""
        result = super().push_screen(*args, **kwargs)
        if self.workspace.running_step() is not None:
            self.call_after_refresh(self._show_timer)
        return result

    def _tick(self) -> None:
        """Once a second while a timebox runs: the clock, and a signal when it reaches zero."""
        if self.workspace.running_step() is None:
            self._ticker.pause()
            return
        over = self.workspace.tick()
        if over is not None:
            self.bell()
            self.notify(
                f"Time is up for {STEP_TITLES.get(over, over)}. "
                "F4 adds 5 minutes; the clock keeps counting the overrun.",
                title="Timebox",
                severity="warning",
                timeout=10,
            )
        self._show_timer()
