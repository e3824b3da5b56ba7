"""Facilitating a live room: parking lot, help, session details, presenter view."""

from __future__ import annotations

import tomllib
from datetime import date
from pathlib import Path

from textual.widgets import Footer, Input, Tree

from backplan_tui.core import templates
from backplan_tui.core.store import SessionStore
from backplan_tui.tui.app import BackplanApp, create_app

TODAY = date(2026, 11, 23)


def demo_app(data_dir: Path) -> BackplanApp:
    SessionStore(data_dir).create(templates.demo_session(TODAY))
    return create_app(data_dir, open_session="demo", today=lambda: TODAY, autosave_delay=0.05)


def on_disk(data_dir: Path) -> dict:
    return tomllib.loads((data_dir / "sessions" / "demo.toml").read_text("utf-8"))


async def test_park_an_item_then_turn_it_into_a_map_node(data_dir: Path) -> None:
    app = demo_app(data_dir)
    before = list(templates.demo_session(TODAY).facilitation.parking_lot)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause(0.1)
        assert app.screen.__class__.__name__ == "ReverseMapScreen"
        await pilot.press("ctrl+l")
        await pilot.pause(0.1)
        assert app.screen.__class__.__name__ == "ParkingLotScreen"
        await pilot.press(*"Pay")  # typed for real into the capture line
        app.screen.query_one("#park-input", Input).value = "Pay bands for support roles"
        await pilot.press("enter")
        await pilot.pause(0.1)
        assert app.session.facilitation.parking_lot == [*before, "Pay bands for support roles"]
        await pilot.press("tab")  # into the list; the new item is highlighted
        await pilot.press("m")
        await pilot.pause(0.1)
        assert app.session.facilitation.parking_lot == before
        node = app.session.map[-1]
        assert (node.title, node.parent) == ("Pay bands for support roles", "")
        await pilot.press("escape")
        await pilot.pause(0.1)
        # The map behind the dialog shows the new node at once.
        labels = [str(n.label) for n in app.screen.query_one(Tree).root.children]
        assert any("Pay bands for support roles" in label for label in labels)
        await pilot.press("ctrl+q")
    data = on_disk(data_dir)
    assert data["facilitation"].get("parking_lot", []) == before
    assert any(n["title"] == "Pay bands for support roles" for n in data["map"])


async def test_help_lists_every_screens_keys_and_closes(data_dir: Path) -> None:
    app = demo_app(data_dir)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause(0.1)
        await pilot.press("f1")
        await pilot.pause(0.1)
        assert app.screen.__class__.__name__ == "HelpScreen"
        text = "\n".join(str(s.render()) for s in app.screen.query(".help-section"))
        for expected in ("Add before", "Next step", "Park it", "Duplicate", "Ctrl+N", "Esc"):
            assert expected in text, expected
        await pilot.press("escape")
        await pilot.pause(0.1)
        assert app.screen.__class__.__name__ == "ReverseMapScreen"
        await pilot.press("question_mark")  # "?" opens help when no field has focus
        await pilot.pause(0.1)
        assert app.screen.__class__.__name__ == "HelpScreen"
        await pilot.press("escape")
        await pilot.pause(0.1)
        # ...but "?" typed in a field stays in the field.
        await pilot.press("ctrl+b", "ctrl+b")
        await pilot.pause(0.1)
        objective = app.screen.query_one("#aligned-objective", Input)
        objective.focus()
        await pilot.pause(0.1)  # focus selects the field's text; then set our own
        objective.value = "Why"
        objective.cursor_position = 3
        await pilot.press("question_mark")
        await pilot.pause(0.1)
        assert objective.value == "Why?"
        assert app.screen.__class__.__name__ == "FutureStateScreen"


async def test_participants_and_facilitator_editable_during_the_session(data_dir: Path) -> None:
    app = demo_app(data_dir)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause(0.1)
        await pilot.press("f2")
        await pilot.pause(0.1)
        form = app.screen
        form.query_one("#field-participants", Input).value = "Dana, Lee, Sam, Priya, Ahmed, Lee"
        form.query_one("#field-facilitator", Input).value = "Lee"
        await pilot.press("ctrl+s")
        await pilot.pause(0.1)
        assert app.session.participants == ["Dana", "Lee", "Sam", "Priya", "Ahmed"]
        await pilot.press("ctrl+q")
    data = on_disk(data_dir)
    assert data["facilitator"] == "Lee"
    assert data["participants"] == ["Dana", "Lee", "Sam", "Priya", "Ahmed"]


async def test_presenter_view_hides_the_chrome_and_comes_back(data_dir: Path) -> None:
    app = demo_app(data_dir)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause(0.1)
        assert app.screen.query_one(Footer).display
        await pilot.press("f9")
        await pilot.pause(0.1)
        assert app.has_class("-presenter")
        assert not app.screen.query_one(Footer).region.height
        assert app.screen.query_one("#prompts").region.height > 0  # the prompt stays
        await pilot.press("ctrl+n")  # it survives a step change
        await pilot.pause(0.1)
        assert app.screen.__class__.__name__ == "PilotsScreen"
        assert not app.screen.query_one(Footer).region.height
        await pilot.press("f9")
        await pilot.pause(0.1)
        assert not app.has_class("-presenter")
        assert app.screen.query_one(Footer).region.height == 1
