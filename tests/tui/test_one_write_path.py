"""Every write the app makes to the sessions folder goes through ``core.workspace``.

The store's writing methods are wrapped: each call looks down its own call stack for the
nearest caller that is ours.  A caller in ``backplan_tui.tui`` (a screen, the app) found
before ``backplan_tui.core.workspace`` is a write that bypasses the workspace, and fails the
test; so does a kind of write the app made without going through it at all.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from types import FrameType
from typing import Any

import pytest
from textual.widgets import DataTable, Input

from backplan_tui.core.storage import SessionStore
from backplan_tui.tui.app import create_app
from backplan_tui.tui.screens.home import HomeScreen

TODAY = date(2026, 11, 23)
WRITES = (
    "create",
    "save",
    "save_merging",
    "save_as_copy",
    "rename",
    "delete",
    "undelete",
    "duplicate",
    "restore",
)


def caller_of_the_write() -> str:
    """ "workspace", "tui:<module>" (a bypass) or "outside" (a test's own setup)."""
    frame: FrameType | None = sys._getframe(2)  # the store's method's caller (1: the wrapper)
    while frame is not None:
        module = frame.f_globals.get("__name__", "")
        if module.startswith("backplan_tui.core.workspace"):
            return "workspace"
        if module.startswith("backplan_tui.tui"):
            return f"tui:{module}"
        frame = frame.f_back
    return "outside"


@pytest.fixture
def writes(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """(method, who called it) for every write of any SessionStore from now on."""
    seen: list[tuple[str, str]] = []

    def wrap(name: str, method: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(self: SessionStore, *args: Any, **kwargs: Any) -> Any:
            seen.append((name, caller_of_the_write()))
            return method(self, *args, **kwargs)

        return wrapper

    for name in WRITES:
        monkeypatch.setattr(SessionStore, name, wrap(name, getattr(SessionStore, name)))
    return seen


async def test_every_write_driven_from_the_app_goes_through_the_workspace(
    data_dir: Path, writes: list[tuple[str, str]]
) -> None:
    app = create_app(data_dir, today=lambda: TODAY, autosave_delay=0.05)
    async with app.run_test(size=(100, 30)) as pilot:
        # create, from the new-session form
        await pilot.press("n")
        await pilot.pause()
        app.screen.query_one("#field-title", Input).value = "Faster onboarding"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen.__class__.__name__ == "FutureStateScreen"
        # save: the autosave worker, then Ctrl+S, then leaving for home
        await pilot.press(*"By spring")
        await pilot.pause(0.2)
        await app.workers.wait_for_complete()
        await pilot.press(*" we ship")
        await pilot.press("ctrl+s")
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen.__class__.__name__ == "HomeScreen"
        # duplicate, rename, delete, undelete, from home
        await pilot.press("c")
        await pilot.pause()
        await pilot.press("r")
        await pilot.pause()
        app.screen.query_one("#field-title", Input).value = "Renamed plan"
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("d")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        await pilot.press("u")
        await pilot.pause()
        # restore a backup of the session that was saved several times
        home = app.screen
        assert isinstance(home, HomeScreen)
        original = next(e for e in home.entries if e.title == "Faster onboarding")
        home.reload(select=original.id)
        await pilot.press("b")
        await pilot.pause()
        assert app.screen.query_one(DataTable).row_count >= 1
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen.__class__.__name__ == "HomeScreen"
        # create again: the demo
        await pilot.press("D")
        await pilot.pause()
        await pilot.press("ctrl+q")

    bypasses = [(name, who) for name, who in writes if who != "workspace"]
    assert bypasses == []
    made = {name for name, _ in writes}
    for name in ("create", "save_merging", "rename", "delete", "undelete", "duplicate", "restore"):
        assert name in made, f"no {name} was made: the test did not drive it"
    assert (data_dir / "sessions" / "demo.toml").exists()


async def test_a_screen_writing_to_the_store_itself_would_be_caught(
    data_dir: Path, writes: list[tuple[str, str]]
) -> None:
    """The detector works: the same call made from a screen module's code is a bypass."""
    from backplan_tui.core import templates
    from backplan_tui.tui.screens import home as home_module

    store = SessionStore(data_dir)
    store.create(templates.demo_session(TODAY))
    code = compile("store.delete('demo')", home_module.__file__ or "home.py", "exec")
    exec(code, {"__name__": home_module.__name__, "store": store})  # noqa: S102
    assert writes[0] == ("create", "outside")
    assert writes[-1] == ("delete", "tui:backplan_tui.tui.screens.home")


async def test_copies_after_a_conflict_and_from_read_only_go_through_the_workspace(
    data_dir: Path, writes: list[tuple[str, str]]
) -> None:
    from backplan_tui.core import templates

    store = SessionStore(data_dir)
    store.create(templates.demo_session(TODAY))
    app = create_app(data_dir, today=lambda: TODAY, autosave_delay=60)
    async with app.run_test(size=(100, 30)) as pilot:
        app.open_session("demo", "future_state")
        await pilot.pause()
        path = data_dir / "sessions" / "demo.toml"
        good = path.read_bytes()
        path.write_bytes(b"[[[ not a session")  # broken on disk meanwhile: no merge
        await pilot.press("end", *" typed after")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen.__class__.__name__ == "ChoiceScreen"
        await pilot.press("c")  # save my version as a copy
        await pilot.pause()
        copy_id = app.session.id
        assert copy_id != "demo"
        await pilot.press("escape")  # home, the copy closed
        await pilot.pause()
        path.write_bytes(good)
        app.open_session("demo", "future_state", read_only=True)
        await pilot.pause()
        assert app.document is not None and app.document.read_only
        await pilot.press("c")  # work on a copy
        await pilot.pause()
        assert app.document is not None and not app.document.read_only
        await pilot.press("ctrl+q")
    bypasses = [(name, who) for name, who in writes if who not in ("workspace", "outside")]
    assert bypasses == []
    by_app = {name for name, who in writes if who == "workspace"}
    assert {"save_merging", "save_as_copy", "duplicate"} <= by_app


async def test_progress_reports_record_their_mark_through_the_workspace(
    data_dir: Path, tmp_path: Path, writes: list[tuple[str, str]]
) -> None:
    """From home (a session not open: the library) and from Track (the open session: an
    edit, saved by autosave)."""
    from textual.widgets import Select

    from backplan_tui.core import templates
    from helpers import settle, wait_until

    SessionStore(data_dir).create(templates.demo_session(TODAY))
    writes.clear()  # the test's own setup
    app = create_app(data_dir, today=lambda: TODAY, autosave_delay=0.05)
    made: list[str] = []

    def marks() -> list[date]:
        return [m.made for m in SessionStore(data_dir).load("demo").reports]

    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("e")  # home's export form
        await settle(pilot)
        app.screen.query_one("#field-format", Select).value = "report-md"
        app.screen.query_one("#field-path", Input).value = str(tmp_path / "home.md")
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: marks() == [TODAY], "the mark from home")
        made += [name for name, _ in writes]
        writes.clear()
        app.open_session("demo", "summary")
        await settle(pilot)
        await pilot.press("ctrl+t", "p")
        await settle(pilot)
        app.screen.query_one("#field-path", Input).value = str(tmp_path / "track.md")
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: writes, "the autosave of the mark")
        await pilot.press("ctrl+q")
    assert made == ["save_merging"]  # Library.record_report
    assert {name for name, _ in writes} == {"save_merging"}
    assert all(who == "workspace" for _, who in writes)
    assert (tmp_path / "home.md").exists() and (tmp_path / "track.md").exists()
