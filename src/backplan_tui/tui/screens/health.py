"""The findings panel: what the plan-health coach found, this step first; Enter jumps to it."""

from __future__ import annotations

from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from backplan_tui.core.coach import HEALTH_STEP_TITLES, summary_counts
from backplan_tui.core.export.common import plural
from backplan_tui.tui.widgets.hanging import Hanging

SEVERITY_MARKS = {
    "problem": ("✗ PROBLEM", "bold $problem"),
    "warning": ("⚠ warning", "$warning-finding"),
    "tip": ("· tip", "dim"),
}


class HealthScreen(ModalScreen[tuple[str, str] | None]):
    BINDINGS = [Binding("escape", "close", "Close", id="health.close")]

    def __init__(self, step: str) -> None:
        super().__init__()
        self.step = step

    def compose(self) -> ComposeResult:
        with Vertical(id="health-dialog", classes="dialog"):
            yield Static(id="health-title", classes="dialog-title")
            yield OptionList(id="findings")
            yield Static("Enter: go to the item · Esc: close", classes="hint", markup=False)

    def on_mount(self) -> None:
        app: Any = self.app
        _, findings = app.health()
        ordered = sorted(findings, key=lambda f: f.step != self.step)  # stable: this step first
        problems, warnings, tips = summary_counts(findings)
        self.query_one("#health-title", Static).update(
            Content.from_markup(
                f"[b]Plan health[/b] — {plural(problems, 'problem')} · "
                f"{plural(warnings, 'warning')} · {plural(tips, 'tip')}"
            )
        )
        listing = self.query_one(OptionList)
        self._targets: list[tuple[str, str]] = []
        for finding in ordered:
            label, style = SEVERITY_MARKS.get(finding.severity, (finding.severity, ""))
            where = HEALTH_STEP_TITLES.get(finding.step, finding.step)
            listing.add_option(
                Option(
                    Hanging(  # wrapped lines go on under the message, not at the edge
                        Content.styled(f"{label:<10} ", style),
                        Content.assemble(
                            (f"{where}: ", "bold"),
                            Content(finding.message),
                            ("\nFix: ", "dim"),
                            (finding.fix, "dim"),
                        ),
                        indent=11,
                    )
                )
            )
            self._targets.append((finding.step, finding.item_id))
        if not ordered:
            listing.add_option(
                Option(Content("Nothing to fix: the plan is healthy."), disabled=True)
            )
        else:
            listing.highlighted = 0  # Enter goes to the first finding, ↓ to the second
        listing.focus()

    @on(OptionList.OptionSelected, "#findings")
    def _jump(self, event: OptionList.OptionSelected) -> None:
        index = event.option_index
        if 0 <= index < len(self._targets):
            self.dismiss(self._targets[index])

    def action_close(self) -> None:
        self.dismiss(None)
