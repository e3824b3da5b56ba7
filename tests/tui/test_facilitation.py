"""Facilitating a live room: parking lot, help, session details, presenter view."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from textual.widgets import Input, Tree

from backplan_tui.core import templates
from backplan_tui.core.storage import SessionStore
from backplan_tui.tui.app import BackplanApp, create_app
from backplan_tui.tui.dialogs import ConfirmScreen, FormScreen
from backplan_tui.tui.screens.future_state import FutureStateScreen
from backplan_tui.tui.screens.help import HelpScreen
from backplan_tui.tui.screens.parking_lot import ParkingLotScreen
from backplan_tui.tui.screens.pilots import PilotsScreen
from backplan_tui.tui.screens.reverse_map import ReverseMapScreen
from backplan_tui.tui.screens.summary import SummaryScreen
from backplan_tui.tui.screens.voting import VoteScreen
from helpers import TODAY, settle


def on_disk(data_dir: Path) -> dict:
    return tomllib.loads((data_dir / "sessions" / "demo.toml").read_text("utf-8"))


async def test_park_an_item_then_turn_it_into_a_map_node(data_dir: Path, demo_at) -> None:
    app = demo_at()
    before = list(templates.demo_session(TODAY).facilitation.parking_lot)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, ReverseMapScreen)
        await pilot.press("ctrl+l")
        await settle(pilot)
        assert isinstance(app.screen, ParkingLotScreen)
        await pilot.press(*"Pay")  # typed for real into the capture line
        app.screen.query_one("#park-input", Input).value = "Pay bands for support roles"
        await pilot.press("enter")
        await settle(pilot)
        assert app.session.facilitation.parking_lot == [*before, "Pay bands for support roles"]
        await pilot.press("tab")  # into the list; the new item is highlighted
        await pilot.press("m")
        await settle(pilot)
        assert app.session.facilitation.parking_lot == before
        node = app.session.map[-1]
        assert (node.title, node.parent) == ("Pay bands for support roles", "")
        await pilot.press("escape")
        await settle(pilot)
        # The map behind the dialog shows the new node at once.
        labels = [str(n.label) for n in app.screen.query_one(Tree).root.children]
        assert any("Pay bands for support roles" in label for label in labels)
        await pilot.press("ctrl+q")
    data = on_disk(data_dir)
    assert data["facilitation"].get("parking_lot", []) == before
    assert any(n["title"] == "Pay bands for support roles" for n in data["map"])


async def test_help_lists_every_screens_keys_and_closes(demo_at) -> None:
    app = demo_at()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("f1")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        text = "\n".join(str(s.render()) for s in app.screen.query(".help-section"))
        for expected in ("Add before", "Next step", "Park it", "Duplicate", "Ctrl+N", "Esc"):
            assert expected in text, expected
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, ReverseMapScreen)
        await pilot.press("question_mark")  # "?" opens help when no field has focus
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        await settle(pilot)
        # ...but "?" typed in a field stays in the field.
        await pilot.press("ctrl+b", "ctrl+b")
        await settle(pilot)
        objective = app.screen.query_one("#aligned-objective", Input)
        objective.focus()
        await settle(pilot)  # focus selects the field's text; then set our own
        objective.value = "Why"
        objective.cursor_position = 3
        await pilot.press("question_mark")
        await settle(pilot)
        assert objective.value == "Why?"
        assert isinstance(app.screen, FutureStateScreen)


async def test_participants_and_facilitator_editable_during_the_session(
    data_dir: Path, demo_at
) -> None:
    app = demo_at()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("f2")
        await settle(pilot)
        form = app.screen
        form.query_one("#field-participants", Input).value = "Dana, Lee, Sam, Priya, Ahmed, Lee"
        form.query_one("#field-facilitator", Input).value = "Lee"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.session.participants == ["Dana", "Lee", "Sam", "Priya", "Ahmed"]
        await pilot.press("ctrl+q")
    data = on_disk(data_dir)
    assert data["facilitator"] == "Lee"
    assert data["participants"] == ["Dana", "Lee", "Sam", "Priya", "Ahmed"]


async def test_presenter_view_hides_the_chrome_and_comes_back(demo_at) -> None:
    app = demo_at()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert app.screen.query_one("Footer").display
        await pilot.press("f9")
        await settle(pilot)  # a theme switch re-parses the stylesheet
        assert app.presenter and app.screen.has_class("-presenter")
        assert not app.screen.query_one("Footer").display
        assert app.screen.query_one("#prompts").display  # the prompt stays
        assert app.theme == "backplan-projector"
        await pilot.press("ctrl+n")  # it survives a step change
        await settle(pilot)
        assert isinstance(app.screen, PilotsScreen)
        assert not app.screen.query_one("Footer").display
        await pilot.press("f9")
        await settle(pilot)  # a theme switch re-parses the stylesheet
        assert not app.presenter
        assert app.screen.query_one("Footer").display
        assert app.theme == "backplan-dark"


def plan_state(app: BackplanApp) -> dict:
    """The session minus its bookkeeping (revision, updated, step, timer usage)."""
    from backplan_tui.core import codec

    data = codec.to_dict(app.session)
    for key in ("revision", "updated", "current_step"):
        data.pop(key, None)
    return data


@pytest.mark.long
async def test_undo_and_redo_ten_edits(data_dir: Path, demo_at) -> None:
    app = demo_at()
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, ReverseMapScreen)
        states = [plan_state(app)]
        await pilot.press("down")
        for n in range(10):  # status changes and moves: ten separate undo steps
            await pilot.press("x" if n % 2 == 0 else "down")
            if n % 2 == 1:
                await pilot.press("x")
            await settle(pilot)
            states.append(plan_state(app))
        assert len({repr(s) for s in states}) == 11  # every edit changed something
        for expected in reversed(states[:-1]):
            await pilot.press("ctrl+z")
            await settle(pilot)
            assert plan_state(app) == expected
        assert any("Undone: mark" in n.message for n in app._notifications)
        for expected in states[1:]:
            await pilot.press("ctrl+y")
            await settle(pilot)
            assert plan_state(app) == expected
        await pilot.press("ctrl+z")  # undo survives autosave: the file follows the undo
        await settle(pilot)
        await pilot.press("ctrl+q")
    from backplan_tui.core import codec

    saved = codec.to_dict(SessionStore(data_dir).load("demo"))
    assert saved["map"] == states[-2]["map"]


async def test_timebox_runs_to_zero_and_past_it_with_a_fake_clock(data_dir: Path, demo_at) -> None:
    now = [1000.0]
    app = demo_at(clock=lambda: now[0])
    bells: list[int] = []
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        app.bell = lambda: bells.append(1)
        await settle(pilot)
        timer = app.screen.query_one("#timer")
        assert str(timer.render()) == "‖ 40:00"  # the demo plans 40 minutes for the map
        await pilot.press("f3")
        await settle(pilot)
        assert str(timer.render()) == "▶ 40:00"
        now[0] += 39 * 60 + 30
        app._tick()
        assert str(timer.render()) == "▶ 00:30"
        assert not bells
        now[0] += 35  # past zero
        app._tick()
        assert bells == [1]
        assert str(timer.render()) == "▶ -00:05"
        assert timer.has_class("-overrun")
        await settle(pilot)  # the toast is a message
        assert any("Time is up for Reverse map" in n.message for n in app._notifications)
        now[0] += 10
        app._tick()
        assert bells == [1]  # one signal per zero crossing
        await pilot.press("f4")  # +5 minutes
        await settle(pilot)
        assert str(timer.render()) == "▶ 04:45"
        assert not timer.has_class("-overrun")
        await pilot.press("f3")  # pause: the clock stops
        now[0] += 600
        await settle(pilot)
        assert str(timer.render()) == "‖ 04:45"
        await pilot.press("ctrl+q")
    used = SessionStore(data_dir).load("demo").facilitation.used_seconds
    assert used == {"reverse_map": 40 * 60 + 15}


async def test_a_tick_before_a_new_step_screen_is_drawn_waits_for_it(demo_at) -> None:
    # Seen under load: the clock's tick came between a step screen's push and its compose,
    # and asked the screen for its "#timer" before it had one (NoMatches ended the app).
    now = [1000.0]
    app = demo_at(clock=lambda: now[0])
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("f3")  # the map's clock runs
        await settle(pilot)
        pilots = app.make_step_screen("pilots")
        app.push_screen(pilots)  # not awaited: pushed, not yet composed
        now[0] += 60
        app._tick()  # no exception: a screen not mounted yet shows its clock on mount
        await settle(pilot)
        assert app.screen is pilots
        assert str(pilots.query_one("#timer").render()).startswith("‖")  # its own, paused


async def test_three_participants_vote_and_the_ranking_follows(data_dir: Path) -> None:
    store = SessionStore(data_dir)
    session = templates.instantiate(
        "hr-retention",
        session_id="vote",
        title="Vote on the map",
        today=TODAY,
        participants=["Dana", "Lee", "Sam"],
    )
    session.current_step = "reverse_map"
    store.create(session)
    first, second, third = (n.id for n in session.map[:3])
    app = create_app(data_dir, open_session="vote", today=lambda: TODAY, autosave_delay=0.05)
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("v")
        await settle(pilot)
        assert isinstance(app.screen, VoteScreen)
        # Dana: two votes on the second item, one on the third.
        await pilot.press("down", "plus", "plus", "down", "plus")
        await pilot.press("plus")  # a fourth vote is refused: 3 each
        await settle(pilot)
        assert any("Dana has no map node votes left" in n.message for n in app._notifications)
        # Lee: all three on the third item; Sam: one on the first.
        await pilot.press("right", "plus", "plus", "plus")
        await pilot.press("right", "up", "up", "plus")
        await settle(pilot)
        nodes = {n.id: n for n in app.session.map}
        assert nodes[second].votes == {"Dana": 2}
        assert nodes[third].votes == {"Dana": 1, "Lee": 3}
        assert nodes[first].votes == {"Sam": 1}
        await pilot.press("s")  # sort by the ranking
        await settle(pilot)
        table = app.screen.query_one("#vote-table")
        top = [str(table.get_row_at(i)[0]) for i in range(3)]  # type: ignore[attr-defined]
        assert top == ["4", "2", "1"]
        # The cursor stays on Sam's item through the sort: Sam takes the vote back.
        await pilot.press("minus")
        await settle(pilot)
        await pilot.press("escape", "ctrl+q")
    saved = {n.id: n.votes for n in SessionStore(data_dir).load("vote").map}
    assert saved[third] == {"Dana": 1, "Lee": 3}
    assert saved[second] == {"Dana": 2}
    assert saved[first] == {}


async def test_the_summary_shows_planned_and_used_minutes_per_step(data_dir: Path, demo_at) -> None:
    now = [50.0]
    app = demo_at(clock=lambda: now[0])
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("f3")  # the map's timebox runs ten minutes
        now[0] += 600
        await pilot.press("f3")
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert isinstance(app.screen, SummaryScreen)
        prompts = str(app.screen.query_one("#prompts").render())
        assert "Reverse map 10/40" in prompts
        assert "Total 10/115 min" in prompts


# --- per-session timeboxes from F2 ---------------------------------------------------------


async def wait_until_saved(pilot: object, app: BackplanApp) -> None:
    """Autosave fires on a timer, then writes in a worker: wait for both (bounded)."""
    for _ in range(100):
        await settle(pilot)
        await app.workers.wait_for_complete()
        if app.document is not None and not app.document.dirty:
            return
    raise AssertionError("autosave did not run")


async def tab_to_timebox_field(pilot: object, app: BackplanApp, step: str) -> Input:
    """From the first field (Title) of the F2 form, Tab to the step's minutes field."""
    order = ["title", "team", "facilitator", "participants", "votes_per_person"]
    order += [f"timebox_{s}" for s in ("future_state", "questions", "reverse_map", "pilots")]
    await pilot.press(*["tab"] * order.index(f"timebox_{step}"))  # type: ignore[attr-defined]
    await settle(pilot)
    field = app.screen.query_one(f"#field-timebox_{step}", Input)
    assert app.focused is field
    return field


