"""A whole workshop driven through the keyboard, checked on disk, and reopened.

Long text is set through ``Input.value`` / ``TextArea.text`` (typing every character costs
60-80 ms a key in Pilot); a few keys are typed for real to prove the bindings and fields work.
"""

from __future__ import annotations

import tomllib
from datetime import date
from pathlib import Path

import pytest
from textual.widgets import Input, Select, TextArea, Tree

from backplan_tui.tui.app import BackplanApp
from backplan_tui.tui.dialogs import ChoicesField, FormScreen
from backplan_tui.tui.screens.future_state import FutureStateScreen
from backplan_tui.tui.screens.home import HomeScreen
from backplan_tui.tui.screens.pilots import PilotsScreen
from backplan_tui.tui.screens.questions import QuestionsScreen
from backplan_tui.tui.screens.reverse_map import ReverseMapScreen
from backplan_tui.tui.screens.summary import SummaryScreen
from helpers import settle

SIZE = (100, 32)


def form(app: BackplanApp) -> FormScreen:
    screen = app.screen
    assert isinstance(screen, FormScreen), f"expected a form, got {screen!r}"
    return screen


def field(app: BackplanApp, name: str) -> object:
    return form(app).query_one(f"#field-{name}")


def fill(app: BackplanApp, **values: str) -> None:
    """Set one-line fields of the open form (long text is set, not typed: see module doc)."""
    for name, value in values.items():
        widget = field(app, name)
        assert isinstance(widget, Input), name
        widget.value = value


def only_session_file(data_dir: Path) -> Path:
    files = sorted((data_dir / "sessions").glob("*.toml"))
    assert len(files) == 1, files
    return files[0]


