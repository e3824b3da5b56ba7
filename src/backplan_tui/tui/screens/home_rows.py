"""Home's rows: the cells of a session's line in the list, and the two lines under it.

Pure functions of a ``SessionEntry`` and the day (the home screen draws a row only when it
shows), kept apart from the screen's behaviour in ``screens/home.py``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from rich.text import Text
from textual.content import Content

from backplan_tui.core.basics import STEP_TITLES
from backplan_tui.core.storage import SessionEntry
from backplan_tui.tui.text import cell, fmt
from backplan_tui.tui.widgets.session_list import Column, TailedText


def new_session_fields() -> list[Any]:
    from backplan_tui.core import templates  # loaded when the form opens, not at start
    from backplan_tui.tui.widgets.form import Field  # the form widgets load on first use

    return [
        Field("title", "Title", required=True, placeholder="e.g. Improve 12-month retention"),
        Field("team", "Team"),
        Field("facilitator", "Facilitator"),
        Field("participants", "Participants", placeholder="names, separated by commas"),
        Field(
            "template",
            "Template",
            kind="choice",
            required=True,
            choices=[(f"{t.title} ({t.category})", t.name) for t in templates.list_templates()],
        ),
        Field("target_date", "Target date", kind="date"),
    ]


def updated_text(when: datetime | None) -> str:
    return when.astimezone().strftime("%Y-%m-%d %H:%M") if when else ""


TITLE_WIDTH = 60  # the Title column grows up to this; it shows at least 24 cells
TITLE_CELL = 120  # what a Title cell holds (the list cuts it to its column, or lets it run
#                   on into an empty Next due)
DUE_WIDTH = 24
TEAM_WIDTH = 16
TITLE_ROOM = 40  # the extra columns show only while the title keeps this many cells
# Narrow terminals leave columns out, least important first (priority): at 80 columns
# Title, Health and Next due show; Updated from 110, Team from 128, Step reached from 145.
COLUMNS = (
    Column("Title", 24, 0, max_width=TITLE_WIDTH),
    Column("Health", 23, 1),  # "⚑ at risk · 12 problems"
    Column("Next due", DUE_WIDTH, 2),
    Column("Team", TEAM_WIDTH, 4, title_room=TITLE_ROOM),
    Column("Step reached", 15, 5, title_room=TITLE_ROOM),  # "Tough questions"
    Column("Updated", 16, 3, title_room=TITLE_ROOM),  # "2026-11-23 09:30"
)
NEXT_DUE = 2  # the column left out when no session has anything dated open
HEALTH_STYLES = {"problems": "bold red", "warnings": "yellow", "healthy": "green"}


def health_cell(entry: SessionEntry) -> Text:
    """ "⚑ at risk · 2 problems": the at-risk flag and the coach's verdict, in words."""
    glance = entry.glance
    if glance is None:
        return Text("")
    out = Text()
    if glance.at_risk:
        out.append("⚑ at risk", style="bold red")
        out.append(" · ")
    out.append(glance.health_text(), style=HEALTH_STYLES[glance.health])
    return out


def due_cell(entry: SessionEntry, today: date) -> Text:
    """The earliest open dated item: "15 Dec Sales pilot", "LATE 15 Dec ..." once passed."""
    item = entry.glance.next_due() if entry.glance else None
    if item is None:
        return Text("")
    out = Text()
    if item.overdue(today):
        out.append("LATE ", style="bold red")
    out.append(f"{item.due:%d %b} ")
    out.append_text(cell(item.title or "(untitled)", width=DUE_WIDTH - len(out)))
    return out


def glance_text(entry: SessionEntry, today: date, twin: int = 0) -> Content:
    """Two lines about the selected session (user text literal).  ``twin``: the number
    ("#2") telling sessions with one title apart; the second line then gives its id."""
    glance = entry.glance
    if entry.damaged or glance is None:
        return Content("")
    item = glance.next_due()
    if item is None:
        first = Content("Nothing dated is open.")
    else:
        late = glance.overdue(today)
        first = fmt(
            "Next due [b]$when[/b]: $title$owner$late",
            when=("OVERDUE " if item.overdue(today) else "") + item.due.isoformat(),
            title=item.title or "(untitled)",
            owner=f" ({item.owner})" if item.owner else "",
            late=f" · {late} overdue" if late > 1 else "",
        )
    health = glance.health_text()
    if glance.stale(today):
        health += f" (as of {glance.as_of.isoformat()}, updating…)"
    if glance.at_risk:
        second = fmt(
            "[b]At risk:[/b] $why · Health: $health", why="; ".join(glance.risks), health=health
        )
    else:
        second = fmt("Not at risk · Health: $health", health=health)
    if twin:
        second = Content.assemble(fmt("[b]#$n[/b] id $id · ", n=twin, id=entry.id), second)
    return Content("\n").join([first, second])


def twin_numbers(titles: Iterable[tuple[str, str, str]]) -> dict[str, int]:
    """id -> 1, 2 ... among the sessions that share a title (any case), by id; the others are
    not in it.  ``titles``: (id, title, team) of each session.  Counted first: few titles are
    shared, and a list for each of 10,000 sessions would cost more than the count."""
    folded = [(key, title.strip().casefold()) for key, title, _team in titles]
    shared = {title for title, count in Counter(t for _, t in folded).items() if count > 1}
    groups: dict[str, list[str]] = {}
    if shared:
        for key, title in folded:
            if title in shared:
                groups.setdefault(title, []).append(key)
    return {
        session_id: number
        for ids in groups.values()
        for number, session_id in enumerate(sorted(ids), start=1)
    }


class SharedTitles:
    """The sessions that share a title, found in a big folder without keeping every title:
    as the titles go by (the check of the index: ``Listing.check(seen=...)``) only how many
    times each folded title's hash came is counted; ``twins`` then reads the titles again
    and numbers those whose hash came more than once (a hash may collide: the titles
    decide, in ``twin_numbers``)."""

    def __init__(self) -> None:
        self._count: dict[int, int] = {}

    def add(self, _session_id: str, title: str, _team: str = "") -> None:
        key = hash(title.strip().casefold())
        self._count[key] = self._count.get(key, 0) + 1

    def twins(self, titles: Iterable[tuple[str, str, str]]) -> dict[str, int]:
        """``twin_numbers`` of ``titles`` (every session's (id, title, team), as counted)."""
        count = self._count
        return twin_numbers(
            item for item in titles if count.get(hash(item[1].strip().casefold()), 0) > 1
        )


def title_cell(entry: SessionEntry, twin: int = 0) -> Text:
    """The title; when other sessions have the same title, a number after it that the list
    never cuts ("Retention pl… #2"; the line under the list gives the id)."""
    title = cell(entry.title, width=TITLE_CELL)
    return TailedText(title, Text(f" #{twin}", style="bold")) if twin else title


def row_cells(entry: SessionEntry, today: date, twin: int = 0) -> tuple[Text, ...]:
    """One row of the list, every cell literal text."""
    if entry.damaged:
        return (
            cell(entry.title or entry.path.name, width=TITLE_CELL),
            Text("⚠ DAMAGED", style="bold red"),
            cell(entry.damaged, "red", width=DUE_WIDTH),
        )
    return (
        title_cell(entry, twin),
        health_cell(entry),
        due_cell(entry, today),
        cell(entry.team, width=TEAM_WIDTH),
        Text(STEP_TITLES.get(entry.current_step, entry.current_step)),
        Text(updated_text(entry.updated)),
    )