async def test_f2_changes_the_steps_timebox_the_countdown_and_the_file(
    data_dir: Path, demo_at
) -> None:
    now = [100.0]
    app = demo_at(clock=lambda: now[0])
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, ReverseMapScreen)
        timer = app.screen.query_one("#timer")
        await pilot.press("f3")  # the map's clock runs one minute of its 40
        now[0] += 60
        app._tick()
        assert str(timer.render()) == "▶ 39:00"
        await pilot.press("f2")
        await settle(pilot)
        assert isinstance(app.screen, FormScreen)
        field = await tab_to_timebox_field(pilot, app, "reverse_map")
        assert field.value == "40"
        await pilot.press("3", "0")  # Tab selected the old value: typing replaces it
        assert field.value == "30"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ReverseMapScreen)
        # The running clock keeps its minute and counts down from the new plan.
        assert str(timer.render()) == "▶ 29:00"
        assert app.session.facilitation.timebox_minutes["reverse_map"] == 30
        await wait_until_saved(pilot, app)
        saved = on_disk(data_dir)["facilitation"]["timebox_minutes"]
        assert saved["reverse_map"] == 30
        assert saved["future_state"] == 20  # the other steps are left as they were
        # One undo step, like every details edit: Ctrl+Z puts the plan and the clock back.
        await pilot.press("ctrl+z")
        await settle(pilot)
        assert app.session.facilitation.timebox_minutes["reverse_map"] == 40
        assert str(timer.render()) == "▶ 39:00"
        await wait_until_saved(pilot, app)
        assert on_disk(data_dir)["facilitation"]["timebox_minutes"]["reverse_map"] == 40
        await pilot.press("ctrl+q")


