"""The few constants that start-up needs before any session is open.

The model and the codec re-export them; they live here, in a module that imports nothing,
so that listing sessions on the home screen (the store, the settings, the step names) does
not load the model's dataclasses and the codec (a visible share of every start; see
benchmarks/README.md, startup).
"""

from __future__ import annotations

from typing import Literal, get_args

SCHEMA_VERSION = 1

MAX_FILE_BYTES = 10 * 1024 * 1024  # a session file (and the index) is refused above this

# The four workshop steps, in order.  ``current_step`` may also be "summary".
Step = Literal["future_state", "questions", "reverse_map", "pilots"]
AnyStep = Literal["future_state", "questions", "reverse_map", "pilots", "summary"]
STEPS: tuple[Step, ...] = get_args(Step)
STEP_TITLES: dict[str, str] = {
    "future_state": "Future state",
    "questions": "Tough questions",
    "reverse_map": "Reverse map",
    "pilots": "Small pilots",
    "summary": "Summary",
}
ALL_STEPS: tuple[AnyStep, ...] = get_args(AnyStep)

# Minutes per step when a session starts (the settings can change them).
DEFAULT_TIMEBOXES: dict[str, int] = {
    "future_state": 20,
    "questions": 25,
    "reverse_map": 40,
    "pilots": 30,
}

# Every date a session holds (a target date, a check-in, ``created``, ...) lies in these
# years, both included: a file with a date outside them is damaged (a date near year 1 or
# 9999 would overflow the date arithmetic of the schedule and the check-in cadence).
MIN_YEAR = 1900
MAX_YEAR = 2999

# The most characters one text field (a note, an answer, a title ...) may hold: longer text
# is refused where it is typed and in a file (a 9 MB note made `show` take 18 s).
MAX_TEXT_CHARS = 100_000
