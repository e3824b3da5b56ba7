"""Hostile user text shows literally everywhere and fires nothing.

``[/]`` crashes a markup parse, ``[Setup]`` is swallowed as a tag, ``[@click=app.quit]``
would quit the app when clicked, control characters would drive the terminal.  The session
below carries them in every field the app shows; the test visits every screen, opens the
editors, deletes an item (toast) and checks the text is on screen exactly as typed.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from textual.widgets import DataTable, Input, Static, TextArea, Tree

from backplan_tui.core.model import (
    FutureState,
    MapNode,
    Outcome,
    Pilot,
    Question,
    Session,
)
from backplan_tui.core.storage import SessionStore
from backplan_tui.tui.app import create_app
from backplan_tui.tui.dialogs import FormScreen
from backplan_tui.tui.screens.future_state import FutureStateScreen
from backplan_tui.tui.screens.pilots import PilotsScreen
from backplan_tui.tui.screens.questions import QuestionsScreen
from backplan_tui.tui.screens.reverse_map import ReverseMapScreen
from backplan_tui.tui.screens.summary import SummaryScreen
from backplan_tui.tui.widgets.session_list import SessionList
from backplan_tui.tui.widgets.summary_view import SummaryView
from helpers import TODAY, settle

HOSTILE = "[/] [Setup] [b]x [@click=app.quit]q[/]"
CONTROL = "Plan\x1b[31m red\x07 \x9b1m"


def hostile_session() -> Session:
    return Session(
        id="hostile",
        title=HOSTILE,
        team=HOSTILE,
        facilitator=HOSTILE,
        participants=[HOSTILE],
        future_state=FutureState(
            statement=HOSTILE,
            aligned_objective=HOSTILE,
            target_date=date(2027, 12, 31),
            outcomes=[Outcome(id="o1", metric=HOSTILE, unit="[%]", baseline=1.0, target=2.0)],
        ),
        questions=[Question(id="q1", prompt=HOSTILE, answer=HOSTILE, owner=HOSTILE)],
        map=[
            MapNode(id="m1", title=HOSTILE, owner=HOSTILE, duration_days=5, notes=HOSTILE),
            MapNode(id="m2", title=HOSTILE + " child", parent="m1", votes={HOSTILE: 2}),
        ],
        pilots=[Pilot(id="p1", name=HOSTILE, hypothesis=HOSTILE, tests=["m1"], owner=HOSTILE)],
    )


def screen_text(app: object) -> str:
    """Every visible Static/Input/table/tree as plain text, the way a person reads it."""
    parts: list[str] = []
    screen = app.screen  # type: ignore[attr-defined]
    for widget in screen.query(Static):
        parts.append(str(widget.render()))
    for widget in screen.query(Input):
        parts.append(widget.value)
    for area in screen.query(TextArea):
        parts.append(area.text)
    for table in screen.query(DataTable):
        for row in range(table.row_count):
            parts.extend(str(c) for c in table.get_row_at(row))
    for rows in screen.query(SessionList):
        for row in range(rows.row_count):
            parts.extend(str(c) for c in rows.cells(row))
    for view in screen.query(SummaryView):
        parts.append(view.text())
    for tree in screen.query(Tree):
        stack = [tree.root]
        while stack:
            node = stack.pop()
            parts.append(str(node.label))
            stack.extend(node.children)
    return "\n".join(parts)


@pytest.mark.long
async def test_hostile_text_is_literal_everywhere(data_dir: Path) -> None:
    SessionStore(data_dir).create(hostile_session())
    app = create_app(data_dir, today=lambda: TODAY, autosave_delay=0.05)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        home = app.screen
        table = home.query_one(SessionList)
        assert str(table.cells(0)[0]) == "[/] [Setup] [b]x [@click=app.quit]q[/]"
        assert "[/] [Setup] [b]x [@click=app.quit]q[/]" in table.render_line(1).text
        assert str(table.cells(0)[3]) == "[/] [Setup] [b]…"  # the team, cut to 16 columns
        due = str(table.cells(0)[2])  # the next due item's title, cut, literal
        glance = str(home.query_one("#glance").render())  # and in full under the table
        # m2 (below m1, 5 days before the goal's 2027-12-31) is due first; no owner
        assert due == "26 Dec [/] [Setup] [b]x…"
        assert f"Next due 2027-12-26: {HOSTILE} child\n" in glance
        app.save_screenshot(path=str(data_dir), filename="home.svg")

        await pilot.press("enter")
        await settle(pilot)
        for screen_class in (
            FutureStateScreen,
            QuestionsScreen,
            ReverseMapScreen,
            PilotsScreen,
            SummaryScreen,
        ):
            expected_screen = screen_class.__name__
            assert isinstance(app.screen, screen_class)
            text = screen_text(app)
            assert HOSTILE in text, f"{expected_screen} lost the literal text"
            # Rendering the whole screen must not raise (a MarkupError would).
            app.save_screenshot(path=str(data_dir), filename=f"{expected_screen}.svg")
            if expected_screen != "SummaryScreen":
                # The item editor's title and fields carry the text literally.
                if expected_screen == "FutureStateScreen":
                    app.screen.query_one("#outcomes").focus()
                    await settle(pilot)
                if expected_screen == "ReverseMapScreen":
                    await pilot.press("down")  # from the goal to the first condition
                await pilot.press("e")
                await settle(pilot)
                assert isinstance(app.screen, FormScreen)
                assert HOSTILE in screen_text(app)
                app.save_screenshot(path=str(data_dir), filename=f"{expected_screen}-form.svg")
                await pilot.press("escape")
                await settle(pilot)
            await pilot.press("ctrl+n")
            await settle(pilot)

        # A toast naming the item: delete the pilot from step 4.
        await pilot.press("ctrl+b")
        await settle(pilot)
        await pilot.press("d")
        await settle(pilot)
        toasts = [n.message for n in app._notifications]
        assert any(HOSTILE in message for message in toasts), toasts
        app.save_screenshot(path=str(data_dir), filename="toast.svg")
        assert app.return_code is None  # nothing quit the app
        assert app.is_running


async def test_control_characters_never_reach_the_screen(data_dir: Path) -> None:
    session = hostile_session()
    session.title = CONTROL
    session.future_state.statement = CONTROL
    store = SessionStore(data_dir)
    store.create(session)
    raw = (data_dir / "sessions" / "hostile.toml").read_text("utf-8")
    assert "\x1b" not in raw and "\x07" not in raw and "\x9b" not in raw
    app = create_app(data_dir, today=lambda: TODAY, autosave_delay=0.05)
    async with app.run_test(size=(100, 30)) as pilot:
        text = screen_text(app)
        assert "Plan[31m red 1m" in text
        assert "\x1b" not in text and "\x07" not in text
        await pilot.press("enter")
        await settle(pilot)
        statement = app.screen.query_one("#statement", TextArea)
        assert statement.text == "Plan[31m red 1m"
        # Typing a control character into a field does not store it.
        statement.text = "Goal\x1b[2J by 2027"
        await settle(pilot)
        assert app.session.future_state.statement == "Goal[2J by 2027"
