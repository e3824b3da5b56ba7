"""Reopening a session after another backplan process changed it: the "since" panel."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from datetime import date
from pathlib import Path

import pytest

from backplan_tui.core.model import FutureState, MapNode, Outcome, Session
from backplan_tui.core.storage import SessionStore
from backplan_tui.tui.app import create_app
from backplan_tui.tui.screens.future_state import FutureStateScreen
from backplan_tui.tui.screens.reverse_map import ReverseMapScreen
from backplan_tui.tui.screens.since import SinceLastVisitScreen
from helpers import TODAY, settle

# Run in a separate process: backplan's own store, as a colleague's backplan would write.
OTHER_PROCESS = textwrap.dedent(
    """
    import sys
    from datetime import date
    from backplan_tui.core.model import Adjustment, CheckIn
    from backplan_tui.core.storage import SessionStore

    store = SessionStore(sys.argv[1])
    s = store.load("plan")
    s.future_state.target_date = date(2027, 7, 14)
    s.map[0].status = "done"
    s.checkins.append(CheckIn(date(2026, 11, 20), {"o1": 80.0}, "at_risk", "slow start"))
    s.adjustments.append(Adjustment(date(2026, 11, 20), "Moved the target date", "Hiring freeze"))
    store.save(s)
    """
)


def make_plan(store: SessionStore) -> None:
    store.create(
        Session(
            id="plan",
            title="Retention plan",
            current_step="future_state",
            future_state=FutureState(
                statement="Raise retention from 78% to 90% by 30 June 2027",
                target_date=date(2027, 6, 30),
                outcomes=[Outcome("o1", "Retention", "%", 78.0, 90.0, "increase")],
            ),
            map=[MapNode("m1", "Train managers", owner="Ana", duration_days=10)],
        )
    )


def lines_shown(app) -> list[str]:
    return [str(line.render()) for line in app.screen.query(".since-line")]


@pytest.mark.long
async def test_changes_made_by_another_process_are_listed_on_reopening(data_dir: Path) -> None:
    store = SessionStore(data_dir)
    make_plan(store)

    first = create_app(data_dir, open_session="plan", today=lambda: TODAY, autosave_delay=0.05)
    async with first.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert isinstance(first.screen, FutureStateScreen)  # a first visit: no panel
        await pilot.press("ctrl+q")

    done = subprocess.run(
        [sys.executable, "-c", OTHER_PROCESS, str(data_dir)], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr

    again = create_app(data_dir, open_session="plan", today=lambda: TODAY, autosave_delay=0.05)
    async with again.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert isinstance(again.screen, SinceLastVisitScreen)
        assert lines_shown(again) == [
            "• Target date slipped 14 days: 2027-06-30 → 2027-07-14",
            "• New check-in on 2026-11-20 (at risk)",
            '• "Retention": first actual 80%',
            '• Done: "Train managers" (Ana)',
            "• Adjustment on 2026-11-20: Moved the target date (why: Hiring freeze)",
        ]
        assert "5 changes" in str(again.screen.query_one("#since-title").render())
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(again.screen, FutureStateScreen)
        # Track tells how many and shows them again with l
        await pilot.press("ctrl+t")
        await settle(pilot)
        assert "5 changes since your last visit (l)" in str(
            again.screen.query_one("#track-status").render()
        )
        await pilot.press("l")
        await settle(pilot)
        assert len(lines_shown(again)) == 5
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("ctrl+q")

    # the third visit: nothing changed in between, so no panel
    third = create_app(data_dir, open_session="plan", today=lambda: TODAY, autosave_delay=0.05)
    async with third.run_test(size=(80, 24), notifications=True) as pilot:
        await settle(pilot)
        assert isinstance(third.screen, FutureStateScreen)
        await pilot.press("ctrl+t")
        await settle(pilot)
        await pilot.press("l")
        await settle(pilot)
        assert any("Nothing changed" in n.message for n in third._notifications)


async def test_my_own_edits_are_not_reported_back_to_me(data_dir: Path) -> None:
    store = SessionStore(data_dir)
    make_plan(store)
    app = create_app(data_dir, open_session="plan", today=lambda: TODAY, autosave_delay=0.05)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+n", "ctrl+n")  # to the reverse map
        await settle(pilot)
        await pilot.press("down", "x")  # the first node: todo -> doing
        await settle(pilot)
    assert store.load("plan").map[0].status == "doing"
    again = create_app(data_dir, open_session="plan", today=lambda: TODAY, autosave_delay=0.05)
    async with again.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert isinstance(again.screen, ReverseMapScreen)
        assert again.since_last_visit[0] == []
        seen = again.visits.path("plan")
        kept = seen.stat().st_mtime_ns, seen.stat().st_ino  # written on this open
    # closed without an edit: the copy kept on open is not written again
    assert (seen.stat().st_mtime_ns, seen.stat().st_ino) == kept
