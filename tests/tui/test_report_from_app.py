"""The progress report from the app: `p` on Track opens the export form with the report
chosen; the file is written, its mark is saved in the session like any edit, and the next
report says "since the last report"; from home it is recorded through the library."""

from __future__ import annotations

import stat
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from textual.widgets import Input, Select

from backplan_tui.core import report, schedule
from backplan_tui.core.storage import SessionStore
from backplan_tui.tui.screens.track import TrackScreen
from helpers import TODAY, settle, wait_until


def saved_reports(data_dir: Path) -> list[dict[str, Any]]:
    with (data_dir / "sessions" / "demo.toml").open("rb") as f:
        return list(tomllib.load(f).get("reports", []))


async def test_p_on_track_writes_the_report_and_saves_its_mark(
    demo_at: Callable[..., Any], data_dir: Path, tmp_path: Path
) -> None:
    app = demo_at("summary")
    target = tmp_path / "for-leaders.md"
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+t")
        await settle(pilot)
        assert isinstance(app.screen, TrackScreen)
        await pilot.press("p")
        await settle(pilot)
        form = app.screen
        assert form.query_one("#field-format", Select).value == "report-md"
        path = form.query_one("#field-path", Input)
        assert path.value.endswith("demo-improve-12-month-retention-report.md")
        path.value = str(target)
        await pilot.press("ctrl+s")
        await settle(pilot)
        await wait_until(
            pilot, lambda: saved_reports(data_dir)[0]["made"] == TODAY, "the mark saved"
        )
        messages = [n.message for n in app._notifications]
        assert f"Progress report written to {target}" in messages
        first = target.read_text("utf-8")
        assert first.startswith("# Progress report: Demo: Improve 12-month retention\n")
        assert "since the last report, 2026-11-11" in first  # the demo's, 12 days ago
        assert stat.S_IMODE(target.stat().st_mode) == 0o600
        # the mark: made today, each node's due date as the schedule has it, the done ids
        session = app.session
        due = report.due_dates(session, schedule.compute(session, TODAY))
        (mark,) = saved_reports(data_dir)
        assert mark["made"] == TODAY
        assert {k: v for k, v in mark["due"].items()} == due
        assert sorted(mark["done"]) == sorted(n.id for n in session.map if n.status == "done")

        # the second report, as HTML, says since the first and that nothing moved
        await pilot.press("p")
        await settle(pilot)
        form = app.screen
        form.query_one("#field-format", Select).value = "report-html"
        await settle(pilot)
        assert form.query_one("#field-path", Input).value.endswith("-report.html")
        form.query_one("#field-path", Input).value = str(tmp_path / "second.html")
        await pilot.press("ctrl+s")
        await settle(pilot)
        await wait_until(pilot, lambda: (tmp_path / "second.html").exists(), "the html")
        page = (tmp_path / "second.html").read_text("utf-8")
        assert f"since the last report, {TODAY.isoformat()}" in page
        assert "Nothing moved since the last report" in page
        await app.workers.wait_for_complete()
        await settle(pilot)
    assert len(saved_reports(data_dir)) == 1  # only the latest mark is kept


async def test_a_report_from_home_records_the_mark_through_the_library(
    data_dir: Path, make_app: Callable[..., Any], tmp_path: Path
) -> None:
    from backplan_tui.core import templates

    SessionStore(data_dir).create(templates.demo_session(TODAY))
    app = make_app()
    target = tmp_path / "from-home.html"
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
        app.screen.query_one("#field-format", Select).value = "report-html"
        await settle(pilot)
        app.screen.query_one("#field-path", Input).value = str(target)
        await pilot.press("ctrl+s")
        await settle(pilot)
        await wait_until(
            pilot, lambda: saved_reports(data_dir)[0]["made"] == TODAY, "the mark saved"
        )
    assert target.read_text("utf-8").startswith("<!DOCTYPE html>")
    assert [m["made"] for m in saved_reports(data_dir)] == [TODAY]
