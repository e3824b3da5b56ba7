"""Home screen flows by keyboard: filter, duplicate, rename, delete + undo, damaged, demo."""

from __future__ import annotations

import os
import time
from datetime import date, datetime, timedelta
from pathlib import Path

from textual.widgets import DataTable, Input

from backplan_tui.core import templates
from backplan_tui.core.model import Question, Session
from backplan_tui.core.storage import SessionStore
from backplan_tui.tui.app import BackplanApp, create_app
from backplan_tui.tui.dialogs import ConfirmScreen
from backplan_tui.tui.screens.future_state import FutureStateScreen
from backplan_tui.tui.screens.home import HomeScreen
from backplan_tui.tui.screens.pilots import PilotsScreen
from backplan_tui.tui.screens.reverse_map import ReverseMapScreen
from backplan_tui.tui.widgets.session_list import SessionList
from helpers import TODAY, settle


def seed(data_dir: Path) -> SessionStore:
    store = SessionStore(data_dir)
    for name, title, team in (
        ("hr-retention", "Keep our new hires", "People Ops"),
        ("ops-customer-service", "Answer on first contact", "Support"),
    ):
        store.create(
            templates.instantiate(
                name, session_id=store.new_id(title), title=title, today=TODAY, team=team
            )
        )
    return store


def titles(app: BackplanApp) -> list[str]:
    table = app.screen.query_one(SessionList)
    return [str(table.cells(i)[0]) for i in range(table.row_count)]


def footer_keys(app: BackplanApp) -> set[str]:
    return {b.binding.action for b in app.screen.active_bindings.values() if b.enabled}


