"""Since your last visit: what changed in the session while this person was away."""

from __future__ import annotations

from datetime import datetime

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Static

from backplan_tui.tui.text import fmt, safe
from backplan_tui.tui.typed import BackplanModal


def visit_time(when: datetime) -> str:
    return when.astimezone().strftime("%a %d %b %Y, %H:%M")


class SinceLastVisitScreen(BackplanModal[None]):
    """The changes, one line each (user text literal); Enter or Esc closes."""

    BINDINGS = [
        Binding("escape,enter", "close", "Close", id="since.close"),
        Binding("k", "track", "Track", id="since.track"),
    ]

    def __init__(self, title: str, lines: list[str], when: datetime | None) -> None:
        super().__init__()
        self.session_title = title
        self.lines = lines
        self.when = when

    def compose(self) -> ComposeResult:
        with Vertical(id="since-dialog", classes="dialog"):
            yield Static(
                fmt(
                    "[b]Since your last visit[/b] to $t$w — $n",
                    t=self.session_title,
                    w=f" ({visit_time(self.when)})" if self.when else "",
                    n=f"{len(self.lines)} change" + ("s" if len(self.lines) != 1 else ""),
                ),
                id="since-title",
                classes="dialog-title",
            )
            with VerticalScroll(id="since-lines"):
                for line in self.lines:
                    yield Static(safe(f"• {line}"), classes="since-line")
            yield Static(
                "Enter or Esc: close · k: Track (check-ins, progress, due items)",
                classes="hint",
                markup=False,
            )

    def on_mount(self) -> None:
        self.query_one("#since-lines").focus()

    def action_close(self) -> None:
        self.dismiss(None)

    def action_track(self) -> None:
        self.dismiss(None)
        self.backplan.open_track()
