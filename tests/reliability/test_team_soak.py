"""Team mode: 8 processes x 20 random edits on one session through the workspace, 0 lost.

The full count (8 x 100) is ``benchmarks/soak_team.py``."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from reliability.teamsoak import run

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="write locks need fcntl")


@pytest.mark.slow  # soak
def test_eight_processes_editing_one_session_at_once_lose_nothing(data_dir: Path) -> None:
    result = run(data_dir, processes=8, edits=20)
    assert result.failures == []
    assert result.saves == 8 * 20  # every save went through: merged, never refused
    assert result.added > 0
    assert result.lost == [], f"{len(result.lost)} of {result.added} added texts lost"
    assert result.votes_lost == []
    assert result.bad_reads == 0  # every file read after a write loaded