async def test_empty_home_offers_the_demo_and_hides_row_actions(data_dir: Path, make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        empty = app.screen.query_one("#empty")
        assert empty.display
        assert "demo" in str(empty.render())
        actions = footer_keys(app)
        assert "screen.delete" not in actions and "screen.duplicate" not in actions
        footer = str(app.screen.query_one("Footer").render())
        assert " q Quit " in footer and footer.count("Quit") == 1  # not ^q Quit as well
        assert "demo" in actions and "new" in actions
        await pilot.press("D")
        await settle(pilot)
        assert isinstance(app.screen, ReverseMapScreen)
        assert app.session.id == templates.DEMO_ID
    assert (data_dir / "sessions" / "demo.toml").exists()


async def test_filter_as_you_type_then_escape_clears(data_dir: Path, make_app) -> None:
    seed(data_dir)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        assert sorted(titles(app)) == ["Answer on first contact", "Keep our new hires"]
        await pilot.press("slash", "s", "u", "p")  # matches the team "Support"
        await settle(pilot)
        assert app.screen.query_one("#filter", Input).value == "sup"
        assert titles(app) == ["Answer on first contact"]
        await pilot.press("escape")
        await settle(pilot)
        assert len(titles(app)) == 2
        assert isinstance(app.focused, SessionList)


async def test_typing_in_the_filter_does_not_lay_the_screen_out_again(
    data_dir: Path, make_app, monkeypatch
) -> None:
    # issue 21: with 10,000 rows a layout of home costs most of a key's time; the filter is
    # one line of a fixed width, so only what it and the list show is painted again
    from textual.screen import Screen

    seed(data_dir)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("slash", "k")
        await settle(pilot)
        layouts: list[str] = []
        original = Screen._refresh_layout

        def counted(self, *args, **kwargs):
            layouts.append(type(self).__name__)
            return original(self, *args, **kwargs)

        monkeypatch.setattr(Screen, "_refresh_layout", counted)
        await pilot.press("e", "e", "p", "backspace", "backspace")
        await settle(pilot)
        assert app.screen.query_one("#filter", Input).value == "ke"
        assert titles(app) == ["Keep our new hires"]
        assert layouts == []


async def test_a_filter_key_repaints_only_the_list_lines_whose_row_changed(
    data_dir: Path, make_app, monkeypatch
) -> None:
    # issue 21: each key used to repaint every line of the list; now only those whose row
    # (or cursor) changed, and none when the rows on screen stay as they were
    seed(data_dir)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        table = app.screen.query_one(SessionList)
        before = titles(app)
        assert before == ["Answer on first contact", "Keep our new hires"]
        await pilot.press("slash")
        await settle(pilot)
        full: list[object] = []
        lines: list[int] = []
        real_refresh, real_lines = SessionList.refresh, SessionList.refresh_lines

        def refresh(self, *args, **kwargs):
            if self is table and not args and not kwargs.get("layout"):
                full.append(args)
            return real_refresh(self, *args, **kwargs)

        def refresh_lines(self, y, count=1):
            if self is table:
                lines.append(y)
            return real_lines(self, y, count)

        monkeypatch.setattr(SessionList, "refresh", refresh)
        monkeypatch.setattr(SessionList, "refresh_lines", refresh_lines)
        await pilot.press("e")  # both titles hold an "e": the same rows
        await settle(pilot)
        assert titles(app) == before and full == [] and lines == []
        await pilot.press("e", "p")  # "eep": only "Keep our new hires"
        await settle(pilot)
        assert titles(app) == ["Keep our new hires"]
        assert full == [] and sorted(set(lines)) == [1, 2]  # its line and the one it left
        lines.clear()
        await pilot.press("backspace", "backspace")
        await settle(pilot)
        assert titles(app) == before and full == [] and sorted(set(lines)) == [1, 2]
        # what is on screen is what a full repaint draws
        assert [table.render_line(y).text.split()[0] for y in (1, 2)] == ["Answer", "Keep"]


async def test_duplicate_rename_delete_and_undo(data_dir: Path, make_app) -> None:
    store = seed(data_dir)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        first = titles(app)[0]
        await pilot.press("c")
        await settle(pilot)
        assert "Copy of Answer on first contact" in titles(app)  # the list cuts it, not the cell
        assert f"Copy of {first}" in [e.title for e in app.screen.entries]
        assert len(store.list()) == 3

        # Rename the highlighted copy.
        await pilot.press("r")
        await settle(pilot)
        field = app.screen.query_one("#field-title", Input)
        field.value = "Renamed plan"
        await pilot.press("enter")
        await settle(pilot)
        assert "Renamed plan" in titles(app)

        # Delete asks first; "n" keeps it.
        await pilot.press("d")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        await settle(pilot)
        assert "Renamed plan" in titles(app)
        await pilot.press("d")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert "Renamed plan" not in titles(app)
        assert len(list((data_dir / "trash").glob("*.toml"))) == 1
        assert "undo_delete" in footer_keys(app)
        await pilot.press("u")
        await settle(pilot)
        assert "Renamed plan" in titles(app)
        assert list((data_dir / "trash").glob("*.toml")) == []


async def test_rename_and_delete_refuse_a_session_open_in_another_instance(
    data_dir: Path,
    make_app,
) -> None:
    store = seed(data_dir)
    app = make_app()
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        entry = app.screen.selected_entry()
        path = store.path_for(entry.id)
        before = path.read_bytes()
        held = SessionStore(data_dir).lock(entry.id)  # the session is open in another window
        try:
            await pilot.press("r")
            await pilot.pause()
            app.screen.query_one("#field-title", Input).value = "Renamed behind their back"
            await pilot.press("enter")
            await pilot.pause()
            await pilot.press("d")
            await pilot.pause()
            await pilot.press("y")
            await pilot.pause()
            messages = [(n.title, n.message) for n in app._notifications]
            for title in ("Cannot rename", "Cannot delete"):
                [message] = [m for t, m in messages if t == title]
                assert "is open in another backplan" in message
                assert f"process {os.getpid()}" in message  # who has it
            assert isinstance(app.screen, HomeScreen)
            assert entry.title in titles(app)
        finally:
            held.release()
        assert path.read_bytes() == before  # neither renamed nor moved to the trash
        assert not list((data_dir / "trash").glob("*.toml"))


async def test_damaged_file_is_listed_and_left_untouched(data_dir: Path, make_app) -> None:
    seed(data_dir)
    damaged = data_dir / "sessions" / "broken.toml"
    damaged.write_bytes(b'title = "Half a file\nrevision = [')
    before = damaged.read_bytes()
    app = make_app()
    async with app.run_test(size=(100, 24), notifications=True) as pilot:
        table = app.screen.query_one(SessionList)
        rows = [table.cells(i) for i in range(table.row_count)]
        broken = [row for row in rows if "DAMAGED" in str(row[1])]
        assert len(broken) == 1
        table.move_cursor(rows.index(broken[0]))
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)  # not opened
        assert any("broken.toml" in n.message for n in app._notifications)
        for key in ("c", "r", "d"):  # duplicate, rename, delete refuse it
            await pilot.press(key)
            await settle(pilot)
            assert isinstance(app.screen, HomeScreen)
    assert damaged.read_bytes() == before


