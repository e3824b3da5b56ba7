"""The parking lot in a fast room: keys meant as text never become commands (issue 14,
item 1).  After a conversion or a delete the typing line has the focus again; an empty list
never takes it; letters typed in the list go to the typing line; no letter deletes; each
conversion or delete says in the dialog what it did, and Ctrl+Z there undoes it."""

from __future__ import annotations

import tomllib
from pathlib import Path

from textual.widgets import Input, OptionList, Static

from backplan_tui.core import templates
from backplan_tui.core.storage import SessionStore
from backplan_tui.tui.app import BackplanApp, create_app
from backplan_tui.tui.screens.reverse_map import ReverseMapScreen
from helpers import TODAY


def empty_lot_app(data_dir: Path) -> BackplanApp:
    demo = templates.demo_session(TODAY)
    demo.facilitation.parking_lot = []
    SessionStore(data_dir).create(demo)
    return create_app(data_dir, open_session="demo", today=lambda: TODAY, autosave_delay=0.05)


def on_disk(data_dir: Path) -> dict:
    return tomllib.loads((data_dir / "sessions" / "demo.toml").read_text("utf-8"))


def shown(app: BackplanApp) -> list[str]:
    parked = app.screen.query_one(OptionList)
    return [str(parked.get_option_at_index(i).prompt) for i in range(parked.option_count)]


def typing_line(app: BackplanApp) -> Input:
    return app.screen.query_one("#park-input", Input)


def status(app: BackplanApp) -> str:
    return str(app.screen.query_one("#park-status", Static).render())


async def test_the_reported_keys_convert_one_item_and_the_rest_is_text(data_dir: Path) -> None:
    """Ctrl+L, A Enter B Enter C Enter, Tab, q, then "dp": once q has turned the highlighted
    topic into a question, "dp" is text on the typing line: nothing deleted, no pilot."""
    app = empty_lot_app(data_dir)
    questions = [q.prompt for q in templates.demo_session(TODAY).questions]
    pilots = [p.name for p in templates.demo_session(TODAY).pilots]
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+l")
        await pilot.pause()
        await pilot.press("A", "enter", "B", "enter", "C", "enter", "tab")
        await pilot.pause()
        assert app.focused is app.screen.query_one(OptionList)
        assert shown(app) == ["A", "B", "C"]  # C, the last parked, is highlighted
        await pilot.press("q", "d", "p")
        await pilot.pause()
        # Only q was a command: nothing deleted, no pilot; "dp" is on the typing line,
        # which has the focus again, and the dialog says what q did.
        assert [p.name for p in app.session.pilots] == pilots
        assert shown(app) == ["A", "B"]
        assert [q.prompt for q in app.session.questions] == [*questions, "C"]
        assert app.focused is typing_line(app)
        assert typing_line(app).value == "dp"
        assert status(app) == "Turned C into a question. Ctrl+Z undoes it."
        await pilot.press("enter")  # "dp" was meant as a topic: it is parked like one
        await pilot.pause()
        assert shown(app) == ["A", "B", "dp"]
        await pilot.press("escape", "ctrl+q")
    data = on_disk(data_dir)
    assert data["facilitation"]["parking_lot"] == ["A", "B", "dp"]
    assert [q["prompt"] for q in data["questions"]] == [*questions, "C"]
    assert [p["name"] for p in data["pilots"]] == pilots


async def test_an_empty_list_never_takes_the_typing(data_dir: Path) -> None:
    """With nothing parked, Tab stays on the typing line; deleting the last item gives the
    focus back to it, so the next topic typed is kept; Ctrl+Z brings the deleted one back."""
    app = empty_lot_app(data_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+l")
        await pilot.pause()
        await pilot.press("tab")
        assert app.focused is typing_line(app)  # the empty list is not a place to type
        await pilot.press(*"Budget", "enter", "tab")
        assert app.focused is app.screen.query_one(OptionList)
        await pilot.press("d")  # a letter is text: it never deletes
        await pilot.pause()
        assert shown(app) == ["Budget"]
        assert app.focused is typing_line(app) and typing_line(app).value == "d"
        await pilot.press("ctrl+u", "tab", "delete")  # Delete deletes, and says so
        await pilot.pause()
        assert shown(app) == []
        assert status(app) == "Deleted Budget. Ctrl+Z undoes it."
        assert app.focused is typing_line(app)
        await pilot.press(*"Hiring freeze", "enter")
        await pilot.pause()
        assert shown(app) == ["Hiring freeze"]
        await pilot.press("ctrl+z", "ctrl+z")  # the new topic, then the delete
        await pilot.pause()
        assert shown(app) == ["Budget"]
        assert status(app) == "Undone: remove parked Budget."
        await pilot.press("ctrl+y")
        await pilot.pause()
        assert shown(app) == []
        await pilot.press("ctrl+z")
        await pilot.pause()
        await pilot.press("escape", "ctrl+q")
    assert on_disk(data_dir)["facilitation"]["parking_lot"] == ["Budget"]


async def test_typing_in_the_list_goes_to_the_typing_line(data_dir: Path) -> None:
    """Type-to-capture: in the list, a printable key that is not q, m or p is text, and a
    topic left typed at Esc is parked, not lost."""
    app = empty_lot_app(data_dir)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+l")
        await pilot.pause()
        await pilot.press(*"Pay bands", "enter", "tab")
        await pilot.press(*"Hiring freeze")  # no q, m or p in it
        await pilot.pause()
        assert app.focused is typing_line(app)
        assert typing_line(app).value == "Hiring freeze"
        assert shown(app) == ["Pay bands"]
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ReverseMapScreen)
        assert any(n.message == "Parked on close: Hiring freeze" for n in app._notifications)
        await pilot.press("ctrl+q")
    assert on_disk(data_dir)["facilitation"]["parking_lot"] == ["Pay bands", "Hiring freeze"]


async def test_topics_typed_in_one_burst_are_each_parked_once(data_dir: Path) -> None:
    """A fast typist (or a paste): every key of "A⏎B⏎C⏎D" arrives before the screen handles
    the first Enter.  Each topic is parked once, none is lost or doubled, and the last one,
    not yet submitted, is still on the typing line.  (Found in tmux: "BC" was parked twice
    and "B" and "C" were never parked on their own.)"""
    from textual.events import Key

    app = empty_lot_app(data_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+l")
        await pilot.pause()
        for key, char in (
            ("A", "A"),
            ("enter", "\r"),
            ("B", "B"),
            ("enter", "\r"),
            ("C", "C"),
            ("enter", "\r"),
            ("D", "D"),
        ):
            app.post_message(Key(key, char))  # queued at once, as a terminal sends them
        await pilot.pause()
        await pilot.pause()
        assert shown(app) == ["A", "B", "C"]
        assert typing_line(app).value == "D"
        await pilot.press("escape")  # Esc parks what is still typed
        await pilot.pause()
        await app.workers.wait_for_complete()
    assert on_disk(data_dir)["facilitation"]["parking_lot"] == ["A", "B", "C", "D"]
