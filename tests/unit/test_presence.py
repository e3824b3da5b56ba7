"""Presence: who is in a session, the facilitator's room clock, stale records."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from backplan_tui.core import presence
from backplan_tui.core.presence import Member, Presence, RoomClock, here_text


class FakeClock:
    def __init__(self, now: float = 1_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def write_record(folder: Path, key: str, **fields: object) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    record = {
        "name": "Ben",
        "role": "participant",
        "step": "questions",
        "since": 999_990.0,
        "beat": 999_999.0,
        "pid": os.getpid(),
        "host": "elsewhere",
    }
    record.update(fields)
    path = folder / f"{key}.json"
    path.write_text(json.dumps(record), "utf-8")
    return path


def test_join_is_seen_by_another_app_and_leave_removes_it(tmp_path: Path) -> None:
    clock = FakeClock()
    ana = Presence(tmp_path, "s1", "Ana", "facilitator", clock=clock)
    assert ana.join("future_state")
    viewer = Presence(tmp_path, "s1", "Ben", "participant", clock=clock)
    viewer.key = "other"  # a second app (same pid in this test)
    seen = viewer.others()
    assert [(m.name, m.role, m.step) for m in seen] == [("Ana", "facilitator", "future_state")]
    assert viewer.facilitator() is not None
    ana.leave()
    assert viewer.others() == []
    assert not ana.path.exists()


def test_own_record_is_not_among_others(tmp_path: Path) -> None:
    ana = Presence(tmp_path, "s1", "Ana", clock=FakeClock())
    ana.join("questions")
    assert [m.name for m in ana.everyone()] == ["Ana"]
    assert ana.others() == []


def test_a_step_change_is_written_at_once_and_a_beat_only_when_due(tmp_path: Path) -> None:
    clock = FakeClock()
    ana = Presence(tmp_path, "s1", "Ana", clock=clock)
    ana.join("future_state")
    assert ana.update(step="reverse_map") is True
    assert json.loads(ana.path.read_text())["step"] == "reverse_map"
    clock.now += 1
    assert ana.beat() is False  # not due yet
    clock.now += presence.BEAT_EVERY
    assert ana.beat() is True
    assert json.loads(ana.path.read_text())["beat"] == clock.now


def test_room_clock_travels_in_the_facilitators_record(tmp_path: Path) -> None:
    clock = FakeClock()
    ana = Presence(tmp_path, "s1", "Ana", clock=clock)
    ana.join("questions")
    ana.update(clock=RoomClock("questions", remaining=600.0, running=True, at=clock.now))
    other = Presence(tmp_path, "s1", "Ben", "participant", clock=clock)
    other.key = "other"
    facilitator = other.facilitator()
    assert facilitator is not None and facilitator.clock is not None
    assert facilitator.clock.remaining_now(clock.now + 60) == 540.0
    paused = RoomClock("questions", remaining=300.0, running=False, at=clock.now)
    assert paused.remaining_now(clock.now + 60) == 300.0
    ana.update(clock=None)
    again = other.facilitator()
    assert again is not None and again.clock is None


def test_stale_and_dead_records_are_not_here_and_are_removed(tmp_path: Path) -> None:
    folder = tmp_path / presence.PRESENCE_DIR / "s1"
    clock = FakeClock()
    old = write_record(folder, "old", name="Old", beat=clock.now - presence.STALE_AFTER - 1)
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    gone = write_record(folder, "gone", name="Gone", pid=int(dead.stdout), host="thishost")
    live = write_record(folder, "live", name="Cleo", beat=clock.now - 1)
    found = presence.members(folder, now=clock.now, host="thishost")
    assert [m.name for m in found] == ["Cleo"]
    assert not old.exists() and not gone.exists() and live.exists()


@pytest.mark.parametrize(
    "data",
    [
        b"not json",
        b"[]",
        b'{"name": "", "role": "participant"}',
        json.dumps(
            {"name": "X", "role": "boss", "step": "q", "since": 1, "beat": 1, "pid": 5, "host": "h"}
        ).encode(),
        json.dumps(
            {
                "name": "X",
                "role": "participant",
                "step": "q",
                "since": "yesterday",
                "beat": 1,
                "pid": 5,
                "host": "h",
            }
        ).encode(),
        b"{" * 5000,
        b"\xff\xfe",
    ],
)
def test_damaged_records_are_ignored_not_raised(tmp_path: Path, data: bytes) -> None:
    folder = tmp_path / presence.PRESENCE_DIR / "s1"
    folder.mkdir(parents=True)
    (folder / "bad.json").write_bytes(data)
    assert presence.members(folder, now=1_000_000.0, host="h") == []


def test_hostile_names_are_one_clean_line(tmp_path: Path) -> None:
    folder = tmp_path / presence.PRESENCE_DIR / "s1"
    write_record(folder, "x", name="Eve\x1b[31m\nRed" + "x" * 200)
    (m,) = presence.members(folder, now=1_000_000.0, host="h")
    assert "\x1b" not in m.name and "\n" not in m.name
    assert m.name.startswith("Eve[31m Red") and len(m.name) <= 60


def member(name: str, since: float = 0.0) -> Member:
    return Member(name, "participant", "questions", since, since, 1, "h", key=name + str(since))


def test_here_text_names_each_person_once_in_join_order() -> None:
    assert here_text([]) == ""
    assert here_text([member("Ana"), member("Ben")]) == "Ana, Ben here"
    assert here_text([member("Ana"), member("ana", 1)]) == "Ana here"
    people = [member(n) for n in ("Ana", "Ben", "Cleo", "Dev", "Eli")]
    assert here_text(people) == "Ana, Ben, Cleo and 2 more here"


def test_a_folder_that_cannot_be_written_is_reported_not_raised(tmp_path: Path) -> None:
    blocker = tmp_path / presence.PRESENCE_DIR
    blocker.write_text("a file where the folder should be")
    ana = Presence(tmp_path, "s1", "Ana", clock=FakeClock())
    assert ana.join("questions") is False
    assert ana.problem is not None and "could not record presence" in ana.problem
