"""The verbs every item table shares: move, delete (with its clean-up), Enter edits."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from textual.widgets import DataTable

from backplan_tui.core import templates
from backplan_tui.core.store import SessionStore
from backplan_tui.tui.app import create_app

TODAY = date(2026, 11, 23)


async def test_move_a_question_down_then_undo(data_dir: Path) -> None:
    demo = templates.demo_session(TODAY)
    demo.current_step = "questions"
    SessionStore(data_dir).create(demo)
    first, second = demo.questions[0].id, demo.questions[1].id
    app = create_app(data_dir, open_session="demo", today=lambda: TODAY, autosave_delay=0.05)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause(0.1)
        await pilot.press("ctrl+down")
        await pilot.pause(0.05)
        assert [q.id for q in app.session.questions[:2]] == [second, first]
        table = app.screen.query_one("#questions", DataTable)
        assert table.cursor_row == 1  # the cursor follows the moved question
        await pilot.press("ctrl+z")
        await pilot.pause(0.05)
        assert [q.id for q in app.session.questions[:2]] == [first, second]


async def test_deleting_an_outcome_unlinks_the_pilots_that_moved_it(data_dir: Path) -> None:
    demo = templates.demo_session(TODAY)
    demo.current_step = "future_state"
    target = demo.pilots[0].outcome
    assert target, "the demo's first pilot moves an outcome"
    SessionStore(data_dir).create(demo)
    app = create_app(data_dir, open_session="demo", today=lambda: TODAY, autosave_delay=0.05)
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await pilot.pause(0.1)
        table = app.screen.query_one("#outcomes", DataTable)
        table.focus()
        index = [o.id for o in app.session.future_state.outcomes].index(target)
        table.move_cursor(row=index)
        await pilot.pause(0.1)
        await pilot.press("d")
        await pilot.pause(0.1)
        assert target not in [o.id for o in app.session.future_state.outcomes]
        assert all(p.outcome != target for p in app.session.pilots)
        assert any(n.message.startswith("Deleted outcome: ") for n in app._notifications)
        await pilot.press("enter")  # Enter edits the highlighted outcome
        await pilot.pause(0.1)
        assert app.screen.__class__.__name__ == "FormScreen"


async def test_answering_a_question_continues_its_existing_answer(data_dir: Path) -> None:
    from textual.widgets import TextArea

    demo = templates.demo_session(TODAY)
    demo.current_step = "questions"
    assert demo.questions[0].answer, "the demo's first question is answered"
    SessionStore(data_dir).create(demo)
    app = create_app(data_dir, open_session="demo", today=lambda: TODAY, autosave_delay=0.05)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause(0.1)
        await pilot.press("enter")
        await pilot.pause(0.1)
        answer = app.screen.query_one("#field-answer", TextArea)
        assert answer.has_focus
        await pilot.press("space", "X")
        assert answer.text == demo.questions[0].answer + " X"
        assert app.screen.query_one("#field-prompt").value == demo.questions[0].prompt  # type: ignore[attr-defined]
