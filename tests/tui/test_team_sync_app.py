"""The app offers ``sync`` on open and quit in a team folder (issue 17, part 5): a bare
repository, Ana's folder syncing through ``core.gitsync``, and this test's data folder (Ben's)
cloned from it; real ``git`` all along."""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from backplan_tui.core import codec, gitsync, templates
from backplan_tui.core.model import Session
from backplan_tui.core.settings import load_settings
from backplan_tui.core.storage import SessionStore
from backplan_tui.tui.app import create_app
from backplan_tui.tui.screens.choice import ChoiceScreen
from backplan_tui.tui.screens.future_state import FutureStateScreen
from backplan_tui.tui.screens.home import HomeScreen
from helpers import TODAY, settle, wait_until

GIT_WAIT = 60.0
"""A sync runs a dozen git commands and the merge driver (a Python process): on a loaded
machine that can take more than the usual bound; the bound only stops a hang."""

pytestmark = pytest.mark.skipif(
    shutil.which("git") is None, reason="git is not installed: team folders need it"
)


@pytest.fixture
def remote(tmp_path: Path) -> Path:
    bare = tmp_path / "team.git"
    subprocess.run(["git", "init", "--quiet", "--bare", str(bare)], check=True)
    return bare


@pytest.fixture
def ana(tmp_path: Path, remote: Path, data_dir: Path) -> Path:
    """Ana's team folder with the demo (on step 1) synced; this test's folder a clone."""
    folder = tmp_path / "ana"
    gitsync.init(folder, remote=str(remote))
    demo = templates.demo_session(TODAY)
    demo.current_step = "future_state"
    SessionStore(folder).create(demo)
    gitsync.sync(folder)
    gitsync.clone(str(remote), data_dir)
    return folder


def app_over(data_dir: Path, **options: Any) -> Any:
    options.setdefault("today", lambda: TODAY)
    options.setdefault("autosave_delay", 600)  # only the app's own saves write the file
    return create_app(data_dir, **options)


def remote_text(remote: Path, tmp_path: Path, name: str) -> str:
    """A session file as the remote has it (a fresh clone)."""
    look = tmp_path / "look"
    shutil.rmtree(look, ignore_errors=True)
    subprocess.run(["git", "clone", "--quiet", str(remote), str(look)], check=True)
    return (look / "sessions" / name).read_text(encoding="utf-8")


async def type_on_step_one(pilot: Any, app: Any, text: str) -> None:
    """Past the offer on open (not now), ``text`` typed at the end of the goal."""
    await wait_until(pilot, lambda: bool(offer(app)), "the offer on open")
    await pilot.press("escape")  # not now
    await wait_until(pilot, lambda: isinstance(app.screen, FutureStateScreen), "step 1")
    await pilot.press("end", *text)


async def until_exited(pilot: Any, app: Any) -> None:
    """Wait (bounded) for the app to end after a quit: not on its workers, which the exit
    cancels."""
    deadline = time.monotonic() + GIT_WAIT
    while app.is_running and app.return_code is None:
        assert time.monotonic() < deadline, "the app never ended"
        await pilot.pause()


def offer(app: Any) -> str:
    screen = app.screen
    return screen.message if isinstance(screen, ChoiceScreen) else ""


async def test_open_offers_sync_and_what_the_team_added_is_listed(
    ana: Path, data_dir: Path
) -> None:
    SessionStore(ana).create(Session(id="budget", title="Budget plan from Ana"))
    gitsync.sync(ana)  # after Ben cloned: only a sync brings it to him
    app = app_over(data_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: "shared with your team" in offer(app), "the offer")
        home = app.screen_stack[0]
        assert isinstance(home, HomeScreen)
        assert [e.id for e in home.entries] == ["demo"]
        await pilot.press("s")
        await wait_until(pilot, lambda: app.syncs == 1, "the sync", timeout=GIT_WAIT)
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        assert sorted(e.id for e in home.entries) == ["budget", "demo"]


async def test_always_is_remembered_and_the_next_start_syncs_without_asking(
    ana: Path, data_dir: Path, tmp_path: Path
) -> None:
    app = app_over(data_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: bool(offer(app)), "the offer")
        await pilot.press("a")
        await wait_until(pilot, lambda: app.syncs == 1, "the sync", timeout=GIT_WAIT)
    settings, problem = load_settings(app.settings_file)
    assert problem is None and settings.team_sync == "always"

    SessionStore(ana).create(Session(id="later", title="Added later by Ana"))
    gitsync.sync(ana)
    again = app_over(data_dir)
    async with again.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: again.syncs == 1, "the sync", timeout=GIT_WAIT)
        await settle(pilot)
        assert not offer(again)  # never asked
        assert "later" in [e.id for e in again.screen.entries]


async def test_never_asks_nothing_and_nothing_syncs(ana: Path, data_dir: Path) -> None:
    config = data_dir.parent / "config"
    config.mkdir()
    (config / "settings.toml").write_text('team_sync = "never"\n', encoding="utf-8")
    app = app_over(data_dir, config_dir=config)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen) and app.syncs == 0
        await pilot.press("ctrl+q")
    assert app.syncs == 0


async def test_quit_with_an_edit_offers_sync_and_the_team_gets_the_edit(
    ana: Path, data_dir: Path, remote: Path, tmp_path: Path
) -> None:
    app = app_over(data_dir, open_session="demo")
    async with app.run_test(size=(80, 24)) as pilot:
        await type_on_step_one(pilot, app, " Typed by Ben")
        await pilot.press("ctrl+q")
        await wait_until(pilot, lambda: "Share them" in offer(app), "the offer on quit")
        await pilot.press("s")
        await until_exited(pilot, app)  # synced, then ended
    assert app.syncs == 1
    text = remote_text(remote, tmp_path, "demo.toml")
    assert "Typed by Ben" in codec.loads(text).future_state.statement
    assert "Synced: committed your changes" in app.exit_note
    assert app.return_code in (0, None)


async def test_a_failed_sync_at_quit_says_so_and_the_edit_is_saved_here(
    ana: Path, data_dir: Path, remote: Path
) -> None:
    app = app_over(data_dir, open_session="demo")
    async with app.run_test(size=(80, 24)) as pilot:
        await type_on_step_one(pilot, app, " Kept anyway")
        shutil.rmtree(remote)  # the remote is gone (a network down, a deleted repository)
        await pilot.press("ctrl+q")
        await wait_until(pilot, lambda: bool(offer(app)), "the offer on quit")
        await pilot.press("s")
        await until_exited(pilot, app)  # synced, then ended
    assert app.syncs == 1
    assert app.exit_note.startswith("Not synced: ")
    assert "saved on this machine" in app.exit_note
    assert "\n" not in app.exit_note.strip()
    saved = SessionStore(data_dir).load("demo")
    assert "Kept anyway" in saved.future_state.statement


async def test_quit_with_nothing_to_share_does_not_ask(ana: Path, data_dir: Path) -> None:
    app = app_over(data_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: bool(offer(app)), "the offer on open")
        await pilot.press("escape")  # not now
        await settle(pilot)
        await pilot.press("ctrl+q")
        await settle(pilot)
        assert not offer(app)
    assert app.syncs == 0 and app.exit_note == ""


async def test_outside_a_team_folder_nothing_is_offered(data_dir: Path) -> None:
    SessionStore(data_dir).create(Session(id="solo", title="Alone"))
    app = app_over(data_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen) and app.team_folder() is None
        assert "Sync with the team" not in [c.title for c in app.get_system_commands(app.screen)]
        await pilot.press("ctrl+q")
    assert app.syncs == 0