async def test_command_palette_runs_the_screens_bindings(data_dir: Path) -> None:
    SessionStore(data_dir).create(templates.demo_session(TODAY))
    app = create_app(data_dir, open_session="demo", today=lambda: TODAY, autosave_delay=0.05)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, ReverseMapScreen)
        await pilot.press("ctrl+p")
        await settle(pilot)
        await pilot.press(*"next step")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, PilotsScreen)


async def test_backups_are_listed_and_one_is_restored_from_the_app(
    data_dir: Path, make_app
) -> None:
    store = SessionStore(data_dir)
    session = templates.demo_session(TODAY)
    store.create(session)  # revision 1
    for team in ("Second", "Third"):  # revisions 2 and 3; 1 and 2 are kept as backups
        current = store.load("demo")
        current.team = team
        store.save(current)
    app = make_app()
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await pilot.press("b")
        await settle(pilot)
        table = app.screen.query_one(DataTable)
        revisions = [str(table.get_row_at(i)[0]) for i in range(table.row_count)]
        assert revisions == ["2", "1"]  # newest first
        await pilot.press("down", "enter")  # restore revision 1
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        assert any("Restored revision 1" in n.message for n in app._notifications)
    restored = SessionStore(data_dir).load("demo")
    assert restored.team == session.team  # the team of revision 1
    assert restored.revision == 4  # a new revision on top: undoable


async def test_backups_say_when_how_long_ago_and_what_changed(data_dir: Path, make_app) -> None:
    store = SessionStore(data_dir)
    session = templates.demo_session(TODAY)
    store.create(session)  # revision 1
    current = store.load("demo")
    current.questions.append(Question(id="qx", prompt="Who pays?"))
    current.questions.append(Question(id="qy", prompt="Who decides?"))
    store.save(current)  # revision 2: revision 1 kept
    current.future_state.target_date = date(2027, 12, 31)
    store.save(current)  # revision 3: revision 2 kept
    backups = store.backups_dir / "demo"
    long_ago = time.time() - 41 * 86400
    os.utime(backups / "1.toml", (long_ago, long_ago))
    app = make_app()
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.press("b")
        await app.workers.wait_for_complete()
        await pilot.pause()
        table = app.screen.query_one(DataTable)
        rows = [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]
        assert [r[0] for r in rows] == ["2", "1"]
        saved_then = datetime.fromtimestamp(long_ago).strftime("%Y-%m-%d %H:%M")
        assert rows[1][1:3] == [saved_then, "41 days ago"]
        assert rows[0][2] in ("just now", "1 min ago")
        old_date = session.future_state.target_date
        assert rows[0][3].startswith("Target date slipped")
        assert f"{old_date} → 2027-12-31" in rows[0][3]
        assert rows[1][3] == "2 questions added"
        detail = str(app.screen.query_one("#backup-changed").render())
        assert "Target date slipped" in detail  # the highlighted row's change in full
        await pilot.press("down")
        await pilot.pause()
        assert "2 questions added" in str(app.screen.query_one("#backup-changed").render())


