"""One screen per module.

``STEP_SCREENS`` maps each step (and the summary) to its screen class.  Each entry imports its
module when first called, so the app starts without loading the step screens; the classes
are named in code (not strings), so a renamed class or module fails the import check and the
type checker, not a user opening the step.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from backplan_tui.tui.screens.base import StepScreen


def _future_state() -> type[StepScreen]:
    from backplan_tui.tui.screens.future_state import FutureStateScreen

    return FutureStateScreen


def _questions() -> type[StepScreen]:
    from backplan_tui.tui.screens.questions import QuestionsScreen

    return QuestionsScreen


def _reverse_map() -> type[StepScreen]:
    from backplan_tui.tui.screens.reverse_map import ReverseMapScreen

    return ReverseMapScreen


def _pilots() -> type[StepScreen]:
    from backplan_tui.tui.screens.pilots import PilotsScreen

    return PilotsScreen


def _summary() -> type[StepScreen]:
    from backplan_tui.tui.screens.summary import SummaryScreen

    return SummaryScreen


STEP_SCREENS: dict[str, Callable[[], type[StepScreen]]] = {
    "future_state": _future_state,
    "questions": _questions,
    "reverse_map": _reverse_map,
    "pilots": _pilots,
    "summary": _summary,
}


def step_screen_class(step: str) -> type[StepScreen]:
    """The screen class of ``step`` (a key of ``STEP_SCREENS``), its module imported now."""
    return STEP_SCREENS[step]()
