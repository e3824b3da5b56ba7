"""Issue 19, "Frictions": each small friction a facilitator hit, driven through the keys."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from textual.widgets import Input, Static, TextArea

from backplan_tui.core import templates
from backplan_tui.core.storage import SessionStore
from backplan_tui.tui.app import BackplanApp, create_app
from backplan_tui.tui.dialogs import FormScreen

TODAY = date(2026, 11, 23)
SIZE = (80, 24)


def demo_app(data_dir: Path, step: str = "future_state", **kwargs: object) -> BackplanApp:
    session = templates.demo_session(TODAY)
    session.current_step = step
    SessionStore(data_dir).create(session)
    return create_app(  # type: ignore[arg-type]
        data_dir, open_session="demo", today=lambda: TODAY, autosave_delay=600, **kwargs
    )


def shown(widget: Static) -> str:
    return str(widget.render())


# --- Future state -----------------------------------------------------------------------------


async def test_ctrl_z_in_an_untouched_goal_undoes_the_last_step_edit(data_dir: Path) -> None:
    app = demo_app(data_dir)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        objective = app.screen.query_one("#aligned-objective", Input)
        before = app.session.future_state.aligned_objective
        objective.value = "Grow"
        await pilot.pause()
        assert app.session.future_state.aligned_objective == "Grow"
        statement = app.screen.query_one("#statement", TextArea)
        statement.focus()
        await pilot.press("ctrl+z")
        await pilot.pause()
        assert app.session.future_state.aligned_objective == before
        assert objective.value == before


async def test_a_tab_too_many_does_not_overwrite_the_target_date(data_dir: Path) -> None:
    app = demo_app(data_dir)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        good = app.session.future_state.target_date
        error = app.screen.query_one("#target-date-error", Static)
        assert not error.display
        await pilot.press("tab", *"pickups")
        await pilot.pause()
        date_field = app.screen.query_one("#target-date", Input)
        assert date_field.has_focus
        assert date_field.value.startswith(good.isoformat())  # typed after, not instead
        assert app.session.future_state.target_date == good
        assert error.display
        assert "not a date" in shown(error) and f"{good} is kept" in shown(error)
        for _ in "pickups":
            await pilot.press("backspace")
        await pilot.pause()
        assert not error.display


# --- Forms --------------------------------------------------------------------------------------


async def test_a_number_field_rejects_a_date_with_a_message(data_dir: Path) -> None:
    app = demo_app(data_dir)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.screen.query_one("#outcomes").focus()
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(app.screen, FormScreen)
        await pilot.press(*"Pickups", "tab", "tab", *"2026-12-01", "enter")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, FormScreen)  # not saved
        baseline = form.query_one("#field-baseline", Input)
        assert baseline.value == "2026-12-01"
        assert baseline.has_focus
        assert "Baseline: enter a number" in shown(form.query_one("#form-error", Static))


async def test_a_validation_error_moves_focus_to_the_bad_field(data_dir: Path) -> None:
    app = demo_app(data_dir)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.screen.query_one("#outcomes").focus()
        await pilot.press("a")
        await pilot.pause()
        await pilot.press(*"Pickups", "tab", "tab", *"x1", "tab", "5", "enter")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, FormScreen)
        assert form.query_one("#field-baseline", Input).has_focus
        await pilot.press("shift+tab")
        assert form.query_one("#field-unit", Input).has_focus
