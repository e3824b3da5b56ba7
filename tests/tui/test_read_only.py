"""A session opened read-only (another window holds it): no key changes it on screen, each
refused key says why, the stepper and the footer say read-only and why, and ``c`` opens a
copy that can be edited, at the same step (issue 14, item 5)."""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

import pytest
from textual.widgets import DataTable, Input, TextArea

from backplan_tui.core import progress, templates
from backplan_tui.core.model import Pilot, Session
from backplan_tui.core.storage import SessionStore
from backplan_tui.tui.app import BackplanApp, create_app
from backplan_tui.tui.widgets.prompts import Prompts
from backplan_tui.tui.widgets.stepper import SaveIndicator
from helpers import TODAY

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="session locks need fcntl")


# Per screen: the keys that change the session when it can be edited.  The step keys every
# screen shares (park, details, timer, undo/redo, save) are pressed on each.
SHARED = ["ctrl+l", "f2", "f3", "f4", "f8", "ctrl+z", "ctrl+y", "ctrl+s"]
MUTATING_KEYS = {
    "FutureStateScreen": ["a", "e", "enter", "d", "delete", "ctrl+down", "ctrl+up"],
    "QuestionsScreen": ["space", "a", "e", "enter", "d", "ctrl+down"],
    "ReverseMapScreen": [
        "a",
        "s",
        "down",  # off the goal, onto a condition (a move, not an edit)
        "e",
        "enter",
        "x",
        "d",
        "v",
        "w",
        "ctrl+down",
        "ctrl+up",
        "ctrl+left",
        "ctrl+right",
    ],
    "PilotsScreen": ["a", "e", "enter", "d", "v", "ctrl+down"],
    "SummaryScreen": [],
}
NOT_EDITS = {"down"}


def same_plan(shown: Session, saved: Session) -> bool:
    """Equal but for the step on screen (moving between steps is not an edit)."""
    return dataclasses.replace(shown, current_step=saved.current_step) == saved


def read_only_toasts(app: BackplanApp) -> list[str]:
    return [n.message for n in app._notifications if n.title.startswith("Read-only")]


def screen_name(app: BackplanApp) -> str:
    return app.screen.__class__.__name__


async def open_read_only(app: BackplanApp, pilot) -> None:
    """Team mode: a session open elsewhere opens writable (saves merge); opening it
    read-only on purpose while another process holds its lock is what says "in use"."""
    await pilot.pause()
    assert app.open_session("demo", read_only=True)
    await pilot.pause()
    assert app.document is not None and app.document.read_only


