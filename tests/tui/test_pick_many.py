"""The pilot form's "Tests" field: one line in the form, ticked in a filterable dialog.

The form stays small (typing into it lays out and paints only the form), and the choice of
conditions moves to ``PickManyScreen``: type to filter, space ticks, Enter confirms, Esc
cancels, ticks hidden by the filter are kept.
"""

from __future__ import annotations

from pathlib import Path

from textual.widgets import SelectionList

from backplan_tui.core.model import MapNode, Pilot, Session
from backplan_tui.core.storage import SessionStore
from backplan_tui.tui.app import BackplanApp
from backplan_tui.tui.dialogs import ChoicesField, FormScreen, PickManyScreen
from helpers import settle

HOSTILE = "[/] [Setup] [b]x [@click=app.quit]q[/]"


def plan(data_dir: Path) -> None:
    session = Session(
        id="plan",
        title="Plan",
        current_step="pilots",
        map=[
            MapNode(id="m1", title="Buddy guide written"),
            MapNode(id="m2", title="Managers pick buddies"),
            MapNode(id="m3", title="Survey tool chosen"),
            MapNode(id="m4", title=HOSTILE),
        ],
        pilots=[Pilot(id="p1", name="Buddies in support", tests=["m2"])],
    )
    SessionStore(data_dir).create(session)


async def open_picker(app: BackplanApp, pilot: object) -> ChoicesField:
    await pilot.press("e")  # type: ignore[attr-defined]
    await settle(pilot)
    assert isinstance(app.screen, FormScreen)
    field = app.screen.query_one("#field-tests", ChoicesField)
    field.focus()
    await pilot.press("enter")  # type: ignore[attr-defined]
    await settle(pilot)
    assert isinstance(app.screen, PickManyScreen)
    return field


async def test_filter_tick_and_confirm(data_dir: Path, make_app) -> None:
    plan(data_dir)
    app = make_app("plan", autosave_delay=600)
    async with app.run_test(size=(100, 30)) as pilot:
        field = await open_picker(app, pilot)
        assert field.value == ["m2"]
        picks = app.screen.query_one(SelectionList)
        assert picks.has_focus and picks.selected == ["m2"]
        await pilot.press(*"survey")  # typing on the list goes to the filter
        await settle(pilot)
        assert picks.option_count == 1
        await pilot.press("down", "space")  # back to the list, tick "Survey tool chosen"
        await pilot.press("escape")  # Esc cancels: the field keeps its value
        await settle(pilot)
        assert isinstance(app.screen, FormScreen)
        assert field.value == ["m2"]

        await pilot.press("enter")  # open it again
        await settle(pilot)
        picks = app.screen.query_one(SelectionList)
        await pilot.press(*"budd", "down", "space")  # tick "Buddy guide written"
        await pilot.press("down", "space")  # untick "Managers pick buddies"
        await settle(pilot)
        await pilot.press("slash", *["backspace"] * 4)  # "/" goes back to the filter
        await settle(pilot)
        assert picks.option_count == 4  # no filter: every condition
        await pilot.press(*"survey", "down", "space")  # a tick under another filter
        await pilot.press("enter")  # Enter on the list confirms (it does not tick)
        await settle(pilot)
        assert isinstance(app.screen, FormScreen)
        assert field.value == ["m1", "m3"]  # in map order, the hidden tick kept
        shown = str(field.render())  # the titles, cut to fit, and the count
        assert shown.startswith("Buddy guide written, Survey") and shown.endswith("(2 conditions)")

        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.session.pilots[0].tests == ["m1", "m3"]


async def test_hostile_titles_are_literal_in_the_picker(data_dir: Path, make_app) -> None:
    plan(data_dir)
    app = make_app("plan", autosave_delay=600)
    async with app.run_test(size=(100, 30)) as pilot:
        field = await open_picker(app, pilot)
        picks = app.screen.query_one(SelectionList)
        prompts = [str(picks.get_option_at_index(i).prompt) for i in range(picks.option_count)]
        # a tick is shown in words too ("✓ "), not only by the checkbox's colour
        assert prompts == [
            "  Buddy guide written",
            "✓ Managers pick buddies",
            "  Survey tool chosen",
            f"  {HOSTILE}",
        ]
        await pilot.press(*"setup", "down", "space")
        await settle(pilot)
        assert str(picks.get_option_at_index(0).prompt) == f"✓ {HOSTILE}"  # the filtered list
        await pilot.press("enter")
        await settle(pilot)
        assert field.value == ["m2", "m4"]
        assert str(field.render()).startswith("Managers pick buddies, [/] [Setup] ")  # cut to fit
        assert app.return_code is None and app.is_running
