"""Issue 19, "Frictions": each small friction a facilitator hit, driven through the keys."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import DataTable, Input, Select, Static, TextArea

from backplan_tui.core import templates
from backplan_tui.core.model import AnyStep
from backplan_tui.core.storage import SessionStore
from backplan_tui.tui.app import BackplanApp, create_app
from backplan_tui.tui.dialogs import FormScreen

TODAY = date(2026, 11, 23)
SIZE = (80, 24)


def demo_app(data_dir: Path, step: AnyStep = "future_state", **kwargs: Any) -> BackplanApp:
    session = templates.demo_session(TODAY)
    session.current_step = step
    SessionStore(data_dir).create(session)
    return create_app(
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


# --- Export -------------------------------------------------------------------------------------


async def test_export_name_follows_the_format_and_the_last_folder_is_remembered(
    data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    (tmp_path / "home").mkdir()
    monkeypatch.chdir(tmp_path)
    app = demo_app(data_dir, "summary")
    out = tmp_path / "exports"
    out.mkdir()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("x")
        await pilot.pause()
        form = app.screen
        path = form.query_one("#field-path", Input)
        assert Path(path.value).parent == tmp_path / "home"  # not the current directory
        assert path.value.endswith(".md")
        form.query_one("#field-format", Select).value = "html"
        await pilot.pause()
        assert path.value.endswith("demo-improve-12-month-retention.html")
        path.value = str(out / "plan.html")
        await pilot.press("ctrl+s")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert (out / "plan.html").exists()
    assert app.settings.export_folder == str(out)
    again = create_app(data_dir, open_session="demo", today=lambda: TODAY)
    async with again.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+r")
        await pilot.pause()
        await pilot.press("x")
        await pilot.pause()
        assert Path(again.screen.query_one("#field-path", Input).value).parent == out


# --- Track --------------------------------------------------------------------------------------


@pytest.mark.parametrize("key", ["escape", "ctrl+b"])
async def test_track_goes_back_to_the_step_it_was_opened_from(data_dir: Path, key: str) -> None:
    app = demo_app(data_dir, "questions")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+t")
        await pilot.pause()
        assert type(app.screen).__name__ == "TrackScreen"
        await pilot.press(key)
        await pilot.pause()
        assert type(app.screen).__name__ == "QuestionsScreen"
        assert app.document is not None


async def test_track_from_home_escape_goes_home(data_dir: Path) -> None:
    SessionStore(data_dir).create(templates.demo_session(TODAY))
    app = create_app(data_dir, today=lambda: TODAY, autosave_delay=600)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("k")
        await pilot.pause()
        assert type(app.screen).__name__ == "TrackScreen"
        await pilot.press("escape")
        await pilot.pause()
        assert type(app.screen).__name__ == "HomeScreen"


async def test_a_new_outcome_takes_its_direction_from_the_numbers(data_dir: Path) -> None:
    app = demo_app(data_dir)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.screen.query_one("#outcomes").focus()
        await pilot.press("a")
        await pilot.pause()
        await pilot.press(*"Sick days", "tab", "tab", *"14", "tab", "3", "ctrl+s")
        await pilot.pause()
        added = app.session.future_state.outcomes[-1]
        assert (added.metric, added.baseline, added.target) == ("Sick days", 14, 3)
        assert added.direction == "decrease"


# --- Questions ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("answer", "status"), [("Nobody yet.", "answered"), ("", "open")])
async def test_a_new_question_with_an_answer_is_answered(
    data_dir: Path, answer: str, status: str
) -> None:
    app = demo_app(data_dir, "questions")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("a")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, FormScreen)
        form.query_one("#field-prompt", Input).value = "Who owns it?"
        form.query_one("#field-answer", TextArea).text = answer
        await pilot.press("ctrl+s")
        await pilot.pause()
        added = app.session.questions[-1]
        assert (added.prompt, added.status) == ("Who owns it?", status)


async def test_a_new_question_can_be_parked_with_its_answer(data_dir: Path) -> None:
    app = demo_app(data_dir, "questions")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("a")
        await pilot.pause()
        form = app.screen
        form.query_one("#field-prompt", Input).value = "Budget?"
        form.query_one("#field-answer", TextArea).text = "Maybe later"
        form.query_one("#field-status", Select).value = "parked"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.session.questions[-1].status == "parked"


# --- Votes --------------------------------------------------------------------------------------


async def test_pilot_votes_show_in_the_pilot_table(data_dir: Path) -> None:
    app = demo_app(data_dir, "pilots")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        table = app.screen.query_one("#pilots", DataTable)
        assert "Votes" in [c.label.plain for c in table.columns.values()]
        await pilot.press("v")
        await pilot.pause()
        await pilot.press("space", "space", "escape")
        await pilot.pause()
        assert sum(app.session.pilots[0].votes.values()) == 2
        row = [c.plain for c in table.get_row_at(0)]
        assert row[1] == "2"
        assert [c.plain for c in table.get_row_at(1)][1] == ""


async def test_sorting_votes_says_when_the_order_is_already_the_ranking(
    data_dir: Path,
) -> None:
    app = demo_app(data_dir, "reverse_map")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.pause()
        await pilot.press("v")
        await pilot.pause()
        await pilot.press("s")
        await pilot.pause()
        messages = [n.message for n in app._notifications]
        assert "Sorted by votes: map order is already the ranking." in messages
        await pilot.press("s")  # back to map order
        app.session.map[4].votes = {"Sam": 2}  # the 5th condition now outranks the 4th
        await pilot.press("s")
        await pilot.pause()
        table = app.screen.query_one("#vote-table", DataTable)
        totals = [int(table.get_row_at(i)[0].plain) for i in range(table.row_count)]
        assert totals[:5] == [5, 3, 3, 2, 1]
        assert "Sorted by votes." in [n.message for n in app._notifications]


# --- Plan health, theme picker ------------------------------------------------------------------


async def test_plan_health_enter_and_down_at_once(data_dir: Path) -> None:
    app = demo_app(data_dir, "reverse_map")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        _, findings = app.health()
        # The panel lists this step's findings first (the late path, the owner warning, the
        # milestone tip), then the others: the first of another step is the open question.
        listed = sorted(findings, key=lambda f: f.step != "reverse_map")
        other = next(i for i, f in enumerate(listed) if f.step != "reverse_map")
        await pilot.press("ctrl+g")
        await pilot.pause()
        assert "1 problem ·" in shown(app.screen.query_one("#health-title", Static))
        await pilot.press(*["down"] * other, "enter")
        await pilot.pause()
        assert app.screen.STEP == listed[other].step == "questions"  # type: ignore[attr-defined]
        await pilot.press("ctrl+g")
        await pilot.pause()
        assert type(app.screen).__name__ == "HealthScreen"
        await pilot.press("enter")  # right after opening: the first finding, this step's
        await pilot.pause()
        assert type(app.screen).__name__ == "QuestionsScreen"


async def test_wrapped_lines_hang_under_their_text(data_dir: Path) -> None:
    from textual.style import Style
    from textual.visual import Visual
    from textual.widgets import OptionList

    app = demo_app(data_dir, "reverse_map")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+g")
        await pilot.pause()
        listing = app.screen.query_one(OptionList)
        prompt = listing.get_option_at_index(0).prompt
        lines = [
            strip.text
            for strip in Visual.to_strips(listing, prompt, 60, None, Style())  # type: ignore[arg-type]
        ]
        assert len(lines) > 2 and lines[0].startswith("✗ PROBLEM  Reverse map:")
        assert all(line.startswith(" " * 11) and line[11] != " " for line in lines[1:])
        assert any(line[11:].startswith("Fix: ") for line in lines[1:])


async def test_the_reason_prompt_button_says_what_esc_does(data_dir: Path) -> None:
    from textual.widgets import Button

    app = demo_app(data_dir)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        before = len(app.session.adjustments)
        app.screen.ask_adjustment("Target moved")  # type: ignore[attr-defined]
        await pilot.pause()
        form = app.screen
        assert isinstance(form, FormScreen)
        assert "Esc logs it without a reason" in form.form_title.plain
        label = str(form.query_one("#form-cancel", Button).label)
        assert label == "Log, no reason esc"
        await pilot.click("#form-cancel")
        await pilot.pause()
        assert len(app.session.adjustments) == before + 1
        assert app.session.adjustments[-1].why == ""


async def test_same_day_adjustments_list_the_newest_first(data_dir: Path) -> None:
    app = demo_app(data_dir)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+t")
        await pilot.pause()
        for what in ("first today", "second today"):
            await pilot.press("j")
            await pilot.pause()
            app.screen.query_one("#field-what", Input).value = what
            await pilot.press("ctrl+s")
            await pilot.pause()
        text = shown(app.screen.query_one("#adjustments", Static))
        assert text.index("second today") < text.index("first today")


# --- Help, palette ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("step", "first"),
    [
        ("reverse_map", "Reverse map"),
        ("pilots", "Outcomes, questions, pilots"),
        ("summary", "Workshop steps"),
    ],
)
async def test_f1_starts_with_the_keys_of_the_current_screen(
    data_dir: Path, step: AnyStep, first: str
) -> None:
    app = demo_app(data_dir, step)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("f1")
        await pilot.pause()
        sections = app.screen.query(".help-section")
        assert shown(sections.first(Static)).startswith(first)
        assert len(sections) == 12  # every section is still there (+ Owners, Stakeholders)


async def test_f1_on_home_starts_with_the_home_keys(data_dir: Path) -> None:
    app = create_app(data_dir, today=lambda: TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("f1")
        await pilot.pause()
        assert shown(app.screen.query(".help-section").first(Static)).startswith("Home")


async def palette_entries(app: BackplanApp, pilot: object) -> list[str]:
    from textual.command import CommandList

    await pilot.press("ctrl+p")  # type: ignore[attr-defined]
    await pilot.pause()  # type: ignore[attr-defined]
    await app.workers.wait_for_complete()
    await pilot.pause()  # type: ignore[attr-defined]
    commands = app.screen.query_one(CommandList)
    return [str(commands.get_option_at_index(i).prompt) for i in range(commands.option_count)]


async def test_the_palette_lists_no_cursor_keys_and_export_on_track(data_dir: Path) -> None:
    app = demo_app(data_dir)
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        entries = await palette_entries(app, pilot)
        assert any("Next step" in e for e in entries)
        assert not [e for e in entries if "Cursor" in e]
        await pilot.press("escape")
        await pilot.press("ctrl+t")
        await pilot.pause()
        entries = await palette_entries(app, pilot)
        assert any("Export" in e for e in entries), entries
        await pilot.press("escape")
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, FormScreen)
        assert app.screen.query_one("#field-path", Input).value.endswith(".md")


async def test_the_tests_picker_marks_only_ticked_boxes(data_dir: Path) -> None:
    from backplan_tui.tui.dialogs import PickList, PickManyScreen

    app = demo_app(data_dir, "pilots")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        choices = [("Ticked one", "a"), ("Not ticked", "b")]
        app.push_screen(PickManyScreen("Tests", choices, ["a"]))
        await pilot.pause()
        picks = app.screen.query_one(PickList)
        ticked, unticked = picks.render_line(0).text, picks.render_line(1).text
        assert ticked.startswith("▐X▌ ✓ Ticked one")
        assert unticked.startswith("▐ ▌   Not ticked")
        await pilot.press("down", "space")
        await pilot.pause()
        assert picks.render_line(1).text.startswith("▐X▌ ✓ Not ticked")