@pytest.mark.long
async def test_read_only_refuses_every_edit_says_why_and_c_opens_a_writable_copy(
    data_dir: Path,
) -> None:
    demo = templates.demo_session(TODAY)
    demo.current_step = "future_state"
    store = SessionStore(data_dir)
    store.create(demo)
    path = data_dir / "sessions" / "demo.toml"
    before = path.read_bytes()
    saved = store.load("demo")
    other_window = SessionStore(data_dir).lock("demo")
    try:
        app = create_app(data_dir, today=lambda: TODAY, autosave_delay=0.05)
        async with app.run_test(size=(80, 24), notifications=True) as pilot:
            await open_read_only(app, pilot)
            for expected in MUTATING_KEYS:
                await pilot.pause()
                assert screen_name(app) == expected
                screen = app.screen
                # The stepper says read-only and why; so do the prompts and the footer.
                indicator = str(screen.query_one(SaveIndicator).render())
                assert indicator == "read-only: in use"
                prompts = str(screen.query_one(Prompts).render())
                assert prompts.startswith("Read-only: it is open in another window (")
                active = screen.active_bindings
                assert active["c"].binding.description == (
                    "Read-only (in use elsewhere): work on a copy"
                )
                assert active["c"].enabled
                assert "a" not in active and "f2" not in active  # hidden, not offered
                for field in screen.query("Input, TextArea"):
                    assert isinstance(field, (Input, TextArea)) and field.disabled
                for key in [*MUTATING_KEYS[expected], *SHARED]:
                    app.clear_notifications()
                    await pilot.press(key)
                    await pilot.pause()
                    assert screen_name(app) == expected, f"{key} opened {screen_name(app)}"
                    assert same_plan(app.session, saved), f"{key} changed the session"
                    if key not in NOT_EDITS:
                        told = read_only_toasts(app)
                        assert len(told) == 1, f"{key} said {told}"
                        assert "open in another window" in told[0]
                if expected != "SummaryScreen":
                    await pilot.press("ctrl+n")
            # Track: its keys that change the session are refused too.
            await pilot.press("ctrl+t")
            await pilot.pause()
            assert screen_name(app) == "TrackScreen"
            await pilot.press("tab")  # to the due items: x marks done, r records a result
            assert app.focused is not None and app.focused.id == "due"
            for key in ["j", "w", "x", "r", *SHARED[:2], *SHARED[-3:]]:
                app.clear_notifications()
                await pilot.press(key)
                await pilot.pause()
                assert screen_name(app) == "TrackScreen", key
                assert len(read_only_toasts(app)) == 1, f"{key} said nothing"
            await pilot.press("h")  # the history may be looked at, not changed
            await pilot.pause()
            assert screen_name(app) == "CheckinsScreen"
            await pilot.press("d")
            await pilot.pause()
            assert screen_name(app) == "TrackScreen"
            assert same_plan(app.session, saved)
            assert not app.document.dirty
            # Moving between the steps said nothing false ("NOT SAVED", "press Ctrl+S").
            assert not [n for n in app._notifications if n.severity == "error"]
            assert path.read_bytes() == before

            # c: a copy, writable, on the same screen.
            await pilot.press("c")
            await pilot.pause()
            assert screen_name(app) == "TrackScreen"
            assert app.document is not None and not app.document.read_only
            copy_id = app.session.id
            assert copy_id != "demo" and app.session.title == f"Copy of {demo.title}"
            assert str(app.screen.query_one(SaveIndicator).render()) == ""
            assert app.screen.active_bindings["c"].binding.action == "checkin"
            await pilot.press("w")  # the review cadence changes in the copy
            await pilot.pause()
            cadence = progress.review_cadence(app.session)
            assert cadence != progress.review_cadence(demo)
            await pilot.press("ctrl+q")
        assert path.read_bytes() == before  # the original, as the other window has it
        copied = SessionStore(data_dir).load(copy_id)
        assert progress.review_cadence(copied) == cadence
    finally:
        other_window.release()


async def test_a_pilot_added_read_only_is_refused_not_dropped_at_quit(data_dir: Path) -> None:
    """The reported case: "Open read-only", a adds a pilot, Ctrl+Q drops it without a word."""
    demo = templates.demo_session(TODAY)
    demo.current_step = "pilots"
    SessionStore(data_dir).create(demo)
    path = data_dir / "sessions" / "demo.toml"
    before = path.read_bytes()
    pilots = len(demo.pilots)
    other_window = SessionStore(data_dir).lock("demo")
    try:
        app = create_app(data_dir, today=lambda: TODAY, autosave_delay=0.05)
        async with app.run_test(size=(80, 24), notifications=True) as pilot:
            await open_read_only(app, pilot)
            assert screen_name(app) == "PilotsScreen"
            await pilot.press("a", *"Trial", "enter")
            await pilot.pause()
            assert screen_name(app) == "PilotsScreen"  # no form opened
            assert app.screen.query_one(DataTable).row_count == pilots
            assert len(app.session.pilots) == pilots
            assert read_only_toasts(app), "the refused key said nothing"
            # c: the copy opens at the pilots, and there a takes the pilot.
            await pilot.press("c")
            await pilot.pause()
            assert screen_name(app) == "PilotsScreen" and not app.document.read_only
            copy_id = app.session.id
            await pilot.press("a")
            await pilot.pause()
            assert screen_name(app) == "FormScreen"
            await pilot.press(*"Trial", "enter")
            await pilot.pause()
            assert app.screen.query_one(DataTable).row_count == pilots + 1
            await pilot.press("ctrl+q")
        assert path.read_bytes() == before
        names = [p.name for p in SessionStore(data_dir).load(copy_id).pilots]
        assert names[-1] == "Trial" and len(names) == pilots + 1
    finally:
        other_window.release()


