"""The verbs every item table shares: move, delete (with its clean-up), Enter edits; and what
a cursor move in a list of items (the pilots' table, the map's tree) shows: the detail of
the item, each line drawn as Textual draws it, however much was drawn ahead or kept."""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual.geometry import Region
from textual.widget import Widget
from textual.widgets import DataTable, Input, Tree

from backplan_tui.core import templates
from backplan_tui.core.storage import SessionStore
from backplan_tui.tui.app import BackplanApp, create_app
from backplan_tui.tui.dialogs import FormScreen
from backplan_tui.tui.widgets.items import Detail, ItemTree
from helpers import TODAY, settle


async def test_move_a_question_down_then_undo(data_dir: Path) -> None:
    demo = templates.demo_session(TODAY)
    demo.current_step = "questions"
    SessionStore(data_dir).create(demo)
    first, second = demo.questions[0].id, demo.questions[1].id
    app = create_app(data_dir, open_session="demo", today=lambda: TODAY, autosave_delay=0.05)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+down")
        await settle(pilot)
        assert [q.id for q in app.session.questions[:2]] == [second, first]
        table = app.screen.query_one("#questions", DataTable)
        assert table.cursor_row == 1  # the cursor follows the moved question
        await pilot.press("ctrl+z")
        await settle(pilot)
        assert [q.id for q in app.session.questions[:2]] == [first, second]


async def test_deleting_an_outcome_unlinks_the_pilots_that_moved_it(data_dir: Path) -> None:
    demo = templates.demo_session(TODAY)
    demo.current_step = "future_state"
    target = demo.pilots[0].outcome
    assert target, "the demo's first pilot moves an outcome"
    SessionStore(data_dir).create(demo)
    app = create_app(data_dir, open_session="demo", today=lambda: TODAY, autosave_delay=0.05)
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await settle(pilot)
        table = app.screen.query_one("#outcomes", DataTable)
        table.focus()
        index = [o.id for o in app.session.future_state.outcomes].index(target)
        table.move_cursor(row=index)
        await settle(pilot)
        await pilot.press("d")
        await settle(pilot)
        assert target not in [o.id for o in app.session.future_state.outcomes]
        assert all(p.outcome != target for p in app.session.pilots)
        assert any(n.message.startswith("Deleted outcome: ") for n in app._notifications)
        await pilot.press("enter")  # Enter edits the highlighted outcome
        await settle(pilot)
        assert isinstance(app.screen, FormScreen)


async def test_answering_a_question_continues_its_existing_answer(data_dir: Path) -> None:
    from textual.widgets import TextArea

    demo = templates.demo_session(TODAY)
    demo.current_step = "questions"
    assert demo.questions[0].answer, "the demo's first question is answered"
    SessionStore(data_dir).create(demo)
    app = create_app(data_dir, open_session="demo", today=lambda: TODAY, autosave_delay=0.05)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        answer = app.screen.query_one("#field-answer", TextArea)
        assert answer.has_focus
        await pilot.press("space", "X")
        assert answer.text == demo.questions[0].answer + " X"
        assert app.screen.query_one("#field-prompt").value == demo.questions[0].prompt  # type: ignore[attr-defined]


def panel(detail: Widget) -> list[str]:
    """The text of a detail panel's lines under its top border."""
    width, height = detail.outer_size
    return [strip.text.strip() for strip in detail.render_lines(Region(0, 0, width, height))[1:]]


def screen_strips(app: BackplanApp) -> list[list[object]]:
    return [list(strip) for strip in app.screen._compositor.render_strips()]


async def assert_drawn_as_from_scratch(app: BackplanApp, pilot: object) -> None:
    """What is on screen is what the widgets draw with every cache emptied: nothing drawn
    ahead (rows, labels, detail lines) or kept from an earlier cursor position is stale."""
    shown = screen_strips(app)
    for widget in app.screen.walk_children(with_self=True):
        if isinstance(widget, DataTable):
            widget._clear_caches()
        if isinstance(widget, ItemTree):
            widget._line_cache.clear()
            widget._label_cache.clear()
        if isinstance(widget, Detail):
            widget._drawn.clear()
            widget._contents.clear()
        widget.refresh()
    await settle(pilot)
    assert screen_strips(app) == shown


