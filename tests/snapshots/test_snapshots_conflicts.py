"""Conflicts left by a merge (issue 17): the Conflicts dialog, and the step screen that marks
them, at 80x24.  Fixed data: the demo for a fixed day, with five conflicts from "Ben", one of
them holding markup that must show literally."""

from __future__ import annotations

from pathlib import Path

from textual.pilot import Pilot

from backplan_tui.core import templates
from backplan_tui.core.model import Conflict
from snapshots.test_snapshots import STAMP, TODAY, app_for, write_session


def conflicted_demo(data_dir: Path) -> Path:
    demo = templates.demo_session(TODAY)
    demo.updated = STAMP
    demo.current_step = "questions"
    q, node, pilot = demo.questions[0], demo.map[0], demo.pilots[0]
    demo.conflicts = [
        Conflict(field="prompt", where="questions", item=q.id, by="Ben", theirs="[red]Who[/]?"),
        Conflict(field="answer", where="questions", item=q.id, by="Ben"),
        Conflict(field="duration_days", where="map", item=node.id, by="Ben", theirs=45),
        Conflict(field="owner", where="pilots", item=pilot.id, by="Ben", theirs="Ben"),
        Conflict(field="team", by="Ana", theirs="People Operations"),
    ]
    write_session(data_dir, demo)
    return data_dir


async def open_demo(pilot: Pilot) -> None:
    pilot.app.open_session(templates.DEMO_ID)  # type: ignore[attr-defined]
    await pilot.pause()


def test_questions_with_conflicts(snap_compare, data_dir: Path) -> None:
    assert snap_compare(app_for(conflicted_demo(data_dir)), run_before=open_demo)


def test_conflicts_dialog(snap_compare, data_dir: Path) -> None:
    async def open_dialog(pilot: Pilot) -> None:
        await open_demo(pilot)
        await pilot.press("exclamation_mark")
        await pilot.pause()

    assert snap_compare(app_for(conflicted_demo(data_dir)), run_before=open_dialog)
