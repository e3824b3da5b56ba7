"""Step 4 — small pilots: experiments that test the map before a big launch."""

from __future__ import annotations

from datetime import date
from functools import partial
from typing import Any, NamedTuple

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import DataTable, Static

from backplan_tui.core.coach import all_pilot_flags, pilot_flags
from backplan_tui.core.model import DECISIONS, PILOT_STATUSES, MapNode, Pilot, Session, by_id
from backplan_tui.tui.conflicts import conflicted_ids, marked, notes
from backplan_tui.tui.dialogs import FormScreen
from backplan_tui.tui.screens.base import TableStepScreen
from backplan_tui.tui.text import cell, fmt, safe, safe_block
from backplan_tui.tui.widgets.fit import Flex
from backplan_tui.tui.widgets.form import Field
from backplan_tui.tui.widgets.items import Detail, ItemTable


def pilot_fields(session: Session) -> list[Field]:
    nodes = [(n.title or n.id, n.id) for n in session.map]
    outcomes = [(o.metric or o.id, o.id) for o in session.future_state.outcomes]
    return [
        Field("name", "Pilot name", required=True),
        Field(
            "hypothesis",
            "Hypothesis",
            kind="long",
            placeholder="If we do X, then metric Y moves by Z",
        ),
        Field(
            "tests",
            "Tests (Enter picks)",
            kind="multi",
            choices=nodes,
            extra={"noun": "condition", "title": "Conditions on the map this pilot tests"},
        ),
        Field("outcome", "Moves outcome", kind="choice", choices=outcomes),
        Field("metric", "Metric watched"),
        Field("owner", "Owner"),
        Field("start", "Start", kind="date"),
        Field("end", "End", kind="date"),
        Field(
            "success_rule",
            "Decision rule",
            placeholder="Scale if ..., adjust if ..., stop if ...",
        ),
        Field(
            "status",
            "Status",
            kind="choice",
            required=True,
            choices=[(s, s) for s in PILOT_STATUSES],
        ),
        Field("result", "Result", kind="long"),
        Field("decision", "Decision", kind="choice", choices=[(d, d) for d in DECISIONS if d]),
    ]


def window(pilot: Pilot, short: bool = False) -> str:
    """ "2026-10-26 → 2026-12-07", or "26 Oct → 07 Dec" for the table."""

    def show(day: date | None) -> str:
        if day is None:
            return "?"
        return day.strftime("%d %b") if short else day.isoformat()

    return f"{show(pilot.start)} → {show(pilot.end)}" if pilot.start or pilot.end else ""


class _Index(NamedTuple):
    flags: dict[str, list[str]]  # pilot id -> coach.pilot_flags
    nodes: dict[str, MapNode]
    pilots: dict[str, Pilot]


class PilotTable(ItemTable):
    """Its screen watches the cursor to show the detail (in the same frame as the cursor);
    nothing above listens for RowHighlighted, so it stops here instead of bubbling through
    every container to the app on each cursor move."""

    BINDINGS = [Binding("v", "screen.vote", "Vote", id="pilots.vote")]

    def _on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()