async def test_f2_timebox_on_another_step_reaches_that_steps_clock(data_dir: Path, demo_at) -> None:
    now = [100.0]
    app = demo_at(clock=lambda: now[0])
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("f2")
        await settle(pilot)
        await tab_to_timebox_field(pilot, app, "pilots")
        await pilot.press("4", "5", "enter")  # Enter in a one-line field saves too
        await settle(pilot)
        await pilot.press("ctrl+n")  # on to the pilots step
        await settle(pilot)
        assert isinstance(app.screen, PilotsScreen)
        assert str(app.screen.query_one("#timer").render()) == "‖ 45:00"
        await pilot.press("ctrl+r")  # the summary's agenda line plans 45 for the pilots
        await settle(pilot)
        assert "Small pilots 0/45" in str(app.screen.query_one("#prompts").render())
        await pilot.press("ctrl+q")
    assert on_disk(data_dir)["facilitation"]["timebox_minutes"]["pilots"] == 45


async def test_f2_refuses_a_timebox_outside_1_to_120_minutes(data_dir: Path, demo_at) -> None:
    now = [100.0]
    app = demo_at(clock=lambda: now[0])
    file = data_dir / "sessions" / "demo.toml"
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+s")  # the file as it is before the attempt
        await settle(pilot)
        before = file.read_bytes()
        for typed, message in (("0", "at least 1"), ("500", "at most 120")):
            await pilot.press("f2")
            await settle(pilot)
            await tab_to_timebox_field(pilot, app, "future_state")
            await pilot.press(*typed, "ctrl+s")
            await settle(pilot)
            assert isinstance(app.screen, FormScreen)  # the form stays open
            error = str(app.screen.query_one("#form-error").render())
            assert error == f"Future state (min): {message}"
            assert app.focused is app.screen.query_one("#field-timebox_future_state")
            await pilot.press("escape")  # something was typed: asked first
            await settle(pilot)
            assert isinstance(app.screen, ConfirmScreen)
            await pilot.press("y")  # discard
            await settle(pilot)
            assert isinstance(app.screen, ReverseMapScreen)
        assert app.session.facilitation.timebox_minutes["future_state"] == 20
        assert app.agenda is not None
        assert app.agenda.timebox("future_state").planned_seconds == 20 * 60
        assert app.document is not None and not app.document.dirty
        assert app.history.peek_undo() is None  # not even an undo step
        await pilot.press("ctrl+q")
    assert file.read_bytes() == before