async def test_no_code_path_marks_a_read_only_session_edited(data_dir: Path) -> None:
    """``BackplanApp.changed`` on a read-only session: the edit is taken back, on screen
    too, and the room is told; nothing is unsaved, nothing is written."""
    demo = templates.demo_session(TODAY)
    demo.current_step = "pilots"
    SessionStore(data_dir).create(demo)
    path = data_dir / "sessions" / "demo.toml"
    before = path.read_bytes()
    other_window = SessionStore(data_dir).lock("demo")
    try:
        app = create_app(data_dir, today=lambda: TODAY, autosave_delay=0.05)
        async with app.run_test(size=(80, 24), notifications=True) as pilot:
            await open_read_only(app, pilot)
            rows = app.screen.query_one(DataTable).row_count
            app.session.pilots.append(Pilot(id="p-sneaky", name="Sneaky"))
            app.screen.changed("add pilot Sneaky")  # type: ignore[attr-defined]  # as an action that slipped through would
            await pilot.pause()
            assert [p.id for p in app.session.pilots] == [p.id for p in demo.pilots]
            assert app.screen.query_one(DataTable).row_count == rows
            assert not app.document.dirty and app.document.edits == 0
            assert app.save_state == "read-only"
            assert read_only_toasts(app)[-1].startswith("Read-only: it is open in another")
            await pilot.press("ctrl+q")
        assert path.read_bytes() == before
    finally:
        other_window.release()


NEWER = b"""\
schema_version = 2
id = "future-0001"
title = "From a newer backplan"
revision = 7
current_step = "questions"
shiny_new_field = "kept as it is"

[[questions]]
id = "q1"
prompt = "Who benefits?"
"""


async def test_a_newer_file_says_so_and_c_copies_what_this_version_reads(
    data_dir: Path,
) -> None:
    store = SessionStore(data_dir)
    store.sessions_dir.mkdir(parents=True)
    path = store.sessions_dir / "future-0001.toml"
    path.write_bytes(NEWER)
    app = create_app(data_dir, open_session="future-0001", today=lambda: TODAY)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await pilot.pause()
        assert screen_name(app) == "QuestionsScreen" and app.document.read_only
        screen = app.screen
        assert str(screen.query_one(SaveIndicator).render()) == "read-only: newer file"
        assert str(screen.query_one(Prompts).render()).startswith(
            "Read-only: this session was saved by a newer backplan."
        )
        assert screen.active_bindings["c"].binding.description == (
            "Read-only (newer file): work on a copy"
        )
        app.clear_notifications()
        await pilot.press("space")  # would cycle the question's status
        await pilot.pause()
        assert app.session.questions[0].status == "open"
        assert read_only_toasts(app) and "newer backplan" in read_only_toasts(app)[0]
        await pilot.press("c")
        await pilot.pause()
        assert screen_name(app) == "QuestionsScreen" and not app.document.read_only
        copy_id = app.session.id
        await pilot.press("space")
        await pilot.pause()
        assert app.session.questions[0].status == "answered"
        await pilot.press("ctrl+q")
    assert path.read_bytes() == NEWER
    copied = SessionStore(data_dir).load(copy_id)
    assert copied.title == "From a newer backplan (copy)"
    assert [q.status for q in copied.questions] == ["answered"]


async def test_save_now_from_the_palette_does_not_claim_a_read_only_save(data_dir: Path) -> None:
    """The palette's "Save now" said "Saved." on a read-only session; it is not offered
    there, and the save action says why instead."""
    SessionStore(data_dir).create(templates.demo_session(TODAY))
    other_window = SessionStore(data_dir).lock("demo")
    try:
        app = create_app(data_dir, today=lambda: TODAY, autosave_delay=0.05)
        async with app.run_test(size=(80, 24), notifications=True) as pilot:
            await open_read_only(app, pilot)
            titles = [c.title for c in app.get_system_commands(app.screen)]
            assert "Save now" not in titles
            await app.run_action("app.save")
            await pilot.pause()
            messages = [n.message for n in app._notifications]
            assert "Saved." not in messages
            assert read_only_toasts(app)[-1].endswith("press c to work on a copy.")
    finally:
        other_window.release()
