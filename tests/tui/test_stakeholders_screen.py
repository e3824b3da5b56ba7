"""The Stakeholders screen, driven as a user: from Track (k) and the palette, add a
stakeholder and a communication, mark it sent, undo, delete; what reaches the file on disk;
communications due on Track and marked sent there.  Dates are worked out by hand:
TODAY is 2026-11-23; the demo's steering figures (c1, monthly) are due in 5 days."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Input, Select

from backplan_tui.core.storage import SessionStore
from backplan_tui.tui.dialogs import ConfirmScreen, FormScreen
from backplan_tui.tui.screens.stakeholders import (
    CommunicationTable,
    StakeholdersScreen,
    StakeholderTable,
)
from backplan_tui.tui.screens.track import DueTable, TrackScreen
from helpers import TODAY, settle, wait_until


def on_disk(data_dir: Path) -> Any:
    return SessionStore(data_dir).load("demo")


async def open_track(app: Any, pilot: Any) -> None:
    await settle(pilot)
    await pilot.press("ctrl+t")
    await settle(pilot)
    assert isinstance(app.screen, TrackScreen)


@pytest.mark.long
async def test_add_a_stakeholder_and_a_communication_then_mark_it_sent(
    demo_at: Any, data_dir: Path
) -> None:
    app = demo_at()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_track(app, pilot)
        await pilot.press("k")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, StakeholdersScreen)
        people = screen.query_one(StakeholderTable)
        assert people.has_focus and people.row_count == 3  # the demo's three
        # a stakeholder: typed, and the grid's two levels and the stance chosen
        await pilot.press("a")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, FormScreen)
        await pilot.press(*"Raj", "tab", *"COO")
        form.query_one("#field-influence", Select).value = "high"
        form.query_one("#field-interest", Select).value = "low"
        form.query_one("#field-stance", Select).value = "resistant"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is screen
        assert people.row_count == 4 and people.selected_key() == "k4"
        # "Keep satisfied": high influence, low interest; nothing planned for Raj yet
        detail = str(screen.query_one("#stakeholder-detail").render())
        assert detail.startswith("Keep satisfied · 0 communications planned")
        # a communication, to the highlighted stakeholder (the audience is filled in)
        await pilot.press("tab")
        comms = screen.query_one(CommunicationTable)
        assert comms.has_focus
        await pilot.press("a")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, FormScreen)
        await pilot.press(*"Budget case")
        form.query_one("#field-next", Input).value = "2027-01-31"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert comms.row_count == 3 and comms.selected_key() == "c3"
        await wait_until(pilot, lambda: on_disk(data_dir).communications[-1].id == "c3")
        saved = on_disk(data_dir)
        assert [
            (k.id, k.name, k.role, k.influence, k.interest, k.stance) for k in saved.stakeholders
        ][-1] == ("k4", "Raj", "COO", "high", "low", "resistant")
        added = saved.communications[-1]
        assert (added.what, added.audience, added.cadence, added.next) == (
            "Budget case",
            ["k4"],
            "monthly",
            date(2027, 1, 31),
        )
        # s: sent; monthly from Jan 31 -> Feb 28 (the month's end)
        await pilot.press("s")
        await settle(pilot)
        await wait_until(pilot, lambda: on_disk(data_dir).communications[-1].next != added.next)
        assert on_disk(data_dir).communications[-1].next == date(2027, 2, 28)
        # Ctrl+Z takes the sending back
        await pilot.press("ctrl+z")
        await settle(pilot)
        assert app.workspace.session.communications[-1].next == date(2027, 1, 31)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, TrackScreen)


async def test_delete_a_stakeholder_takes_them_out_of_the_audience(demo_at: Any) -> None:
    app = demo_at()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_track(app, pilot)
        await pilot.press("k")
        await settle(pilot)
        assert app.workspace.session.communications[0].audience == ["k1", "k2"]
        await pilot.press("d")  # Ines, the first row
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await settle(pilot)
        session = app.workspace.session
        assert [k.id for k in session.stakeholders] == ["k2", "k3"]
        assert session.communications[0].audience == ["k2"]


async def test_track_lists_communications_due_and_x_marks_one_sent(demo_at: Any) -> None:
    app = demo_at()
    async with app.run_test(size=(100, 30)) as pilot:
        await open_track(app, pilot)
        due = app.screen.query_one(DueTable)
        keys = [due.key_at(row) for row in range(due.row_count)]
        # c1 on 2026-11-28 (in 5 days), c2 on 2026-12-02 (in 9 days), by date among the rest
        assert "comm:c1" in keys and "comm:c2" in keys
        assert keys.index("comm:c1") < keys.index("comm:c2")
        row = [str(c) for c in due.get_row_at(keys.index("comm:c1"))]
        assert row[0] == "28 Nov (in 5d)" and row[1] == "comm" and row[4] == "monthly"
        due.focus()
        due.move_cursor(row=keys.index("comm:c1"))
        await pilot.press("x")
        await settle(pilot)
        # sent on 2026-11-23 ahead of its 2026-11-28: the next one is a month after that
        assert app.workspace.session.communications[0].next == date(2026, 12, 28)
        keys = [due.key_at(row) for row in range(due.row_count)]
        assert "comm:c1" not in keys  # 35 days away: beyond the 14-day window


async def test_the_palette_opens_stakeholders_from_a_step(demo_at: Any) -> None:
    app = demo_at()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await settle(pilot)
        await pilot.press(*"Stakeholders")
        await settle(pilot)
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, StakeholdersScreen), "opened")
        assert app.screen.query_one(StakeholderTable).row_count == 3
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen.__class__.__name__ == "ReverseMapScreen"


async def test_a_read_only_session_refuses_the_edits(make_app: Any, data_dir: Path) -> None:
    from backplan_tui.core import templates

    SessionStore(data_dir).create(templates.demo_session(TODAY))
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert app.open_session("demo", "track", read_only=True)
        await settle(pilot)
        assert isinstance(app.screen, TrackScreen)
        await pilot.press("k")
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        assert isinstance(app.screen, StakeholdersScreen)  # no form
        assert len(app.workspace.session.stakeholders) == 3


async def test_the_palette_on_track_lists_stakeholders_once(demo_at: Any) -> None:
    from textual.command import CommandList

    app = demo_at()
    async with app.run_test(size=(100, 30)) as pilot:
        await open_track(app, pilot)
        await pilot.press("ctrl+p")
        await settle(pilot)
        commands = app.screen.query_one(CommandList)
        prompts = [
            str(commands.get_option_at_index(i).prompt) for i in range(commands.option_count)
        ]
        assert len([p for p in prompts if p.startswith("Stakeholders")]) == 1, prompts


async def test_hostile_text_is_shown_literally(demo_at: Any) -> None:
    hostile = "[Setup] [b]x [@click=app.quit]q[/]"

    def change(demo: Any) -> None:
        demo.stakeholders[0].name = hostile
        demo.stakeholders[0].needs = hostile
        demo.communications[0].what = hostile

    app = demo_at(change=change)
    async with app.run_test(size=(120, 30)) as pilot:
        await open_track(app, pilot)
        await pilot.press("k")
        await settle(pilot)
        screen = app.screen
        people = screen.query_one(StakeholderTable)
        assert str(people.get_row_at(0)[0]) == hostile
        assert hostile in str(screen.query_one("#stakeholder-detail").render())
        comms = screen.query_one(CommunicationTable)
        assert str(comms.get_row_at(0)[0]).startswith("[Setup] [b]x")
        assert str(comms.get_row_at(0)[1]).startswith("[Setup]")  # the audience's name


async def test_a_finding_on_track_opens_the_stakeholder(demo_at: Any) -> None:
    from backplan_tui.tui.screens.health import HealthScreen

    def unplanned(demo: Any) -> None:
        demo.communications[0].next = None  # Ines: nothing planned any more

    app = demo_at(change=unplanned)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_track(app, pilot)
        await pilot.press("ctrl+g")
        await settle(pilot)
        assert isinstance(app.screen, HealthScreen)
        await pilot.press("enter")  # the first finding: Track's own, about Ines
        await wait_until(pilot, lambda: isinstance(app.screen, StakeholdersScreen), "opened")
        table = app.screen.query_one(StakeholderTable)
        assert table.has_focus and table.selected_key() == "k1"
