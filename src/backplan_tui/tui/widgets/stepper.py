"""The stepper: where the workshop is, and what state each step is in.

Text carries the state as well as colour (nothing relies on colour alone):
``✓`` done, ``◐`` in progress, ``·`` empty, and ``▸`` with reverse video marks the current step.
"""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static

from backplan_tui.core.model import STEPS, Session

SHORT_TITLES = {  # the header shows the full name of the current step
    "future_state": "Future",
    "questions": "Questions",
    "reverse_map": "Map",
    "pilots": "Pilots",
    "summary": "Summary",
}
MARKS = {"healthy": "✓", "warnings": "⚠", "problems": "✗", "empty": "·"}
MARK_STYLES = {"healthy": "$healthy", "warnings": "$warning-finding", "problems": "bold $problem"}
SAVE_LABELS = {
    "clean": ("", ""),
    "saved": ("✓ saved", "$healthy"),
    "unsaved": ("● unsaved", "$warning-finding"),
    "error": ("✗ NOT SAVED", "bold $problem"),
    "read-only": ("read-only", "bold $warning"),
}


def stepper_content(
    session: Session, current: str, health: dict[str, str], width: int | None = None
) -> Content:
    """The steps with their health: ✓ healthy, ⚠ warnings, ✗ problems, · not reached.

    When the line is wider than ``width``, the other steps show their number and mark only
    ("1✓"), the current one its name too, and the summary "Σ": every step stays on screen
    (at 60 columns "4 Pilots" and "Summary" were cut off)."""
    full = _stepper_line(current, health, compact=False)
    if width is None or full.cell_length <= width:
        return full
    return _stepper_line(current, health, compact=True)


def _stepper_line(current: str, health: dict[str, str], *, compact: bool) -> Content:
    parts: list[Content] = []
    for number, step in enumerate((*STEPS, "summary"), start=1):
        state = health.get(step, "empty")
        short = compact and step != current
        if step == "summary":
            label, mark = ("Σ" if short else SHORT_TITLES[step]), ""
        else:
            label = str(number) if short else f"{number} {SHORT_TITLES[step]}"
            mark = MARKS.get(state, "·")
        prefix = "▸" if step == current else " "
        if step == current:
            parts.append(Content.styled(f"{prefix}{label} {mark}".rstrip(), "reverse bold"))
        else:
            parts.append(
                Content.assemble(
                    (f"{prefix}{label}{'' if short else ' '}", "dim" if state == "empty" else ""),
                    (mark, MARK_STYLES.get(state, "dim")),
                )
            )
    return Content(" ").join(parts)


class Stepper(Static):
    """One line: the four steps and the summary."""

    _shown: tuple[Session, str, dict[str, str]] | None = None

    def show(self, session: Session, current: str, health: dict[str, str]) -> None:
        self._shown = (session, current, health)
        width = self.size.width or None  # before the first layout: the full line
        self.update(stepper_content(session, current, health, width))

    def on_resize(self) -> None:
        if self._shown is not None:
            self.show(*self._shown)


class SaveIndicator(Static):
    """The autosave state, at the right of the stepper ("read-only" says why in ``label``:
    ``read-only: in use``)."""

    def show(self, state: str, label: str | None = None) -> None:
        text, style = SAVE_LABELS.get(state, ("", ""))
        if label:
            text = label
        self.update(Content.styled(text, style) if text else Content(""))
