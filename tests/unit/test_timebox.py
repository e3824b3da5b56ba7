"""Timeboxes and the agenda, driven by a fake monotonic clock (plain numbers)."""

from __future__ import annotations

import pytest

from backplan_tui.core import codec
from backplan_tui.core.model import Session
from backplan_tui.core.timebox import (
    Agenda,
    Timebox,
    TimeboxError,
    check_minutes,
    format_clock,
)


class FakeClock:
    def __init__(self, start: float = 1000.0) -> None:
        self.now = start

    def advance(self, seconds: float) -> float:
        self.now += seconds
        return self.now


def test_a_twenty_minute_box_counts_down_to_zero_and_past_it() -> None:
    clock = FakeClock()
    box = Timebox.from_minutes(20)
    assert box.remaining(clock.now) == 1200
    assert box.clock(clock.now) == "20:00"
    box.start(clock.now)
    clock.advance(754)
    assert box.elapsed(clock.now) == 754
    assert box.clock(clock.now) == "07:26"
    assert not box.is_over(clock.now)
    before = clock.now
    clock.advance(446)  # exactly 20 minutes
    assert box.remaining(clock.now) == 0
    assert box.clock(clock.now) == "00:00"
    assert box.is_over(clock.now)
    assert box.crossed_zero(before, clock.now)
    later = clock.advance(65)
    assert box.remaining(later) == -65
    assert box.clock(later) == "-01:05"
    assert not box.crossed_zero(later - 1, later)  # the bell rings once, not on every tick


def test_pause_stops_the_count_and_resume_continues_it() -> None:
    clock = FakeClock()
    box = Timebox.from_minutes(10)
    box.start(clock.now)
    clock.advance(120)
    box.pause(clock.now)
    assert not box.running
    clock.advance(3600)  # a long break does not count
    assert box.elapsed(clock.now) == 120
    box.pause(clock.now)  # pausing twice changes nothing
    assert box.elapsed(clock.now) == 120
    box.start(clock.now)
    box.start(clock.now + 10)  # starting a running box does not restart it
    clock.advance(30)
    assert box.elapsed(clock.now) == 150
    assert box.clock(clock.now) == "07:30"


def test_toggle_is_the_start_pause_key() -> None:
    box = Timebox.from_minutes(5)
    box.toggle(0.0)
    assert box.running
    box.toggle(42.0)
    assert not box.running
    assert box.elapsed(99.0) == 42


def test_plus_five_minutes_extends_the_countdown_even_after_zero() -> None:
    clock = FakeClock()
    box = Timebox.from_minutes(1)
    box.start(clock.now)
    clock.advance(90)
    assert box.clock(clock.now) == "-00:30"
    box.add()
    assert box.remaining(clock.now) == 270
    assert box.clock(clock.now) == "04:30"
    assert not box.is_over(clock.now)
    assert box.running  # +5 min does not pause
    assert box.planned_seconds == 60 and box.added_seconds == 300


def test_reset_goes_back_to_the_plan_paused() -> None:
    box = Timebox.from_minutes(25)
    box.start(0.0)
    box.add()
    box.reset()
    assert not box.running
    assert box.elapsed(500.0) == 0
    assert box.clock(500.0) == "25:00"


def test_a_clock_that_goes_backwards_counts_no_time() -> None:
    box = Timebox.from_minutes(1)
    box.start(100.0)
    assert box.elapsed(90.0) == 0
    box.pause(90.0)
    assert box.elapsed(200.0) == 0


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0, "00:00"),
        (59, "00:59"),
        (59.2, "01:00"),  # a countdown shows 01:00 until a full minute is left
        (0.4, "00:01"),
        (754, "12:34"),
        (3599, "59:59"),
        (3600, "1:00:00"),
        (3723, "1:02:03"),
        (36000, "10:00:00"),
        (-0.5, "00:00"),  # less than a second over still reads zero
        (-1, "-00:01"),
        (-65, "-01:05"),
        (-65.7, "-01:05"),
        (-3723, "-1:02:03"),
    ],
)
def test_format_clock(seconds: float, text: str) -> None:
    assert format_clock(seconds) == text


def test_check_minutes_accepts_1_to_120() -> None:
    assert check_minutes(1) == 1
    assert check_minutes(120) == 120
    for bad in (0, 121, -5):
        with pytest.raises(TimeboxError, match=r"must be 1-120 minutes, got "):
            check_minutes(bad)
    with pytest.raises(TimeboxError, match="whole number of minutes"):
        check_minutes(2.5)  # type: ignore[arg-type]


