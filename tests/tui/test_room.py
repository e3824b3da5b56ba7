"""In the room, no typed word is ever lost and the clocks tell the truth (issue 14: the
timebox follows the step on screen and ticks in dialogs; dialogs keep their text; steady
typing is saved; a quit after a failed save keeps the edits)."""

from __future__ import annotations

import tomllib
from datetime import date
from pathlib import Path
from typing import Any

from textual.widgets import TextArea

from backplan_tui.core import templates
from backplan_tui.core.model import Session
from backplan_tui.core.store import SessionStore
from backplan_tui.tui.app import BackplanApp, create_app
from backplan_tui.tui.widgets.stepper import SaveIndicator

TODAY = date(2026, 11, 23)


def on_disk(data_dir: Path, session_id: str = "demo") -> dict[str, Any]:
    return tomllib.loads((data_dir / "sessions" / f"{session_id}.toml").read_text("utf-8"))


def used_on_disk(data: dict[str, Any]) -> dict[str, int]:
    """The time used per step as the session file keeps it."""
    return dict(data["facilitation"].get("used_seconds", {}))


def clocked_app(data_dir: Path, now: list[float], session: str = "demo") -> BackplanApp:
    store = SessionStore(data_dir)
    if session == "demo":
        store.create(templates.demo_session(TODAY))
    else:
        store.create(Session(id=session, title="Live session"))
    return create_app(
        data_dir,
        open_session=session,
        today=lambda: TODAY,
        autosave_delay=600,  # only the test's saves (and the 5 s maximum) write the file
        clock=lambda: now[0],
    )


def timer(app: BackplanApp) -> str:
    return str(app.screen.query_one("#timer").render())


def indicator(app: BackplanApp) -> str:
    return str(app.screen.query_one(SaveIndicator).render())


def messages(app: BackplanApp) -> list[str]:
    return [n.message for n in app._notifications]


async def until(pilot: Any, ready: Any, what: str) -> None:
    for _ in range(200):
        if ready():
            return
        await pilot.pause(0.01)
    raise AssertionError(f"never happened: {what}")


async def step(pilot: Any, app: BackplanApp, key: str, screen: str) -> None:
    await pilot.press(key)
    await until(pilot, lambda: app.screen.__class__.__name__ == screen, screen)


# --- 14.2: the timebox follows the step on screen, and ticks in dialogs --------------------


async def test_the_running_clock_follows_the_step_and_the_agenda_books_it_right(
    data_dir: Path,
) -> None:
    now = [1000.0]
    app = clocked_app(data_dir, now)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await until(pilot, lambda: app.screen.__class__.__name__ == "ReverseMapScreen", "map")
        await step(pilot, app, "ctrl+b", "QuestionsScreen")
        assert timer(app) == "‖ 25:00"  # nothing runs until F3
        await pilot.press("f3")
        now[0] += 5 * 60
        app._tick()
        assert timer(app) == "▶ 20:00"

        await step(pilot, app, "ctrl+n", "ReverseMapScreen")
        # The map's clock took over; the questions' clock stopped at 20:00.
        assert timer(app) == "▶ 40:00"
        await pilot.pause()
        assert "Tough questions paused at 20:00; Reverse map's timer started." in messages(app)
        now[0] += 3 * 60
        app._tick()
        assert timer(app) == "▶ 37:00"
        assert app.agenda is not None
        assert app.agenda.timebox("questions").clock(now[0]) == "20:00"

        # A dialog is open: the countdown is in its border and keeps ticking there.
        await pilot.press("a")
        await until(pilot, lambda: app.screen.__class__.__name__ == "FormScreen", "form")
        await pilot.pause()
        dialog = app.screen.query_one("#form-dialog")
        assert dialog.border_subtitle == "Reverse map ▶ 37:00"
        now[0] += 60
        app._tick()
        assert dialog.border_subtitle == "Reverse map ▶ 36:00"
        await pilot.press("escape")  # nothing typed: it closes at once
        await until(pilot, lambda: app.screen.__class__.__name__ == "ReverseMapScreen", "map")
        assert timer(app) == "▶ 36:00"

        # The summary has no clock: the map's pauses, and the agenda is what the clock said.
        await step(pilot, app, "ctrl+r", "SummaryScreen")
        await pilot.pause()
        assert "Reverse map paused at 36:00. F3 on a step starts its timer." in messages(app)
        assert app.agenda.running_step() is None
        line = app.agenda.line(now[0])
        assert "Tough questions 5/25" in line
        assert "Reverse map 4/40" in line
        now[0] += 600  # time at the summary is no step's
        await pilot.press("ctrl+q")
    assert used_on_disk(on_disk(data_dir)) == {"questions": 5 * 60, "reverse_map": 4 * 60}


async def test_paging_through_steps_starts_no_clock(data_dir: Path) -> None:
    now = [1000.0]
    app = clocked_app(data_dir, now)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await until(pilot, lambda: app.screen.__class__.__name__ == "ReverseMapScreen", "map")
        await step(pilot, app, "ctrl+n", "PilotsScreen")
        assert timer(app).startswith("‖")
        assert app.agenda is not None and app.agenda.running_step() is None
        await pilot.press("ctrl+q")


# --- 14.7: steady typing is saved within 5 s ---------------------------------------------


async def test_steady_typing_is_saved_at_most_five_seconds_after_the_first_key(
    data_dir: Path,
) -> None:
    """A character every 0.3 s for 11 s, never a 1 s pause: a save by the 5 s mark."""
    now = [1000.0]
    app = clocked_app(data_dir, now, session="live")
    text = "dictatedslowlybutsteadilyintotheroom!"  # 37 characters: 0 s to 10.8 s
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: isinstance(app.focused, TextArea), "the goal field")
        for index, char in enumerate(text):
            now[0] = 1000.0 + index * 0.3
            await pilot.press(char)
            await app.workers.wait_for_complete()
            if index == 16:  # 4.8 s: nothing forced a save yet (the delay is 600 s)
                statement = SessionStore(data_dir).load("live").future_state.statement
                assert statement == ""
            if index == 17:  # 5.1 s: the first key past 5 s saved everything typed
                await pilot.pause()
                saved = SessionStore(data_dir).load("live").future_state.statement
                assert saved == text[:18]
                assert indicator(app) == "✓ saved"
        await pilot.pause()
        saved = SessionStore(data_dir).load("live").future_state.statement
        # The second window opened at 5.4 s and closed at the key of 10.5 s.
        assert saved == text[:36]
        await pilot.press("ctrl+q")
    assert SessionStore(data_dir).load("live").future_state.statement == text
