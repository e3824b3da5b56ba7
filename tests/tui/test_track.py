"""Track: check-ins move the bar, the sparkline and the verdict; moved dates are logged."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from textual.widgets import DataTable, Input

from backplan_tui.core import templates
from backplan_tui.core.export import render
from backplan_tui.core.model import FutureState, Outcome, Session
from backplan_tui.core.storage import SessionStore
from backplan_tui.tui.app import BackplanApp, create_app
from backplan_tui.tui.dialogs import FormScreen
from backplan_tui.tui.screens.track import TrackScreen
from helpers import TODAY, settle


def kpi_row(app: BackplanApp) -> list[str]:
    table = app.screen.query_one("#kpis", DataTable)
    return [str(c) for c in table.get_row_at(0)]


async def record(app: BackplanApp, pilot: object, day: date, value: str) -> None:
    await pilot.press("c")  # type: ignore[attr-defined]
    await settle(pilot)
    form = app.screen
    form.query_one("#field-date", Input).value = day.isoformat()
    form.query_one("#field-value_o1", Input).value = value
    await pilot.press("ctrl+s")  # type: ignore[attr-defined]
    await settle(pilot)


async def test_three_checkins_change_bar_sparkline_and_verdict(data_dir: Path) -> None:
    started = TODAY - timedelta(weeks=12)
    session = Session(
        id="kpi",
        title="Cut first-response time",
        created=datetime(2026, 8, 31, 9, tzinfo=UTC),
        future_state=FutureState(
            statement="By 2027-05-31, first response within 4 hours",
            target_date=date(2027, 5, 31),
            outcomes=[
                Outcome(
                    id="o1",
                    metric="Median first response",
                    unit="h",
                    baseline=20.0,
                    target=4.0,
                    direction="decrease",
                    due=date(2027, 5, 31),
                )
            ],
        ),
    )
    SessionStore(data_dir).create(session)
    app = create_app(data_dir, open_session="kpi", today=lambda: TODAY, autosave_delay=0.05)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+t")
        await settle(pilot)
        assert isinstance(app.screen, TrackScreen)
        assert kpi_row(app)[5] == "· no data"
        # 20 h -> 18 h six weeks in: 2 of 16 h in 6 weeks is slower than the 16 h in
        # 39 weeks needed (0.41 h/week): 0.33 h/week achieved -> behind.
        await record(app, pilot, started + timedelta(weeks=6), "18")
        first = kpi_row(app)
        assert first[1] == "18 h" and first[5] == "▼ behind"
        assert first[3].startswith("█░░░░░░░")  # 12.5% of the way
        # 12 h at 12 weeks: 8 h in 12 weeks = 0.67/week, more than the 0.36/week still
        # needed to go from 12 h to 4 h by the due date -> ahead.
        await record(app, pilot, TODAY, "12")
        second = kpi_row(app)
        assert second[1] == "12 h" and second[5] == "▲ ahead"
        assert second[3].startswith("████░░░░")  # 50%
        assert len(second[4]) == 2 and second[4] != first[4]  # the sparkline grows
        # Target reached on a third check-in.
        await record(app, pilot, TODAY + timedelta(days=1), "4")
        third = kpi_row(app)
        assert third[5] == "✓ reached" and third[3].startswith("████████")
        assert len(third[4]) == 3
        # Edit, then delete, the last check-in from the history.
        await pilot.press("h")
        await settle(pilot)
        await pilot.press("down", "down", "d")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert kpi_row(app)[1] == "12 h"
        await pilot.press("ctrl+q")
    saved = SessionStore(data_dir).load("kpi")
    assert [c.values["o1"] for c in saved.checkins] == [18.0, 12.0]


async def test_moving_the_target_date_asks_why_and_logs_it(data_dir: Path) -> None:
    demo = templates.demo_session(TODAY)
    demo.current_step = "future_state"
    SessionStore(data_dir).create(demo)
    old = demo.future_state.target_date
    app = create_app(data_dir, open_session="demo", today=lambda: TODAY, autosave_delay=0.05)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        date_field = app.screen.query_one("#target-date", Input)
        date_field.focus()
        await settle(pilot)
        date_field.value = "2028-03-31"
        await pilot.press("tab")  # leaving the field asks why
        await settle(pilot)
        assert isinstance(app.screen, FormScreen)
        app.screen.query_one("#field-why", Input).value = "Hiring freeze in Q1"
        await pilot.press("enter")
        await settle(pilot)
        adjustment = app.session.adjustments[-1]
        assert adjustment.what == f"Target date moved from {old} to 2028-03-31"
        assert adjustment.why == "Hiring freeze in Q1"
        assert adjustment.date == TODAY
        await pilot.press("ctrl+t")  # the log is on the Track screen
        await settle(pilot)
        shown = str(app.screen.query_one("#adjustments").render())
        assert "Target date moved from" in shown and "Hiring freeze in Q1" in shown
        await pilot.press("ctrl+q")
    saved = SessionStore(data_dir).load("demo")
    markdown = render("md", saved, TODAY)
    assert "Hiring freeze in Q1" in markdown
    assert "2028\\-03\\-31" in markdown or "2028-03-31" in markdown


async def test_skipping_the_reason_still_logs_what_moved(demo_at) -> None:
    app = demo_at("future_state")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        date_field = app.screen.query_one("#target-date", Input)
        date_field.focus()
        await settle(pilot)
        date_field.value = "2027-12-31"
        await pilot.press("tab")
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert app.session.adjustments[-1].what.endswith("to 2027-12-31")
        assert app.session.adjustments[-1].why == ""