@pytest.mark.long
async def test_whole_workshop_by_keyboard(data_dir: Path, make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        # Home, empty: a new session from the blank template.
        assert isinstance(app.screen, HomeScreen)
        await pilot.press("n")
        await settle(pilot)
        title = field(app, "title")
        assert isinstance(title, Input) and title.has_focus
        await pilot.press(*"Faster")  # typed for real
        title.value = "Faster onboarding"
        fill(app, team="People Ops", participants="Dana, Lee, Sam", target_date="2027-12-31")
        await pilot.press("ctrl+s")
        await settle(pilot)

        # Step 1: the goal, its date, its objective, one outcome.
        assert isinstance(app.screen, FutureStateScreen)
        statement = app.screen.query_one("#statement", TextArea)
        assert statement.has_focus
        await pilot.press(*"By ")
        assert app.session.future_state.statement == "By"
        statement.text = "By 2027-12-31, new hires are productive in 30 days instead of 60."
        await pilot.press("tab")
        date_input = app.screen.query_one("#target-date", Input)
        assert date_input.has_focus
        assert date_input.value == "2027-12-31"
        app.screen.query_one("#aligned-objective", Input).value = "Grow without losing quality"
        app.screen.query_one("#outcomes").focus()
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        fill(app, metric="Days to first shipped task", unit="days", baseline="60", target="30")
        direction = field(app, "direction")
        assert isinstance(direction, Select)
        direction.value = "decrease"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, FutureStateScreen)
        assert [o.metric for o in app.session.future_state.outcomes] == [
            "Days to first shipped task"
        ]

        # Step 2: answer the first question, add one of the team's own.
        await pilot.press("ctrl+n")
        await settle(pilot)
        assert isinstance(app.screen, QuestionsScreen)
        first_prompt = app.session.questions[0].prompt
        await pilot.press("enter")
        await settle(pilot)
        answer = field(app, "answer")
        assert isinstance(answer, TextArea)
        assert answer.has_focus  # Enter on a question opens it ready to answer
        assert answer.cursor_location == answer.document.end  # after any existing answer
        answer.text = "New hires, their managers, and the customers they serve sooner."
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        prompt = field(app, "prompt")
        assert isinstance(prompt, Input)
        prompt.value = "What do we stop doing?"
        await pilot.press("ctrl+s")
        await settle(pilot)

        # Step 3: trace backward from the goal: two levels and a sibling.
        await pilot.press("ctrl+n")
        await settle(pilot)
        assert isinstance(app.screen, ReverseMapScreen)
        tree = app.screen.query_one(Tree)
        assert tree.has_focus
        await pilot.press("a")  # on the goal: what must be true before the goal?
        await settle(pilot)
        fill(app, title="Every new hire has a buddy", owner="Lee", duration_days="45")
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press("a")  # on the new node: what must be true before it?
        await settle(pilot)
        fill(app, title="Buddy guide written")
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press("s")  # a sibling of the child
        await settle(pilot)
        fill(app, title="Managers pick buddies")
        await pilot.press("ctrl+s")
        await settle(pilot)

        # Step 4: a pilot that tests the first map node and moves the outcome.
        await pilot.press("ctrl+n")
        await settle(pilot)
        assert isinstance(app.screen, PilotsScreen)
        await pilot.press("a")
        await settle(pilot)
        fill(app, name="Buddies in the support team")
        tests = field(app, "tests")
        assert isinstance(tests, ChoicesField)
        buddy = next(n for n in app.session.map if n.title == "Every new hire has a buddy")
        tests.focus()
        await pilot.press("enter")  # the picker: type to filter, space ticks, Enter confirms
        await settle(pilot)
        await pilot.press(*"new hire", "down", "space", "enter")
        await settle(pilot)
        assert tests.value == [buddy.id]
        outcome = field(app, "outcome")
        assert isinstance(outcome, Select)
        outcome.value = app.session.future_state.outcomes[0].id
        fill(
            app,
            start="2027-01-11",
            end="2027-02-22",
            success_rule="Scale if days-to-first-task < 40",
        )
        await pilot.press("ctrl+s")
        await settle(pilot)

        # Summary, then quit (which saves).
        await pilot.press("ctrl+n")
        await settle(pilot)
        assert isinstance(app.screen, SummaryScreen)
        await pilot.press("ctrl+q")

    path = only_session_file(data_dir)
    data = tomllib.loads(path.read_text("utf-8"))
    assert data["title"] == "Faster onboarding"
    assert data["team"] == "People Ops"
    assert data["participants"] == ["Dana", "Lee", "Sam"]
    assert data["current_step"] == "summary"
    fs = data["future_state"]
    assert fs["statement"] == "By 2027-12-31, new hires are productive in 30 days instead of 60."
    assert fs["target_date"] == date(2027, 12, 31)
    assert fs["aligned_objective"] == "Grow without losing quality"
    [outcome_row] = fs["outcomes"]
    assert outcome_row["metric"] == "Days to first shipped task"
    assert (outcome_row["baseline"], outcome_row["target"]) == (60.0, 30.0)
    assert outcome_row["direction"] == "decrease"
    answered = {q["prompt"]: q for q in data["questions"]}
    assert answered[first_prompt]["answer"].startswith("New hires, their managers")
    assert answered[first_prompt]["status"] == "answered"
    assert answered["What do we stop doing?"]["status"] == "open"
    nodes = {n["title"]: n for n in data["map"]}
    assert set(nodes) == {
        "Every new hire has a buddy",
        "Buddy guide written",
        "Managers pick buddies",
    }
    top = nodes["Every new hire has a buddy"]
    assert top.get("parent", "") == ""
    assert (top["owner"], top["duration_days"]) == ("Lee", 45)
    assert nodes["Buddy guide written"]["parent"] == top["id"]
    assert nodes["Managers pick buddies"]["parent"] == top["id"]
    [pilot_row] = data["pilots"]
    assert pilot_row["name"] == "Buddies in the support team"
    assert pilot_row["tests"] == [top["id"]]
    assert pilot_row["outcome"] == outcome_row["id"]
    assert (pilot_row["start"], pilot_row["end"]) == (date(2027, 1, 11), date(2027, 2, 22))

    # Reopen: every field is shown again.
    again = make_app(open_session=data["id"])
    async with again.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(again.screen, SummaryScreen)
        await pilot.press("ctrl+b", "ctrl+b", "ctrl+b", "ctrl+b")
        await settle(pilot)
        assert isinstance(again.screen, FutureStateScreen)
        screen = again.screen
        assert screen.query_one("#statement", TextArea).text == fs["statement"]
        assert screen.query_one("#target-date", Input).value == "2027-12-31"
        assert screen.query_one("#outcomes").row_count == 1
        await pilot.press("ctrl+n", "ctrl+n")
        await settle(pilot)
        tree = again.screen.query_one(Tree)
        labels = [str(node.label) for node in tree.root.children]
        assert any("Every new hire has a buddy" in label for label in labels)
