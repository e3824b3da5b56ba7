"""The stepper: where the workshop is, and what state each step is in.

Text carries the state as well as colour (nothing relies on colour alone):
``✓`` done, ``◐`` in progress, ``·`` empty, and ``▸`` with reverse video marks the current step.
"""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static

from backplan_tui.core.coach import step_state
from backplan_tui.core.model import STEPS, Session

SHORT_TITLES = {  # the header shows the full name of the current step
    "future_state": "Future",
    "questions": "Questions",
    "reverse_map": "Map",
    "pilots": "Pilots",
    "summary": "Summary",
}
MARKS = {"done": "✓", "in_progress": "◐", "empty": "·"}
SAVE_LABELS = {
    "clean": ("", ""),
    "saved": ("✓ saved", "$healthy"),
    "unsaved": ("● unsaved", "$warning-finding"),
    "error": ("✗ NOT SAVED", "bold $problem"),
    "read-only": ("read-only", "$warning"),
}


def stepper_content(session: Session, current: str) -> Content:
    parts: list[Content] = []
    for number, step in enumerate((*STEPS, "summary"), start=1):
        if step == "summary":
            label = SHORT_TITLES[step]
            mark = ""
        else:
            label = f"{number} {SHORT_TITLES[step]}"
            mark = " " + MARKS[step_state(session, step)]
        if step == current:
            parts.append(Content.styled(f"▸{label}{mark}", "reverse bold"))
        else:
            parts.append(Content.styled(f" {label}{mark}", "dim" if mark == " ·" else ""))
    return Content(" ").join(parts)


class Stepper(Static):
    """One line: the four steps and the summary."""

    def show(self, session: Session, current: str) -> None:
        self.update(stepper_content(session, current))


class SaveIndicator(Static):
    """The autosave state, at the right of the stepper."""

    def show(self, state: str) -> None:
        text, style = SAVE_LABELS.get(state, ("", ""))
        self.update(Content.styled(text, style) if text else Content(""))
