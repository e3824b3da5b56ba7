"""Step 3's working-days switch: `w` recomputes the schedule, saves the setting, undoes."""

from __future__ import annotations

import tomllib
from pathlib import Path

from backplan_tui.core import schedule, templates
from backplan_tui.core.storage import SessionStore
from backplan_tui.tui.app import create_app
from helpers import TODAY, settle


async def test_w_switches_the_schedule_to_working_days_and_back(data_dir: Path) -> None:
    demo = templates.demo_session(TODAY)
    demo.current_step = "reverse_map"
    store = SessionStore(data_dir)
    store.create(demo)
    calendar = schedule.compute(demo, TODAY, working_days=False)
    weekdays = schedule.compute(demo, TODAY, working_days=True)
    moved = [i for i in calendar.nodes if calendar.nodes[i].start != weekdays.nodes[i].start]
    assert moved, "some node's start differs between the two calendars"
    node_id = moved[0]
    path = store.path_for("demo")

    app = create_app(data_dir, open_session="demo", today=lambda: TODAY, autosave_delay=0.05)
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await settle(pilot)
        detail = app.screen.query_one("#node-detail")
        assert "in calendar days)" in str(detail.render())
        await pilot.press("w")
        await settle(pilot)
        assert app.session.future_state.working_days is True
        plan, _ = app.health()
        assert plan.nodes[node_id].start == weekdays.nodes[node_id].start
        assert "in working days)" in str(app.screen.query_one("#node-detail").render())
        assert any("working days" in n.message for n in app._notifications)
        with path.open("rb") as f:
            assert tomllib.load(f)["future_state"]["working_days"] is True

        await pilot.press("ctrl+z")
        await settle(pilot)
        assert app.session.future_state.working_days is False
        plan, _ = app.health()
        assert plan.nodes[node_id].start == calendar.nodes[node_id].start
        with path.open("rb") as f:
            assert "working_days" not in tomllib.load(f)["future_state"]
