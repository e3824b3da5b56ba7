"""Milestones in the app: `m` marks a condition (saved, undoable), the edit dialog takes its
KPI targets, the timeline marks it, and Track says whether the next milestone is at risk."""

from __future__ import annotations

import tomllib
from datetime import UTC, date, datetime
from pathlib import Path

from textual.widgets import Input, Static

from backplan_tui.core.model import CheckIn, FutureState, MapNode, Outcome, Session
from backplan_tui.core.storage import SessionStore
from backplan_tui.tui.app import BackplanApp
from backplan_tui.tui.dialogs import FormScreen
from backplan_tui.tui.widgets.timeline import timeline_lines
from helpers import TODAY, settle, wait_until


def plan(milestone: bool = False, checkin: bool = False) -> Session:
    """Made 2026-10-01: retention 70% -> 90% by 2027-12-31; "Pilot done" pinned 2027-04-30."""
    s = Session(
        id="ms",
        title="Retention",
        created=datetime(2026, 10, 1, 9, tzinfo=UTC),
        current_step="reverse_map",
        future_state=FutureState(
            statement="By 2027-12-31, 90% of new hires stay a year.",
            target_date=date(2027, 12, 31),
            outcomes=[Outcome(id="o1", metric="Retention", unit="%", baseline=70, target=90)],
        ),
        map=[
            MapNode(id="m1", title="Managers hold stay interviews", owner="Lee", duration_days=90),
            MapNode(
                id="m2",
                title="Pilot done",
                parent="m1",
                owner="Sam",
                duration_days=30,
                pinned_due=date(2027, 4, 30),
                milestone=milestone,
                targets={"o1": 82.0} if milestone else {},
            ),
        ],
    )
    if checkin:
        s.checkins = [CheckIn(date=date(2026, 11, 16), values={"o1": 72.0})]
    return s


def saved_map(path: Path) -> dict[str, dict]:
    with path.open("rb") as f:
        return {n["id"]: n for n in tomllib.load(f)["map"]}


def detail(app: BackplanApp) -> str:
    return str(app.screen.query_one("#node-detail").render())


async def test_m_marks_a_condition_a_milestone_saved_and_undone(data_dir: Path, make_app) -> None:
    store = SessionStore(data_dir)
    store.create(plan())
    path = store.path_for("ms")
    app = make_app("ms")
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("m")  # the goal is highlighted: nothing to mark
        await settle(pilot)
        assert any("highlight a condition" in n.message for n in app._notifications)
        assert not any(n.milestone for n in app.session.map)

        await pilot.press("down", "m")
        await settle(pilot)
        await wait_until(pilot, lambda: saved_map(path)["m1"].get("milestone") is True)
        tree = app.screen.query_one("#map")
        assert "◆" in str(tree.cursor_node.label)
        assert "◆ milestone by 2027-12-31: no KPI target" in detail(app)

        await pilot.press("ctrl+z")
        await settle(pilot)
        await wait_until(pilot, lambda: "milestone" not in saved_map(path)["m1"])
        assert app.session.node("m1").milestone is False


async def test_the_edit_dialog_takes_the_milestone_targets(data_dir: Path, make_app) -> None:
    store = SessionStore(data_dir)
    store.create(plan())
    path = store.path_for("ms")
    app = make_app("ms")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("down", "down", "m", "e")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, FormScreen)
        assert "the KPI values expected by its date" in str(form.query_one("#form-hint").render())
        field = form.query_one("#field-target_o1", Input)
        field.value = "eighty"
        await pilot.press("ctrl+s")
        await settle(pilot)
        error = str(form.query_one("#form-error", Static).render())
        assert 'Retention (%): enter a number, not "eighty"' in error
        field.value = "82"
        await pilot.press("ctrl+s")
        await settle(pilot)
        await wait_until(pilot, lambda: saved_map(path)["m2"].get("targets") == {"o1": 82.0})
        assert saved_map(path)["m2"]["milestone"] is True
        assert "◆ milestone by 2027-04-30: Retention 82%" in detail(app)

        # Emptied, the field removes the target.
        await pilot.press("e")
        await settle(pilot)
        assert app.screen.query_one("#field-target_o1", Input).value == "82"
        app.screen.query_one("#field-target_o1", Input).value = ""
        await pilot.press("ctrl+s")
        await settle(pilot)
        await wait_until(pilot, lambda: "targets" not in saved_map(path)["m2"])


def test_the_timeline_marks_a_milestone() -> None:
    from backplan_tui.core import schedule

    s = plan(milestone=True)
    lines = [str(line) for line in timeline_lines(s, schedule.compute(s, TODAY), TODAY, 80)]
    [row] = [line for line in lines if "Pilot done" in line]
    assert row.startswith("  ◆ Pilot done") and row.rstrip().endswith("◆")
    [other] = [line for line in lines if "Managers" in line]
    assert "◆" not in other


async def test_track_shows_the_milestone_line_and_the_risk(data_dir: Path, make_app) -> None:
    """Start 2026-10-01 at 70, milestone 82 on 2027-04-30 (211 days on), check-in 72 on
    2026-11-16 (46 days on).  Expected today (53 days): 70 + 12 * 53/211 = 73.01; on
    2026-11-16: 70 + 12 * 46/211 = 72.62.  The pace carries 72 + 2 * 165/46 = 79.17 to
    2027-04-30 (165 days after the check-in): short of 82, at risk."""
    s = plan(milestone=True, checkin=True)
    s.current_step = "future_state"
    SessionStore(data_dir).create(s)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.open_session("ms", step="track")
        await settle(pilot)
        text = str(app.screen.query_one("#kpi-detail").render())
        flat = " ".join(text.split())
        assert (
            "Milestone line: 73.01% expected today; 72% on 2026-11-16 (72.62% expected then: "
            "behind the line)"
        ) in flat
        assert (
            'Next milestone "Pilot done" 2027-04-30: 82% expected; 72% now, 79.17% at this '
            "pace: at risk"
        ) in flat