async def test_the_pilot_detail_follows_the_cursor_and_an_edit(demo_at) -> None:
    app = demo_at("pilots")
    # the decision rule right under the name: it is what the room decides on
    first = [
        "Stay interviews in Customer Support",
        "rule: Scale to Sales if 90% of interviews are held and intent to stay rises by 0.3 or"
        " more;",
        "adjust the guide if fewer than 70% are held; stop if managers report no usable themes.",
        "moves: Regretted attrition (annualised)  window: 2026-10-26 → 2026-12-07  tests:"
        " Managers hold",
    ]
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        detail = app.screen.query_one("#pilot-detail", Detail)
        assert panel(detail) == first
        await pilot.press("down")
        await settle(pilot)
        assert panel(detail) == [
            "Buddy and 30/60/90-day check-ins for the next new-hire cohort",
            "rule: Scale to all cohorts if the 30-day pulse is 4.2 or higher and no one leaves in"
            " the first",
            "56 days; adjust the buddy briefing if the pulse is below 3.8.",
            "moves: 90-day new-hire attrition  window: 2026-11-30 → 2027-01-25  tests: New hires"
            " get a",
        ]
        await assert_drawn_as_from_scratch(app, pilot)
        await pilot.press("up")  # back to a pilot drawn before: its lines are reused
        await settle(pilot)
        assert panel(detail) == first
        await assert_drawn_as_from_scratch(app, pilot)

        await pilot.press("e")
        await settle(pilot)
        app.screen.query_one("#field-name", Input).value = "Stay interviews in Support"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.session.pilots[0].name == "Stay interviews in Support"
        assert panel(detail) == ["Stay interviews in Support", *first[1:]]  # not the kept lines
        await pilot.press("ctrl+z")
        await settle(pilot)
        assert panel(detail) == first


async def test_the_map_draws_its_lines_as_textual_tree_and_shows_the_detail(
    demo_at,
    data_dir: Path,
) -> None:
    app = demo_at("reverse_map")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        tree = app.screen.query_one("#map", ItemTree)
        detail = app.screen.query_one("#node-detail", Detail)

        def line(y: int) -> str:
            return tree._render_line(y, 0, tree.size.width, tree.rich_style).text

        assert line(1).startswith("├── ▼ ○ Managers hold quarterly stay interviews and act")
        assert line(3).startswith("│   │   └── ● Stay-interview guide drafted and tested")
        await pilot.press("down")
        await settle(pilot)
        # 90 days back from the target date, 2027-10-12; 233 days after today, 2026-11-23.
        assert panel(detail) == [
            "Managers hold quarterly stay interviews and act on what they hear",
            "owner People managers  90 days  ○ todo  5 votes",  # what the tree cuts at 80
            "latest start 2027-07-14  due 2027-10-12  slack 233 days",
            "must be true before: the goal",
        ]
        for key in ("down", "down", "up", "down", "down", "down"):
            await pilot.press(key)
            await settle(pilot)
            style = tree.rich_style
            for y in range(tree.size.height):  # every line as Textual's own Tree draws it
                mine = tree._render_line(y, 0, tree.size.width, style)
                tree._line_cache.clear()
                textual = Tree._render_line(tree, y, 0, tree.size.width, style)
                assert list(mine) == list(textual), (tree.cursor_line, y)
        assert tree.cursor_line == 5
        assert panel(detail)[0] == "Baseline: retention and exit reasons by team and tenure"
        assert panel(detail)[3] == (
            "must be true before: A simple log of stay-interview themes and follow-up actions"
        )
        await assert_drawn_as_from_scratch(app, pilot)

        for node in list(tree._tree_nodes.values()):  # Tree asks render_label for this
            assert tree.get_label_width(node) == Tree.get_label_width(tree, node)
        assert tree.get_label_width(tree.root.add_leaf(Text("abc"))) == 3
        assert tree.get_label_width(tree.root.add(Text("abcd"))) == 6  # "▶ abcd"


async def test_a_late_map_detail_refresh_after_the_detail_is_gone_does_nothing(demo_at) -> None:
    # A jump to another step (the health panel's Enter) removes the map screen's widgets each
    # in its own time: a detail refresh scheduled before the jump can run once the detail is
    # gone and the tree is not yet.  It found no detail and crashed the app (seen under load).
    app = demo_at("reverse_map")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        screen = app.screen
        await screen.query_one("#node-detail", Detail).remove()
        assert screen.query(ItemTree)  # the tree is still there
        screen.show_detail()  # it raised NoMatches
        await settle(pilot)
        assert app.is_running and app.screen is screen
