"""The step screens come from one explicit map (``screens.STEP_SCREENS``), loaded lazily."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from backplan_tui.core.basics import ALL_STEPS
from backplan_tui.tui.screens import STEP_SCREENS, step_screen_class
from backplan_tui.tui.screens.base import StepScreen

SRC = str(Path(__file__).resolve().parents[2] / "src")


def test_every_step_has_its_screen_class() -> None:
    assert set(STEP_SCREENS) == set(ALL_STEPS)
    names = {step: step_screen_class(step).__name__ for step in ALL_STEPS}
    assert names == {
        "future_state": "FutureStateScreen",
        "questions": "QuestionsScreen",
        "reverse_map": "ReverseMapScreen",
        "pilots": "PilotsScreen",
        "summary": "SummaryScreen",
    }
    for step in ALL_STEPS:
        assert issubclass(step_screen_class(step), StepScreen)


def test_the_screens_package_loads_no_step_screen_until_asked() -> None:
    probe = (
        "import sys; import backplan_tui.tui.screens as s; "
        "print(sorted(m for m in sys.modules if m.startswith('backplan_tui.tui.screens.')))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe],
        env={"PYTHONPATH": SRC, "PATH": ""},
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.strip() == "[]"