async def test_every_session_is_listed_and_the_keys_move_through_them(
    data_dir: Path, make_app
) -> None:
    """205 sessions: all are rows (drawn as they scroll into view), the view follows the
    cursor, and the filter still finds any of them."""
    store = SessionStore(data_dir)
    base = templates.instantiate("blank", session_id="s000", title="Plan 000", today=TODAY)
    for n in range(205):
        base.id, base.title, base.revision = f"s{n:03d}", f"Plan {n:03d}", 0
        store.create(base)
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        # no index yet: a worker reads the 205 files (test_home_first_start); then all show
        await app.workers.wait_for_complete()
        await pilot.pause()
        table = app.screen.query_one(SessionList)
        assert table.row_count == 205
        assert sorted(titles(app)) == [f"Plan {n:03d}" for n in range(205)]
        # 30 lines: title bar 1, filter 1 + margins 2, glance 2, footer 1; the list's 23
        # lines are its header and 22 rows.
        assert table.size.height == 23
        await pilot.press("pagedown")  # a page is the rows shown less one: 21
        assert table.cursor_row == 21
        await pilot.press("end")
        await pilot.pause()
        assert table.cursor_row == 204
        assert table.scroll_offset.y == 204 - 22 + 1  # the last row sits at the bottom
        last = table.keys[204]
        assert app.screen.selected_id() == last
        await pilot.press("home")
        await pilot.pause()
        assert (table.cursor_row, table.scroll_offset.y) == (0, 0)
        await pilot.press("slash", *"123")
        await settle(pilot)
        assert titles(app) == ["Plan 123"]
        await pilot.press("enter", "enter")  # back to the list, then open the one row
        await settle(pilot)
        assert isinstance(app.screen, FutureStateScreen)
        assert app.session.id == "s123"


async def test_home_shows_health_risk_and_next_due(data_dir: Path, make_app) -> None:
    """The demo (a plan in flight: a late node, an off-track check-in) and a fresh blank one."""
    store = SessionStore(data_dir)
    demo = store.create(templates.demo_session(TODAY))
    blank = store.create(Session(id="blank", title="Blank plan"))
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        table = app.screen.query_one(SessionList)
        row = table.cells(table.get_row_index(demo.id))
        health, due = str(row[1]), str(row[2])
        glance = next(e.glance for e in app.screen.entries if e.id == demo.id)
        assert health.startswith("⚑ at risk · ") == glance.at_risk
        assert health.endswith(glance.health_text())
        item = glance.next_due()
        assert due.startswith(("LATE " if item.due < TODAY else "") + f"{item.due:%d %b} ")
        assert glance.at_risk  # the demo has a late node
        blank_row = table.cells(table.get_row_index(blank.id))
        assert str(blank_row[1]).endswith(("problem", "problems"))  # no goal yet
        assert str(blank_row[2]) == ""  # nothing dated
        # the line under the table tells the selected session in full
        table.move_cursor(table.get_row_index(demo.id))
        await pilot.pause()
        text = str(app.screen.query_one("#glance").render())
        assert f"Next due {'OVERDUE ' if item.due < TODAY else ''}{item.due.isoformat()}" in text
        assert "Health: " + glance.health_text() in text


async def test_an_old_glance_is_refreshed_in_the_background(data_dir: Path, make_app) -> None:
    """A session last listed yesterday: home shows it at once, then today's figures."""
    store = SessionStore(data_dir)
    session = store.create(templates.demo_session(TODAY))
    yesterday = TODAY - timedelta(days=40)
    store.list(today=yesterday)  # the index now holds a glance computed 40 days ago
    old = store.list(today=yesterday)[0].glance
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        for _ in range(50):
            await settle(pilot)
            entry = next(e for e in app.screen.entries if e.id == session.id)
            if entry.glance.as_of == TODAY:
                break
        assert entry.glance.as_of == TODAY and old.as_of == yesterday
        fresh = SessionStore(data_dir).list(today=TODAY)[0].glance
        assert fresh == entry.glance  # the index was rewritten with today's glance
        assert "updating" not in str(app.screen.query_one("#glance").render())