async def test_prompts_show_whole_prompts_only_normal_and_presenter(demo_at) -> None:
    """At 80x24 not every prompt fits: the ones shown are whole, never cut mid-sentence."""
    app = demo_at()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        every = templates.prompts(app.session.template)["reverse_map"]
        shown: dict[bool, list[str]] = {}
        for presenter, cap in ((False, 3), (True, 6)):
            if presenter:
                await pilot.press("f9")
                await settle(pilot)  # a theme switch re-parses the stylesheet
            prompts = app.screen.query_one("#prompts")
            lines = str(prompts.render()).split("\n")
            assert all(line.startswith("› ") for line in lines)
            shown[presenter] = [line.removeprefix("› ") for line in lines]
            assert shown[presenter] == every[: len(lines)]  # whole prompts, in order
            assert prompts.size.height <= cap
            assert prompts.content_size.width == 76
        # Hand-counted at 76 columns of text: the method's prompts take 1, 1, 2, 1, 2 (the
        # milestones one) and 2 lines.  Normal view (3 lines) fits the first two (a third would
        # need 4); presenter view (6 lines) fits four (1+1+2+1 = 5; the fifth would need 7).
        # Six method prompts and the template's two.
        assert (len(every), len(shown[False]), len(shown[True])) == (8, 2, 4)
