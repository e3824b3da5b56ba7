"""The Owners screen: opened from Track (o) and the palette; owners added, renamed (their items
too, when asked) and taken off the list through the workspace, on disk, undoable."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Input

from backplan_tui.core.storage import SessionStore
from backplan_tui.core.templates import DEMO_ID
from backplan_tui.tui.dialogs import ConfirmScreen, FormScreen
from backplan_tui.tui.screens.owners import OwnersScreen
from backplan_tui.tui.screens.track import TrackScreen
from helpers import settle, wait_until

SIZE = (80, 24)


def rows(app) -> list[list[str]]:
    table = app.screen.query_one("#owner-table")
    return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]


def on_disk(data_dir: Path):
    return SessionStore(data_dir).load(DEMO_ID)


async def open_owners(app, pilot) -> None:
    await settle(pilot)
    await pilot.press("ctrl+t")
    await settle(pilot)
    assert isinstance(app.screen, TrackScreen)
    await pilot.press("o")
    await settle(pilot)
    assert isinstance(app.screen, OwnersScreen)


async def test_open_from_track_add_an_owner_saved_and_undone(demo_at, data_dir: Path) -> None:
    app = demo_at()
    async with app.run_test(size=SIZE) as pilot:
        await open_owners(app, pilot)
        shown = rows(app)
        # The demo's list first (the HR lead over their 6 h: 2 at once x 4 h = 133%), then
        # the names used on items only.
        assert shown[0][0] == "HR lead" and shown[0][1] == "6 h" and shown[0][5] == "133% OVER"
        listed = [
            "HR lead",
            "HR business partner",
            "People analytics",
            "Compensation lead",
            "Onboarding coordinator",  # cut to the column at 80 columns
            "Lee",
        ]
        assert all(
            name.startswith(r[0].rstrip("…")) for r, name in zip(shown, listed, strict=False)
        )
        assert shown[6][5] == "not listed"

        await pilot.press("a")
        await settle(pilot)
        assert isinstance(app.screen, FormScreen)
        app.screen.query_one("#field-name", Input).value = "Priya"
        app.screen.query_one("#field-capacity_hours", Input).value = "10"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, OwnersScreen)
        assert ["Priya", "10 h", "0/0", "0", "—", "0%"] in rows(app)
        await wait_until(pilot, lambda: any(o.name == "Priya" for o in on_disk(data_dir).owners))
        saved = next(o for o in on_disk(data_dir).owners if o.name == "Priya")
        assert saved.capacity_hours == 10 and saved.id == "w7"

        # "priya " is the same person: refused, nothing added.
        await pilot.press("a")
        await settle(pilot)
        app.screen.query_one("#field-name", Input).value = "priya "
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert [o.name for o in app.document.session.owners].count("Priya") == 1
        assert len(app.document.session.owners) == 7

        await pilot.press("ctrl+z")
        await settle(pilot)
        assert "Priya" not in [r[0] for r in rows(app)]
        await wait_until(pilot, lambda: all(o.name != "Priya" for o in on_disk(data_dir).owners))

        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, TrackScreen)


async def test_renaming_an_owner_renames_their_items_when_asked(demo_at, data_dir: Path) -> None:
    app = demo_at()
    async with app.run_test(size=SIZE) as pilot:
        await open_owners(app, pilot)
        before = [n.id for n in app.document.session.map if n.owner == "HR lead"]
        assert before
        await pilot.press("e")  # the HR lead's row has the cursor
        await settle(pilot)
        app.screen.query_one("#field-name", Input).value = "Hana"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await settle(pilot)
        assert rows(app)[0][0] == "Hana"
        await wait_until(pilot, lambda: on_disk(data_dir).owners[0].name == "Hana")
        saved = on_disk(data_dir)
        assert [n.id for n in saved.map if n.owner == "Hana"] == before
        assert not [n for n in saved.map if n.owner == "HR lead"]

        # One undo takes back both the name and the items.
        await pilot.press("ctrl+z")
        await settle(pilot)
        session = app.document.session
        assert session.owners[0].name == "HR lead"
        assert [n.id for n in session.map if n.owner == "HR lead"] == before

        # Off the list: the items keep the name, the row says "not listed".
        await pilot.press("d")
        await settle(pilot)
        assert "HR lead" not in [o.name for o in app.document.session.owners]
        assert ["HR lead", "not listed"] in [[r[0], r[5]] for r in rows(app)]


async def test_the_palette_opens_owners_from_a_step(demo_at) -> None:
    from textual.command import CommandPalette

    app = demo_at()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await settle(pilot)
        assert isinstance(app.screen, CommandPalette)
        await pilot.press(*"owners")
        await settle(pilot)
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, OwnersScreen), "the Owners screen")
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen.__class__.__name__ == "ReverseMapScreen"


async def test_undo_on_track_does_not_crash(demo_at) -> None:
    """Ctrl+Z on Track (and Owners, which shares it) has no prompts to redraw: it used to
    raise NoMatches and end the app."""
    app = demo_at()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+t")
        await settle(pilot)
        cadence = app.document.session.review_cadence
        await pilot.press("w")  # the next review cadence
        await settle(pilot)
        assert app.document.session.review_cadence != cadence
        await pilot.press("ctrl+z")
        await settle(pilot)
        assert isinstance(app.screen, TrackScreen)
        assert app.document.session.review_cadence == cadence


async def test_the_settings_form_sets_the_owner_limits(demo_at, data_dir: Path) -> None:
    """150% of the week allowed in the settings (s on home): the demo's HR lead (133%) is no
    longer flagged, in the coach and on the Owners screen; the file keeps it."""
    import tomllib

    from backplan_tui.core.settings import settings_path

    app = demo_at()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        _, findings = app.workspace.health()
        assert [f.check for f in findings if f.check.startswith("owner_")] == [
            "owner_over_capacity"
        ]
        await pilot.press("escape")  # home
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)
        assert isinstance(app.screen, FormScreen)
        app.screen.query_one("#field-owner_max_share", Input).value = "150"
        await pilot.press("ctrl+s")
        await settle(pilot)
        saved = tomllib.loads(settings_path().read_text("utf-8"))
        assert (saved["owner_max_at_once"], saved["owner_max_share"]) == (3, 150)
        assert app.workspace.owner_settings == (3, 1.5)
        await pilot.press("enter")  # open the demo again (the highlighted row)
        await settle(pilot)
        _, findings = app.workspace.health()
        assert not [f.check for f in findings if f.check.startswith("owner_")]
        await pilot.press("ctrl+t")
        await settle(pilot)
        await pilot.press("o")
        await settle(pilot)
        assert rows(app)[0][5] == "133%"  # no longer OVER


async def test_hostile_owner_names_are_literal(data_dir: Path) -> None:
    """Markup in an owner's name and an item's title reaches the Owners screen as text
    (the safe-text seam), the rename question and the toast included; nothing quits."""
    from backplan_tui.core.model import MapNode, Owner
    from backplan_tui.tui.app import create_app
    from helpers import TODAY
    from tui.test_hostile_text import HOSTILE, hostile_session, screen_text

    session = hostile_session()
    session.owners = [Owner(id="w1", name=HOSTILE, capacity_hours=1.0)]
    session.map.append(MapNode(id="m3", title="[b]bold?", owner=HOSTILE.upper(), duration_days=9))
    SessionStore(data_dir).create(session)
    app = create_app(data_dir, open_session="hostile", today=lambda: TODAY, autosave_delay=0.05)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await settle(pilot)
        app.open_owners()
        await settle(pilot)
        assert isinstance(app.screen, OwnersScreen)
        text = screen_text(app)
        assert HOSTILE in text and "[b]bold?" in text
        assert f"also written {HOSTILE.upper()}" in text  # one person, two spellings
        app.save_screenshot(path=str(data_dir), filename="owners.svg")
        await pilot.press("e")
        await settle(pilot)
        app.screen.query_one("#field-name", Input).value = HOSTILE + "!"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        assert HOSTILE in screen_text(app)
        await pilot.press("y")
        await settle(pilot)
        assert any(HOSTILE in n.message for n in app._notifications)
        assert {n.owner for n in app.document.session.map if n.owner} == {HOSTILE + "!"}
        assert app.is_running and app.return_code is None


async def test_a_read_only_session_refuses_owner_edits_and_says_why(data_dir: Path) -> None:
    from backplan_tui.core import templates
    from backplan_tui.tui.app import create_app
    from helpers import TODAY

    store = SessionStore(data_dir)
    store.create(templates.demo_session(TODAY))
    before = (data_dir / "sessions" / "demo.toml").read_bytes()
    other_window = SessionStore(data_dir).lock(DEMO_ID)
    try:
        app = create_app(data_dir, today=lambda: TODAY, autosave_delay=0.05)
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await pilot.pause()
            assert app.open_session(DEMO_ID, read_only=True)
            await settle(pilot)
            app.open_owners()
            await settle(pilot)
            assert isinstance(app.screen, OwnersScreen)
            assert "a" not in app.screen.active_bindings  # hidden, not offered
            for key in ("a", "e", "d", "enter"):
                app.clear_notifications()
                await pilot.press(key)
                await settle(pilot)
                assert isinstance(app.screen, OwnersScreen), key
                told = [n.message for n in app._notifications]
                assert any("open in another window" in m for m in told), (key, told)
            assert len(app.document.session.owners) == 6
    finally:
        other_window.release()
    assert (data_dir / "sessions" / "demo.toml").read_bytes() == before


async def test_f1_on_owners_starts_with_the_owner_keys(demo_at) -> None:
    from textual.widgets import Static

    app = demo_at()
    async with app.run_test(size=SIZE) as pilot:
        await open_owners(app, pilot)
        await pilot.press("f1")
        await settle(pilot)
        first = str(app.screen.query(".help-section").first(Static).render())
        assert first.startswith("Owners (o on Track, or Owners in the palette)")
        assert "Add owner" in first and "Off the list" in first
