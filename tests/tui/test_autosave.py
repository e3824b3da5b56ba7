"""Autosave: debounced after typing, visible, never loses edits, never clobbers another writer."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from textual.widgets import Input

from backplan_tui.core import templates
from backplan_tui.core.storage import SessionStore, StoreError
from backplan_tui.tui.app import create_app
from backplan_tui.tui.screens.choice import ChoiceScreen
from backplan_tui.tui.screens.track import TrackScreen
from backplan_tui.tui.widgets.stepper import SaveIndicator
from helpers import TODAY, settle, wait_until


def on_disk(data_dir: Path) -> dict:
    return tomllib.loads((data_dir / "sessions" / "demo.toml").read_text("utf-8"))


def indicator(app: object) -> str:
    return str(app.screen.query_one(SaveIndicator).render())  # type: ignore[attr-defined]


async def test_typing_is_saved_after_the_delay_and_the_state_is_shown(data_dir: Path) -> None:
    SessionStore(data_dir).create(templates.demo_session(TODAY))
    # 2 s: long enough that the edit is seen unsaved first even on a loaded machine
    app = create_app(data_dir, open_session="demo", today=lambda: TODAY, autosave_delay=2)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("ctrl+b", "ctrl+b")  # reverse map -> future state
        await settle(pilot)
        objective = app.screen.query_one("#aligned-objective", Input)
        objective.value = "Be the employer people recommend"
        await pilot.pause()
        assert indicator(app) == "● unsaved"
        assert on_disk(data_dir)["future_state"]["aligned_objective"] != objective.value
        await wait_until(pilot, lambda: indicator(app) == "✓ saved", "the autosave")
        assert on_disk(data_dir)["future_state"]["aligned_objective"] == objective.value


async def test_quit_flushes_unsaved_edits(data_dir: Path) -> None:
    SessionStore(data_dir).create(templates.demo_session(TODAY))
    app = create_app(data_dir, open_session="demo", today=lambda: TODAY, autosave_delay=600)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("ctrl+b", "ctrl+b")
        await settle(pilot)
        app.screen.query_one("#aligned-objective", Input).value = "Typed just before quitting"
        await pilot.press("ctrl+q")
    assert on_disk(data_dir)["future_state"]["aligned_objective"] == "Typed just before quitting"


async def test_a_failed_save_keeps_the_edits_and_retries(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = SessionStore(data_dir)
    store.create(templates.demo_session(TODAY))
    app = create_app(data_dir, open_session="demo", today=lambda: TODAY, autosave_delay=600)
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await pilot.press("ctrl+b", "ctrl+b")  # changing step saves
        await settle(pilot)
        before = (data_dir / "sessions" / "demo.toml").read_bytes()

        def disk_full(session: object, *args: object, **kwargs: object) -> None:
            raise StoreError("cannot save demo: No space left on device")

        monkeypatch.setattr(app.store, "save_merging", disk_full)
        app.screen.query_one("#aligned-objective", Input).value = "Kept in memory"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert indicator(app) == "✗ NOT SAVED"
        assert any("No space left" in n.message for n in app._notifications)
        assert app.document is not None and app.document.dirty
        assert app.session.future_state.aligned_objective == "Kept in memory"
        assert (data_dir / "sessions" / "demo.toml").read_bytes() == before

        monkeypatch.undo()  # the disk has room again
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert indicator(app) == "✓ saved"
    assert on_disk(data_dir)["future_state"]["aligned_objective"] == "Kept in memory"


async def test_a_session_changed_by_someone_else_is_merged_not_refused(data_dir: Path) -> None:
    """Team mode: a save finding another process's save on disk merges the two."""
    SessionStore(data_dir).create(templates.demo_session(TODAY))
    app = create_app(data_dir, open_session="demo", today=lambda: TODAY, autosave_delay=600)
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await pilot.press("ctrl+b", "ctrl+b")
        await settle(pilot)
        # Another process (a colleague, or `backplan` in another terminal) saves first.
        other = SessionStore(data_dir)
        theirs = other.load("demo")
        theirs.team = "Changed elsewhere"
        other.save(theirs)

        app.screen.query_one("#aligned-objective", Input).value = "My edit"
        await pilot.press("ctrl+s")
        for _ in range(200):  # the merged file is taken into memory by the next poll
            if app.session.team == "Changed elsewhere":
                break
            await pilot.pause()
        offered = app.screen.message if isinstance(app.screen, ChoiceScreen) else ""
        assert not offered, offered
        assert app.session.future_state.aligned_objective == "My edit"
        assert app.session.team == "Changed elsewhere"
        await pilot.press("ctrl+q")
    assert [e.id for e in SessionStore(data_dir).list()] == ["demo"]  # no copy made
    data = on_disk(data_dir)
    assert data["team"] == "Changed elsewhere"
    assert data["future_state"]["aligned_objective"] == "My edit"


async def test_a_file_broken_on_disk_cannot_be_merged_and_offers_a_copy(data_dir: Path) -> None:
    SessionStore(data_dir).create(templates.demo_session(TODAY))
    app = create_app(data_dir, open_session="demo", today=lambda: TODAY, autosave_delay=600)
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await pilot.press("ctrl+b", "ctrl+b")
        await pilot.pause(0.1)
        (data_dir / "sessions" / "demo.toml").write_bytes(b"title = [unclosed")
        app.screen.query_one("#aligned-objective", Input).value = "My edit"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen.__class__.__name__ == "ChoiceScreen"
        await pilot.press("c")
        await settle(pilot)
        assert app.session.id != "demo"
        assert app.session.title.endswith("(copy)")
        await pilot.press("ctrl+q")
    copies = [e for e in SessionStore(data_dir).list() if e.id != "demo"]
    assert len(copies) == 1
    assert SessionStore(data_dir).load(copies[0].id).future_state.aligned_objective == "My edit"


async def test_browsing_an_unchanged_session_leaves_the_file_byte_identical(
    data_dir: Path,
) -> None:
    """Team folders in git: opening, reading and closing a plan makes no diff."""
    SessionStore(data_dir).create(templates.demo_session(TODAY))
    path = data_dir / "sessions" / "demo.toml"
    before = path.read_bytes()
    app = create_app(data_dir, open_session="demo", today=lambda: TODAY, autosave_delay=0.05)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        for key in ("down", "down", "t", "t", "f1", "escape", "ctrl+g", "escape", "ctrl+t"):
            await pilot.press(key)
            await settle(pilot)
        assert isinstance(app.screen, TrackScreen)
        await pilot.press("escape")  # home
        await settle(pilot)
        await pilot.press("q")
    assert path.read_bytes() == before
