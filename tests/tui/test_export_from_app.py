"""Exporting from the app: format and path, asks before overwriting, atomic 0600, a toast."""

from __future__ import annotations

import stat
from pathlib import Path

from textual.widgets import Input, Select

from backplan_tui.core import templates
from backplan_tui.core.storage import SessionStore
from backplan_tui.tui.app import create_app
from backplan_tui.tui.dialogs import ConfirmScreen
from backplan_tui.tui.screens.summary import SummaryScreen
from helpers import TODAY, settle


async def test_export_from_the_summary_then_replace_after_asking(
    data_dir: Path, tmp_path: Path
) -> None:
    demo = templates.demo_session(TODAY)
    demo.current_step = "summary"
    SessionStore(data_dir).create(demo)
    target = tmp_path / "plan.html"
    app = create_app(data_dir, open_session="demo", today=lambda: TODAY, autosave_delay=0.05)
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, SummaryScreen)
        toasts: list[object] = []  # each "Exported to" toast, collected as it is shown
        for round_ in (1, 2):
            await pilot.press("x")
            await settle(pilot)
            form = app.screen
            assert form.query_one("#field-path", Input).value.endswith(
                "demo-improve-12-month-retention.md"
            )  # the default name comes from the title
            form.query_one("#field-format", Select).value = "html"
            form.query_one("#field-path", Input).value = str(tmp_path / "plan.md")
            await pilot.press("ctrl+s")
            await settle(pilot)
            if round_ == 2:  # the file exists now: asked first
                assert isinstance(app.screen, ConfirmScreen)
                await pilot.press("y")
            await app.workers.wait_for_complete()
            await settle(pilot)
            assert target.exists(), "the .md suffix follows the chosen format"
            # Collected each round: a toast lasts 6 s, and on a loaded machine the first
            # one was gone by the end of the second round.
            toasts += [
                n
                for n in app._notifications
                if n.message == f"Exported to {target}" and n not in toasts
            ]
        assert len(toasts) == 2
    html = target.read_text("utf-8")
    assert html.startswith("<!DOCTYPE html>") or "<html" in html[:200]
    assert "Demo: Improve 12-month retention" in html
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


async def test_export_error_is_a_toast_and_the_app_keeps_running(
    data_dir: Path, tmp_path: Path
) -> None:
    SessionStore(data_dir).create(templates.demo_session(TODAY))
    app = create_app(data_dir, today=lambda: TODAY, autosave_delay=0.05)
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await pilot.press("e")  # from the home screen
        await settle(pilot)
        app.screen.query_one("#field-path", Input).value = str(tmp_path / "no" / "such" / "x.md")
        await pilot.press("ctrl+s")
        await app.workers.wait_for_complete()
        await settle(pilot)
        failures = [n for n in app._notifications if n.title == "Export failed"]
        assert failures and "does not exist" in failures[0].message
        assert app.is_running
