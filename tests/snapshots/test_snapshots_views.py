"""Each workshop screen at 80x24 and 120x40, in the normal and in the presenter view.

test_snapshots.py already holds the normal view of every step at 80x24
(``test_step_screens``), the reverse map at 120x40 (``test_reverse_map_large``) and the
questions step in presenter view at both sizes (``test_presenter_view``); this file adds the
rest of that grid, with the same data (the demo session on a fixed day, no autosave).

The presenter snapshots are taken after the "Presenter view: F9 to leave." toast is
cleared: it lasts two seconds in the room, and would otherwise hide the items it is about.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.pilot import Pilot

from backplan_tui.core import templates
from helpers import settle
from snapshots.test_snapshots import app_for, demo_dir  # noqa: F401  (demo_dir is a fixture)

SIZES = {"80x24": (80, 24), "120x40": (120, 40)}


def open_step(step: str, *, presenter: bool = False):  # noqa: ANN201
    async def run(pilot: Pilot) -> None:
        pilot.app.open_session(templates.DEMO_ID, step=step)  # type: ignore[attr-defined]
        await settle(pilot)
        if presenter:
            await pilot.press("f9")
            await pilot.pause()
            pilot.app.clear_notifications()
            await pilot.pause()

    return run


@pytest.mark.usefixtures("demo_dir")
@pytest.mark.parametrize("step", ["future_state", "questions", "pilots", "summary"])
def test_step_screen_large(snap_compare, data_dir: Path, step: str) -> None:
    """The normal view at 120x40 (the reverse map's is test_reverse_map_large)."""
    assert snap_compare(app_for(data_dir), run_before=open_step(step), terminal_size=(120, 40))


@pytest.mark.usefixtures("demo_dir")
@pytest.mark.parametrize("size", list(SIZES))
@pytest.mark.parametrize("step", ["future_state", "reverse_map", "pilots", "summary"])
def test_step_screen_presenter(snap_compare, data_dir: Path, step: str, size: str) -> None:
    """Presenter view (F9): no header, footer or detail panel; the timer stays."""
    assert snap_compare(
        app_for(data_dir),
        run_before=open_step(step, presenter=True),
        terminal_size=SIZES[size],
    )
