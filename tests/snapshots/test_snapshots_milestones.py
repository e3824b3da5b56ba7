"""Milestones at 80x24: a milestone highlighted on the demo's map (◆ and its targets in the
detail) and its edit dialog with one target field per outcome.  Track's milestone lines are in
``test_snapshots.py::test_track_screen`` (the demo's first outcome is at risk)."""

from __future__ import annotations

from pathlib import Path

from snapshots.test_snapshots import app_for, demo_dir, open_demo_then  # noqa: F401

# The demo's tree: goal, m1, m5, m10, m6, m13, m2, then m7 "Career ladders ...", a milestone.
TO_M7 = ("down",) * 7


def test_map_with_a_milestone_highlighted(snap_compare, demo_dir: Path) -> None:  # noqa: F811
    assert snap_compare(app_for(demo_dir), run_before=open_demo_then(*TO_M7))


def test_milestone_edit_dialog(snap_compare, demo_dir: Path) -> None:  # noqa: F811
    assert snap_compare(app_for(demo_dir), run_before=open_demo_then(*TO_M7, "e"))