async def test_columns_that_do_not_fit_are_left_out_least_important_first(
    data_dir: Path,
    make_app,
) -> None:
    seed(data_dir)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        table = app.screen.query_one(SessionList)
        # 80 columns less the body's padding: 78 cells, two rows (no scrollbar).  Title
        # (24 + 2 around it), Health (23 + 2) and Next due (24 + 2) take 77; Updated (16 + 2)
        # does not fit; the spare cell goes to Title (25).
        header = table.render_line(0).text
        assert header == " Title" + " " * 20 + "  Health" + " " * 17 + "  Next due" + " " * 17
        assert len(header) == 78
        await pilot.resize_terminal(100, 24)
        await pilot.pause()
        # 98 cells: Updated (18) would leave the title under its 40 cells (77 + 18 + 16 > 98);
        # the title takes the 21 spare cells instead (45).
        header = table.render_line(0).text
        assert header.split() == ["Title", "Health", "Next", "due"]
        assert header.index("Health") == 1 + 45 + 2
        await pilot.resize_terminal(135, 24)
        await pilot.pause()
        # 133 cells: Updated and Team (77 + 18 + 18 = 113, with 16 kept for the title: 129);
        # Step reached (17) would take the title under 40.
        assert table.render_line(0).text.split() == [
            "Title",
            "Health",
            "Next",
            "due",
            "Team",
            "Updated",
        ]
        await pilot.resize_terminal(152, 24)
        await pilot.pause()
        # 150 cells: every column (26 + 25 + 26 + 18 + 17 + 18 = 130, and the title's 16).
        assert table.render_line(0).text.split() == [
            "Title",
            "Health",
            "Next",
            "due",
            "Team",
            "Step",
            "reached",
            "Updated",
        ]


async def test_a_click_highlights_a_row_and_a_second_click_opens_it(
    data_dir: Path, make_app
) -> None:
    seed(data_dir)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        table = app.screen.query_one(SessionList)
        second = table.keys[1]
        await pilot.click(SessionList, offset=(5, 2))  # line 0 is the header: line 2 = row 1
        await pilot.pause()
        assert table.cursor_row == 1
        assert isinstance(app.screen, HomeScreen)
        await pilot.click(SessionList, offset=(5, 2))
        await settle(pilot)
        assert not isinstance(app.screen, HomeScreen)
        assert app.session.id == second


async def test_a_click_on_a_footer_key_presses_it(data_dir: Path, make_app) -> None:
    seed(data_dir)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        # " c Duplicate " is cells 0-12, " r Rename " 13-22, " d Delete " 23-32
        await pilot.click("Footer", offset=(24, 0))
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)


async def test_the_filter_line_becomes_an_input_on_a_click(data_dir: Path, make_app) -> None:
    seed(data_dir)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        assert not app.screen.query("#filter")  # mounted on first use
        await pilot.click("#filter-hint")
        await pilot.pause()
        assert app.focused is app.screen.query_one("#filter", Input)
        await pilot.press(*"keep")
        await settle(pilot)
        assert titles(app) == ["Keep our new hires"]


async def test_the_list_follows_a_theme_switch(data_dir: Path) -> None:
    """The list keeps its row colours between paints; a theme switch must reach them."""
    seed(data_dir)

    def row_styles(app: BackplanApp) -> list[object]:
        table = app.screen.query_one(SessionList)
        return [seg.style for y in (0, 1, 2) for seg in list(table.render_line(y))[:1]]

    fresh = create_app(data_dir, today=lambda: TODAY, theme="backplan-light")
    async with fresh.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        light = row_styles(fresh)
    app = create_app(data_dir, today=lambda: TODAY, theme="backplan-dark")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        dark = row_styles(app)
        app.theme = "backplan-light"
        await pilot.pause()
        assert row_styles(app) == light
    assert dark != light
    assert light[0].bgcolor.triplet.hex == "#d9dde3"  # type: ignore[attr-defined]  # header: panel


async def test_keys_typed_right_after_the_slash_go_into_the_filter(
    data_dir: Path, make_app
) -> None:
    """A fast typist: "/keep" arrives before the filter's Input is mounted.  The letters
    are the filter's text, not home's keys (k would open Track)."""
    from textual.events import Key

    seed(data_dir)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        for key, char in (("slash", "/"), ("k", "k"), ("e", "e"), ("e", "e"), ("p", "p")):
            app.post_message(Key(key, char))  # all queued at once, as a terminal sends them
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        assert app.screen.query_one("#filter", Input).value == "keep"
        assert titles(app) == ["Keep our new hires"]
