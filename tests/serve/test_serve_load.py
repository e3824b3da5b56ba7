"""The browser room under load, small enough for CI: 6 participants connected, 3 of them
adding 2 questions each at once; nothing lost, every read of the file valid.  The full size
(20 connected, 10 adding) is ``benchmarks/soak_serve.py``."""

from __future__ import annotations

from pathlib import Path

import pytest

from serve.roomload import room_home, run

pytestmark = pytest.mark.slow


async def test_participants_adding_at_once_lose_nothing(tmp_path: Path) -> None:
    home = tmp_path / "room"
    session_id = room_home(home)
    result = await run(home, session_id, connected=6, adding=3, per_person=2)
    assert len(result.expected) == 6
    assert result.lost == []
    assert result.bad_reads == 0 and result.reads > 0
    assert result.names_missing == []  # each one who typed a name is in the session
