"""The timeline: the reverse map as horizontal bars, today at the left, the goal at the right.

One row per condition (depth first, as in the tree), each bar from its latest start to its
due date, scaled to the widget's width.  Late rows say so in words (``LATE``), not colour
alone; a bar that should already have started is drawn from the left edge with ``◀``.  A
milestone's row starts with ``◆`` and its bar ends in ``◆`` (on its date).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from textual.content import Content
from textual.widgets import Static

LABEL_WIDTH = 28


def timeline_lines(session: Any, plan: Any, today: date, width: int) -> list[Content]:
    """The rows as Content (pure layout: also used by the tests)."""
    from backplan_tui.core.schedule import walk

    target: date | None = session.future_state.target_date
    if plan is None or not plan.ready or target is None:
        reason = plan.reason if plan is not None else "Set a target date to compute the schedule."
        return [Content(reason)]
    bar_width = max(width - LABEL_WIDTH - 9, 10)
    span = max((target - today).days, 1)

    def column(day: date) -> int:
        return min(max(round((day - today).days * (bar_width - 1) / span), 0), bar_width - 1)

    header = Content.assemble(
        (f"{'':<{LABEL_WIDTH}} ", ""),
        (f"today {today.isoformat()}", "bold $today"),
        (" " * max(bar_width - 26, 1), ""),
        (f"goal {target.isoformat()}", "bold"),
    )
    lines = [header]
    for live in walk(session):
        node, depth = live.node, live.depth
        row = plan.get(node.id)
        if row is None:
            continue
        mark = "◆ " if node.milestone else ""
        label = ("  " * (depth - 1) + mark + (node.title or "(untitled)"))[: LABEL_WIDTH - 1]
        start, end = column(row.start), column(row.due)
        late = bool({"starts_in_past", "overdue"} & row.flags)
        cells = [" "] * bar_width
        for i in range(start, max(end, start) + 1):
            cells[i] = "━"
        if late:
            cells[0] = "◀"
        cells[end] = "◆" if node.milestone else "┃"
        bar_style = "bold $late" if late else ("dim" if node.status == "done" else "$primary")
        flag = " LATE" if late else ("  done" if node.status == "done" else "")
        lines.append(
            Content.assemble(
                (f"{label:<{LABEL_WIDTH}} ", "bold" if depth == 1 else ""),
                ("".join(cells), bar_style),
                (flag, "bold $late" if late else "dim"),
            )
        )
    return lines


class Timeline(Static):
    """Draws :func:`timeline_lines` at the widget's current width."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._source: tuple[Any, Any, date] | None = None

    def show(self, session: Any, plan: Any, today: date) -> None:
        self._source = (session, plan, today)
        self._draw()

    def on_resize(self) -> None:
        self._draw()

    def _draw(self) -> None:
        if self._source is None:
            return
        session, plan, today = self._source
        width = self.size.width or 80
        self.update(Content("\n").join(timeline_lines(session, plan, today, width)))