class PilotsScreen(TableStepScreen):
    STEP = "pilots"
    TABLE_ID = "pilots"
    KIND = "pilot"

    def items(self) -> list[Pilot]:
        return self.session.pilots

    def item_name(self, item: Pilot) -> str:
        return item.name

    def refresh_items(self, select: str | None = None) -> None:
        self.refresh_pilots(select)

    def compose_body(self) -> ComposeResult:
        with Vertical(id="body"):
            yield Static(id="pilots-title", classes="section-title")
            yield PilotTable(
                ["Pilot", "Votes", "Tests", "Owner", "Window", "Status", "OK"],
                id="pilots",
                flex={0: Flex(4, 10), 3: Flex(1, 6)},  # name and owner share the rest
                squeeze={2: 3, 1: 3},  # short of room "Tests", then "Votes" are cut (short counts)
            )
            yield Detail(id="pilot-detail", classes="detail")

    def on_mount(self) -> None:
        # StepScreen.on_mount runs too: Textual calls the handler of every class in the MRO.
        self.refresh_pilots()
        table = self.query_one(ItemTable)
        # The detail follows the cursor as it moves, so both repaint in one frame; through
        # DataTable.RowHighlighted it came a frame later: two paints a key.
        self.watch(table, "cursor_coordinate", self.show_detail, init=False)
        table.focus()

    def _indexed(self) -> _Index:
        """Each pilot's flags, the map's nodes and the pilots by id, worked out once per
        edit: a cursor move used to scan the 500-node map for every node a pilot tests."""
        session = self.session
        return self.per_edit(
            "pilots",
            lambda: _Index(all_pilot_flags(session), by_id(session.map), by_id(session.pilots)),
        )

    def refresh_pilots(self, select: str | None = None) -> None:
        pilots = self.session.pilots
        index = self._indexed()
        flagged = sum(1 for p in pilots if index.flags[p.id])
        self.query_one("#pilots-title", Static).update(
            fmt(
                "[b]Small pilots[/b] ($n, $f need work) — test the map before a big launch",
                n=len(pilots),
                f=flagged,
            )
        )
        conflicted = conflicted_ids(self.session, "pilots")
        rows = []
        for pilot in pilots:
            flags = index.flags[pilot.id]
            check = Text(f"⚠ {len(flags)}", style="bold yellow") if flags else Text("✓ ok")
            rows.append(
                (
                    pilot.id,
                    [
                        marked(pilot.name, pilot.id in conflicted),
                        Text(str(sum(pilot.votes.values()) or ""), justify="right"),
                        Text(str(len([t for t in pilot.tests if t in index.nodes]))),
                        cell(pilot.owner),
                        Text(window(pilot, short=True)),
                        Text(pilot.status),
                        check,
                    ],
                )
            )
        self.query_one(ItemTable).fill(rows, select)
        self.show_detail()

    def show_detail(self) -> None:
        """The highlighted pilot's detail, built once per pilot and edit (Detail.show); the
        pilots above and below are drawn after the paint, ready for the next move."""
        if self.backplan.document is None:  # left at once: a late cursor move lands here
            return
        table = self.table()
        detail = self.query_one("#pilot-detail", Detail)
        mark = self.edit_mark()
        rows = self._indexed().pilots
        key = table.selected_key()
        pilot = rows.get(key) if key is not None else None
        detail.show((key, mark), partial(self.detail_content, pilot))
        around = []
        for row in (table.cursor_row - 1, table.cursor_row + 1):
            near = rows.get(table.key_at(row) or "")
            if near is not None:
                around.append(((near.id, mark), partial(self.detail_content, near)))
        detail.prepare_later(around)

    def detail_content(self, pilot: Pilot | None) -> Content:
        if self.backplan.document is None:  # drawn ahead after the screen was left
            return Content("")
        if pilot is None:
            return Content(
                "No pilots yet. Press a to design a small experiment that tests a "
                "condition on the map, with a metric, an end date and a decision rule."
            )
        index = self._indexed()
        tests = [index.nodes.get(t) for t in pilot.tests]
        names = ", ".join(n.title for n in tests if n is not None) or "nothing yet"
        outcome = self.session.outcome(pilot.outcome)
        # Assembled from pieces, not fmt(): parsing markup on every cursor move was most of
        # this method's time.  User text goes through safe(); the str pieces are our own.
        # What the room decides on comes first (the panel shows 4 lines): what a merge kept
        # from the other side, the warnings, the decision rule, what it moves and when; the
        # long hypothesis last.
        parts = [safe(pilot.name, "bold"), *notes(self.session, "pilots", pilot.id)]
        flags = index.flags.get(pilot.id)
        if flags is None:  # drawn ahead just before an edit that removed it
            flags = pilot_flags(self.session, pilot)
        if flags:
            parts.append(Content.styled(f"⚠ {'; '.join(flags)}", "b $warning"))
        parts += [
            Content.assemble(("rule:", "dim"), " ", safe(pilot.success_rule or "—")),
            Content.assemble(
                ("moves:", "dim"),
                " ",
                safe(outcome.metric if outcome else pilot.metric or "—"),
                "  ",
                ("window:", "dim"),
                f" {window(pilot)}",
                "  ",
                ("tests:", "dim"),
                " ",
                safe(names),
            ),
            safe_block(pilot.hypothesis) if pilot.hypothesis else Content("(no hypothesis)"),
        ]
        return Content("\n").join(parts)

    def action_vote(self) -> None:
        from backplan_tui.tui.screens.voting import VoteScreen

        self.app.push_screen(VoteScreen("pilots"))

    def action_add_item(self) -> None:
        defaults: dict[str, Any] = {"status": "planned", "tests": []}

        def done(values: dict[str, Any] | None) -> None:
            if values is None:
                return
            pilot = Pilot(id=self.session.new_id("p"), **values)
            self.session.pilots.append(pilot)
            self.changed(f"add pilot {pilot.name}")
            self.refresh_pilots(select=pilot.id)

        self.app.push_screen(FormScreen("New pilot", pilot_fields(self.session), defaults), done)

    def action_edit_item(self) -> None:
        pilot = self.selected_item()
        if pilot is None:
            self.action_add_item()
            return
        fields = pilot_fields(self.session)
        values = {f.name: getattr(pilot, f.name) for f in fields}

        def done(result: dict[str, Any] | None) -> None:
            if result is None:
                return
            before = window(pilot)
            had_window = pilot.start is not None or pilot.end is not None
            for name, value in result.items():
                setattr(pilot, name, value)
            self.changed(f"edit pilot {pilot.name}")
            self.refresh_pilots(select=pilot.id)
            if had_window and window(pilot) != before:
                self.ask_adjustment(
                    f"Window of {pilot.name} moved from {before} to {window(pilot)}"
                )

        self.app.push_screen(FormScreen(fmt("Edit pilot: $n", n=pilot.name), fields, values), done)
