"""Track's `w` sets the review cadence the plan health check then uses (issue 15: after Track
set "weekly" the coach still counted 14 days)."""

from __future__ import annotations

import tomllib
from datetime import UTC, date, datetime
from pathlib import Path

from backplan_tui.core.model import CheckIn, FutureState, MapNode, Session
from backplan_tui.core.storage import SessionStore
from backplan_tui.tui.app import create_app
from backplan_tui.tui.screens.track import TrackScreen
from helpers import TODAY, settle


def checks(app: object) -> list[str]:
    _, findings = app.health()  # type: ignore[attr-defined]
    return [f.check for f in findings]


async def test_w_on_track_changes_when_the_coach_asks_for_a_check_in(data_dir: Path) -> None:
    session = Session(
        id="cad",
        title="Cadence",
        created=datetime(2026, 9, 1, 9, tzinfo=UTC),
        future_state=FutureState(statement="Ship 3 things", target_date=date(2027, 6, 30)),
        map=[MapNode(id="m1", title="First", duration_days=30, status="doing")],
        checkins=[CheckIn(date=date(2026, 11, 13))],  # 10 days before TODAY
    )
    store = SessionStore(data_dir)
    store.create(session)
    path = store.path_for("cad")
    app = create_app(data_dir, open_session="cad", today=lambda: TODAY, autosave_delay=0.05)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+t")
        await settle(pilot)
        assert isinstance(app.screen, TrackScreen)
        assert app.session.review_cadence == "fortnightly"
        assert "no_checkin" not in checks(app)  # due 2026-11-27

        await pilot.press("w")  # fortnightly -> monthly: due 2026-12-13
        await settle(pilot)
        assert app.session.review_cadence == "monthly"
        assert "no_checkin" not in checks(app)

        await pilot.press("w")  # monthly -> weekly: due 2026-11-20, three days ago
        await settle(pilot)
        assert app.session.review_cadence == "weekly"
        assert "no_checkin" in checks(app)
        await app.workers.wait_for_complete()
        await settle(pilot)
        with path.open("rb") as f:
            assert tomllib.load(f)["review_cadence"] == "weekly"