def make_session() -> Session:
    session = Session(id="s", title="t")
    session.facilitation.timebox_minutes = {
        "future_state": 20,
        "questions": 25,
        "reverse_map": 40,
        "pilots": 30,
    }
    return session


def test_agenda_planned_and_used_per_step_and_total() -> None:
    clock = FakeClock()
    agenda = Agenda.from_session(make_session())
    agenda.start("future_state", clock.now)
    clock.advance(18 * 60 + 40)  # 18:40 on step 1
    agenda.start("questions", clock.now)  # starting step 2 pauses step 1
    assert agenda.running_step() == "questions"
    assert not agenda.timebox("future_state").running
    clock.advance(30 * 60)  # 30:00 on step 2 (5 over)
    rows = agenda.rows(clock.now)
    assert [(r.step, r.planned_seconds, r.used_seconds) for r in rows] == [
        ("future_state", 1200, 1120),
        ("questions", 1500, 1800),
        ("reverse_map", 2400, 0),
        ("pilots", 1800, 0),
    ]
    assert agenda.total_planned_seconds() == 6900
    assert agenda.total_used_seconds(clock.now) == 2920
    assert agenda.line(clock.now) == (
        "Future state 19/20 · Tough questions 30/25 · Reverse map 0/40 · "
        "Small pilots 0/30 · Total 49/115 min"
    )
    agenda.timebox("reverse_map").add()
    assert "Reverse map 0/40+5" in agenda.line(clock.now)
    assert agenda.total_planned_seconds() == 6900  # the plan stays the plan
    agenda.pause_all(clock.now)
    assert agenda.running_step() is None


def test_missing_or_zero_plan_takes_the_defaults() -> None:
    session = Session(id="s", title="t")
    session.facilitation.timebox_minutes = {"questions": 0, "pilots": 15}
    agenda = Agenda.from_session(session)
    assert [r.planned_seconds // 60 for r in agenda.rows(0.0)] == [20, 25, 40, 15]


def test_replan_keeps_used_time_and_the_running_clock() -> None:
    session = make_session()
    agenda = Agenda.from_session(session)
    agenda.start("pilots", 0.0)
    session.facilitation.timebox_minutes["pilots"] = 45
    agenda.replan(session)
    assert agenda.timebox("pilots").running
    assert agenda.timebox("pilots").clock(600.0) == "35:00"


def test_used_time_round_trips_through_the_session_file() -> None:
    session = make_session()
    agenda = Agenda.from_session(session)
    agenda.start("future_state", 10.0)
    agenda.timebox("future_state").add()
    changed = agenda.store(session, 10.0 + 754.6)
    assert changed
    assert session.facilitation.used_seconds == {"future_state": 754}
    assert session.facilitation.added_seconds == {"future_state": 300}
    assert session.facilitation.extra == {}
    assert not agenda.store(session, 10.0 + 754.9)  # same whole second: nothing to save

    # The file keeps the tables older versions wrote (written out by hand).
    text = codec.dumps(session)
    assert "\n[facilitation.used_seconds]\nfuture_state = 754\n" in text
    assert "\n[facilitation.added_seconds]\nfuture_state = 300\n" in text
    reloaded = codec.loads(text)
    again = Agenda.from_session(reloaded)
    box = again.timebox("future_state")
    assert not box.running  # a loaded timebox is paused
    assert box.elapsed(0.0) == 754
    assert box.clock(0.0) == "12:26"  # 20 + 5 minutes planned, 12:34 used
    assert again.timebox("questions").elapsed(0.0) == 0


def test_reset_everything_removes_the_tables() -> None:
    session = make_session()
    session.facilitation.used_seconds = {"questions": 60}
    session.facilitation.extra = {"other": 1}
    agenda = Agenda.from_session(session)
    agenda.timebox("questions").reset()
    assert agenda.store(session, 0.0)
    assert session.facilitation.used_seconds == {} and session.facilitation.extra == {"other": 1}
    assert "used_seconds" not in codec.dumps(session)


def test_garbage_in_memory_is_ignored() -> None:
    # The codec refuses such values in a file (see tests/unit/test_codec.py); a session made
    # in memory may still hold them, and the agenda keeps only what makes sense.
    session = make_session()
    session.facilitation.used_seconds = {
        "questions": "lots",  # type: ignore[dict-item]
        "pilots": -3,
        "summary": 9,
        "future_state": 61,
    }
    session.facilitation.added_seconds = [1, 2]  # type: ignore[assignment]
    agenda = Agenda.from_session(session)
    assert agenda.used_seconds(0.0) == {"future_state": 61}
    assert agenda.added_seconds() == {}
