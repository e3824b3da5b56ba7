"""The demo agenda of issue 6, at 80x24, through the real keys only: a new session, the four
steps each under a running timebox, a dot vote, parked topics, the summary and a Markdown
export.  After every step the session file on disk is read back (Ctrl+S saves it, the way a
facilitator would) and must hold what that step added.

Every move is a key binding pressed through Pilot (Tab, arrows, a/s/Enter, F3, Ctrl+N ...)
and every word is typed as Key events into the focused field: no action is called directly
and no widget value is set.  Words go in as one burst of the Key events Pilot.press would
send (Pilot idles at least 40 ms after each key); the texts are short, to keep the agenda
near 20 seconds.  The clock is fake: the timeboxes count exactly the minutes the test says.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from textual import events
from textual.keys import _character_to_key
from textual.pilot import Pilot

from backplan_tui.tui.app import BackplanApp, create_app
from helpers import TODAY, wait_until

SIZE = (80, 24)


class Room:
    """The app, its pilot and its fake clock, with the few moves the agenda repeats."""

    def __init__(
        self, app: BackplanApp, pilot: Pilot[None], now: list[float], data_dir: Path
    ) -> None:
        self.app, self.pilot, self.now, self.data_dir = app, pilot, now, data_dir
        self.typed: list[str] = []  # every text typed, to find in the file at the end

    async def keys(self, *keys: str) -> None:
        await self.pilot.press(*keys)

    async def type(self, text: str) -> None:
        """Type ``text`` into the focused field: the Key events Pilot.press sends, sent in one
        burst, then one pause (Pilot.press idles at least 40 ms after every key)."""
        driver = self.app._driver
        assert driver is not None
        self.typed.append(text)
        for char in text:
            key = char if char.isalnum() else _character_to_key(char)
            driver.send_message(events.Key(key, char))
        await self.pilot.pause()

    def screen_name(self) -> str:
        return self.app.screen.__class__.__name__

    async def until(self, ready: Callable[[], bool], what: str) -> None:
        """Let the app run until ``ready()`` (a dialog opened, the focus arrived), bounded."""
        try:
            await wait_until(self.pilot, ready, what)
        except AssertionError as error:
            raise AssertionError(f"{error} (screen: {self.screen_name()})") from None

    async def step(self, key: str, screen: str) -> None:
        """A step key; Textual 8 switches the screen a moment later, so wait for it."""
        await self.pilot.press(key)
        await self.until(lambda: self.screen_name() == screen, screen)

    async def dialog(self, key: str, screen: str) -> None:
        """A key that opens a dialog; typing starts once its first field has the focus."""
        await self.pilot.press(key)
        await self.until(
            lambda: (
                self.screen_name() == screen
                and self.app.focused is not None
                and self.app.focused.screen is self.app.screen
            ),
            f"{screen} with the focus",
        )
        await self.pilot.pause()

    async def open_form(self, key: str) -> None:
        await self.dialog(key, "FormScreen")

    async def close(self, key: str, back_to: str) -> None:
        """Submit or close a dialog with ``key``; it is gone and ``back_to`` is shown."""
        await self.pilot.press(key)
        await self.until(lambda: self.screen_name() == back_to, f"back to {back_to}")

    def timer(self) -> str:
        return str(self.app.screen.query_one("#timer").render())

    async def run_timebox(self, minutes: int) -> None:
        """F3 starts the first step's clock (later ones took the running clock over when the
        step changed); the fake clock moves on ``minutes``."""
        if not self.timer().startswith("▶"):
            await self.keys("f3")
        assert self.timer().startswith("▶"), self.timer()
        self.now[0] += minutes * 60

    async def saved(self) -> dict[str, Any]:
        """Ctrl+S (saves on the spot), then the session file as it is on disk."""
        await self.keys("ctrl+s")
        files = sorted((self.data_dir / "sessions").glob("*.toml"))
        assert len(files) == 1, files
        return tomllib.loads(files[0].read_text("utf-8"))


@pytest.mark.long
async def test_the_demo_agenda_by_keyboard_at_80x24(
    data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The export dialog proposes a file in ~/Downloads, else home (issue 19: not the cwd).
    monkeypatch.setenv("HOME", str(tmp_path))
    now = [1000.0]
    # A long autosave delay: the file changes only when the test saves (Ctrl+S, a step key).
    app = create_app(data_dir, today=lambda: TODAY, autosave_delay=600, clock=lambda: now[0])
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        room = Room(app, pilot, now, data_dir)
        await room.until(lambda: room.screen_name() == "HomeScreen", "home")

        # --- a new session from home: n, then the form --------------------------------------
        await room.open_form("n")  # Title has the focus
        await room.type("Onboarding")
        await room.keys("tab", "tab", "tab")  # past Team and Facilitator to Participants
        await room.type("Dana, Lee")
        await room.close("enter", "FutureStateScreen")  # Enter in a one-line field creates

        # --- step 1: statement, target date, two outcomes ------------------------------------
        await room.run_timebox(15)
        await room.type("Ship in 30 days")  # the goal field has the focus
        await room.keys("tab")
        await room.type("2027-06-30")
        await room.keys("tab", "tab")  # past "Serves" to the outcomes table
        for metric, baseline, target in (("Ramp", "60", "30"), ("Stay", "80", "90")):
            await room.open_form("a")
            await room.type(metric)
            await room.keys("tab", "tab")  # the unit stays blank
            await room.type(baseline)
            await room.keys("tab")
            await room.type(target)
            await room.close("enter", "FutureStateScreen")
        data = await room.saved()
        fs = data["future_state"]
        assert fs["statement"] == "Ship in 30 days"
        assert fs["target_date"] == date(2027, 6, 30)
        assert [(o["metric"], o["baseline"], o["target"]) for o in fs["outcomes"]] == [
            ("Ramp", 60.0, 30.0),
            ("Stay", 80.0, 90.0),
        ]
        assert all(o["due"] == date(2027, 6, 30) for o in fs["outcomes"])  # from the goal
        assert data["participants"] == ["Dana", "Lee"]
        assert data["facilitation"]["used_seconds"] == {"future_state": 15 * 60}

        # --- step 2: answer the method's three questions, add one ----------------------------
        await room.step("ctrl+n", "QuestionsScreen")
        # The running clock followed the step: step 1's stopped at 15 minutes used.
        assert room.timer() == "▶ 25:00", room.timer()
        await room.run_timebox(20)
        answers = ["Hires", "Speed", "Pairs"]
        for index, answer in enumerate(answers):
            if index:
                await room.keys("down")
            await room.open_form("enter")  # Enter on a question: its Answer has the focus
            await room.type(answer)
            await room.close("ctrl+s", "QuestionsScreen")
        await room.open_form("a")
        await room.type("Who pays?")
        await room.close("enter", "QuestionsScreen")
        data = await room.saved()
        questions = data["questions"]
        assert [q.get("answer", "") for q in questions] == [*answers, ""]
        assert [q["status"] for q in questions] == ["answered"] * 3 + ["open"]
        assert questions[3]["prompt"] == "Who pays?"
        assert data["facilitation"]["used_seconds"] == {
            "future_state": 15 * 60,  # paused when the questions' clock started
            "questions": 20 * 60,  # still running: saved as counted so far
        }

        # --- step 3: the reverse map, ten conditions on three levels, and a dot vote ---------
        await room.step("ctrl+n", "ReverseMapScreen")
        await room.run_timebox(30)

        async def node(key: str, title: str) -> None:
            await room.open_form(key)
            await room.type(title)
            await room.close("enter", "ReverseMapScreen")

        await node("a", "Budget")  # a: what must be true before the highlighted item
        await node("s", "Team")  # s: one more beside it
        await node("s", "Tools")
        await node("a", "Laptops")
        await node("s", "Accounts")
        await node("a", "Ticket")
        await node("s", "Signoff")
        await room.keys(*["up"] * 5)  # Ticket, Accounts, Laptops, Tools, Team
        await node("a", "Job ad")
        await node("s", "Interviews")
        await node("s", "Offers")
        await room.dialog("v", "VoteScreen")
        await room.keys("plus")  # Dana's vote for the first condition on the list
        await room.close("escape", "ReverseMapScreen")
        data = await room.saved()
        by_id = {n["id"]: n["title"] for n in data["map"]}
        assert {n["title"]: by_id.get(n.get("parent", "")) for n in data["map"]} == {
            "Budget": None,
            "Team": None,
            "Tools": None,
            "Laptops": "Tools",
            "Accounts": "Tools",
            "Ticket": "Accounts",
            "Signoff": "Accounts",
            "Job ad": "Team",
            "Interviews": "Team",
            "Offers": "Team",
        }
        nodes = {n["title"]: n for n in data["map"]}
        assert nodes["Budget"]["votes"] == {"Dana": 1}
        assert data["facilitation"]["used_seconds"]["reverse_map"] == 30 * 60

        # --- step 4: two pilots, the first testing a map node; two topics parked -------------
        await room.step("ctrl+n", "PilotsScreen")
        await room.run_timebox(25)
        await room.open_form("a")
        await room.type("Buddy")
        await room.keys("tab", "tab")  # past the hypothesis, into "Tests"
        await room.dialog("enter", "PickManyScreen")  # the map's conditions
        await room.keys("space")  # tick the first one
        await room.close("enter", "FormScreen")  # done
        await room.close("ctrl+s", "PilotsScreen")
        await room.open_form("a")
        await room.type("Ramp")
        await room.close("enter", "PilotsScreen")
        await room.dialog("ctrl+l", "ParkingLotScreen")  # park what the room cannot settle
        for topic in ("Pay bands", "Desks", "Laptops", "Lunch"):
            await room.type(topic)
            await room.keys("enter")  # parked; the line is empty for the next one
        # Later in the hour the room settles three of them: each, from the top of the list,
        # becomes a question, a map node and a pilot (the typing line has the focus back
        # after each, so Tab goes to the list again).
        for kind in ("q", "m", "p"):
            await room.keys("tab", "home", kind)
        await room.close("escape", "PilotsScreen")
        data = await room.saved()
        pilots = {p["name"]: p for p in data["pilots"]}
        assert set(pilots) == {"Buddy", "Ramp", "Laptops"}
        assert pilots["Buddy"]["tests"] == [nodes["Budget"]["id"]]
        assert data["facilitation"]["parking_lot"] == ["Lunch"]
        assert data["questions"][-1]["prompt"] == "Pay bands"
        assert [n["title"] for n in data["map"] if n["title"] == "Desks"] == ["Desks"]
        assert data["facilitation"]["used_seconds"]["pilots"] == 25 * 60
        items = (
            len(data["future_state"]["outcomes"])  # 2
            + len(data["questions"])  # 4
            + len(data["map"])  # 10
            + len(data["pilots"])  # 3
            + len(data["facilitation"]["parking_lot"])  # 1
        )
        assert items >= 21

        # --- the summary, and the Markdown export through its dialog ------------------------
        await room.step("ctrl+n", "SummaryScreen")
        now[0] += 10 * 60  # the summary has no clock: the pilots' stopped when it opened
        data = await room.saved()
        assert data["current_step"] == "summary"
        assert data["facilitation"]["used_seconds"] == {
            "future_state": 15 * 60,
            "questions": 20 * 60,
            "reverse_map": 30 * 60,
            "pilots": 25 * 60,
        }
        await room.open_form("x")  # Markdown, to ~/onboarding.md, is what it proposes
        await room.close("ctrl+s", "SummaryScreen")
        await app.workers.wait_for_complete()
        exported = tmp_path / "onboarding.md"
        await room.until(
            lambda: any(n.message == f"Exported to {exported}" for n in app._notifications),
            "the export toast",
        )
        # The agenda's minutes per step are the fake clock's.
        assert app.agenda is not None
        assert app.agenda.line(now[0]).startswith(
            "Future state 15/20 · Tough questions 20/25 · Reverse map 30/40 · "
            "Small pilots 25/30 · Total 90/115 min"
        )

        # A dialog left open at quit: the session details, a team half typed.
        await room.open_form("f2")  # the Title has the focus
        await room.keys("tab")
        await room.type("Platform")
        await room.keys("ctrl+q")

    saved = next((data_dir / "sessions").glob("*.toml")).read_text("utf-8")
    data = tomllib.loads(saved)
    assert data["facilitation"]["parking_lot"] == [
        "Lunch",
        'Draft from the "Session details" dialog, open at quit — Team: Platform',
    ]
    # (a list typed as "Dana, Lee" is saved as its names)
    missing = [part for typed in room.typed for part in typed.split(", ") if part not in saved]
    assert missing == [], "every string typed in the room is in the session file"
    assert len(room.typed) >= 30
    assert data["facilitation"]["used_seconds"] == {
        "future_state": 15 * 60,
        "questions": 20 * 60,
        "reverse_map": 30 * 60,
        "pilots": 25 * 60,
    }
    markdown = exported.read_text("utf-8")
    assert "Ship in 30 days" in markdown  # the goal
    assert "Interviews" in markdown  # a map condition
    assert "Buddy" in markdown  # a pilot
    assert "Pay bands" in markdown  # the parked topic
