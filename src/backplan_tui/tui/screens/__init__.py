"""One screen per module.  Step screens are imported when first needed."""

from __future__ import annotations

from importlib import import_module
from typing import Any

_STEP_SCREENS = {
    "future_state": ("backplan_tui.tui.screens.future_state", "FutureStateScreen"),
    "questions": ("backplan_tui.tui.screens.questions", "QuestionsScreen"),
    "reverse_map": ("backplan_tui.tui.screens.reverse_map", "ReverseMapScreen"),
    "pilots": ("backplan_tui.tui.screens.pilots", "PilotsScreen"),
    "summary": ("backplan_tui.tui.screens.summary", "SummaryScreen"),
}


def step_screen_class(step: str) -> Any:
    module, name = _STEP_SCREENS[step]
    return getattr(import_module(module), name)
