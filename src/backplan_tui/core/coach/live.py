"""The coach's building blocks the step screens use directly.

``smart_check`` (the goal, letter by letter), ``step_state`` (empty / in progress / done),
``pilot_flags`` (why a pilot is not a small, testable experiment; ``all_pilot_flags`` for
every pilot at once) and ``answered_count``.  Pure: ``today`` is passed in.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from backplan_tui.core.model import Pilot, Session

PILOT_MAX_DAYS = 12 * 7  # a pilot longer than 12 weeks is not small

NUMBER = re.compile(r"\d")
_YEAR_OR_DATE = re.compile(
    r"\b(19|20)\d\d\b|\bby (end of |the end of )?(q[1-4]|[a-z]+ \d{4})\b", re.I
)
COMPOUND = re.compile(r"\b(and also|as well as|in addition)\b|;", re.I)


@dataclass(frozen=True)
class SmartLetter:
    letter: str
    name: str
    ok: bool
    advice: str  # what to add when not ok; what was found when ok


def smart_check(session: Session, today: date) -> list[SmartLetter]:
    """Specific, Measurable, Achievable, Relevant, Time-bound: each letter explained."""
    fs = session.future_state
    statement = fs.statement.strip()
    words = statement.split()

    if not statement:
        specific = SmartLetter("S", "Specific", False, "Write the goal as one sentence.")
    elif len(words) < 6:
        specific = SmartLetter("S", "Specific", False, "Say what changes, for whom (6+ words).")
    elif len(words) > 45 or COMPOUND.search(statement):
        specific = SmartLetter("S", "Specific", False, "One goal per statement: split it.")
    else:
        specific = SmartLetter("S", "Specific", True, "One clear goal.")

    measurable_outcomes = [o for o in fs.outcomes if o.target is not None and o.metric]
    if NUMBER.search(statement) or measurable_outcomes:
        measurable = SmartLetter("M", "Measurable", True, "Has a number to hit.")
    else:
        measurable = SmartLetter("M", "Measurable", False, "Add a number or an outcome target.")

    stretched = [
        o
        for o in fs.outcomes
        if o.baseline is not None
        and o.target is not None
        and o.baseline != 0
        and abs(o.target - o.baseline) > abs(o.baseline)
    ]
    if not fs.outcomes:
        achievable = SmartLetter("A", "Achievable", False, "Add outcomes with a baseline.")
    elif stretched:
        names = ", ".join(o.metric or o.id for o in stretched)
        achievable = SmartLetter(
            "A", "Achievable", False, f"Target more than doubles the baseline: {names}."
        )
    else:
        achievable = SmartLetter("A", "Achievable", True, "Targets are within reach.")

    if fs.aligned_objective.strip():
        relevant = SmartLetter("R", "Relevant", True, "Aligned with an organizational objective.")
    else:
        relevant = SmartLetter("R", "Relevant", False, "Name the organizational objective.")

    if fs.target_date is not None and fs.target_date <= today:
        timebound = SmartLetter("T", "Time-bound", False, "The target date has passed.")
    elif fs.target_date is not None or _YEAR_OR_DATE.search(statement):
        timebound = SmartLetter("T", "Time-bound", True, "Has a date.")
    else:
        timebound = SmartLetter("T", "Time-bound", False, "Set a target date.")

    return [specific, measurable, achievable, relevant, timebound]


def step_state(session: Session, step: str) -> str:
    """ "empty", "in_progress" or "done" for one of the four workshop steps."""
    if step == "future_state":
        fs = session.future_state
        if not fs.statement and not fs.outcomes and fs.target_date is None:
            return "empty"
        complete = fs.statement and fs.target_date is not None and fs.outcomes
        return "done" if complete else "in_progress"
    if step == "questions":
        if not session.questions or not any(q.status != "open" for q in session.questions):
            return "empty"
        return "in_progress" if any(q.status == "open" for q in session.questions) else "done"
    if step == "reverse_map":
        if not session.map:
            return "empty"
        traced = any(n.parent for n in session.map)
        owned = all(n.owner for n in session.map)
        return "done" if traced and owned else "in_progress"
    if step == "pilots":
        if not session.pilots:
            return "empty"
        good = not any(all_pilot_flags(session).values())
        return "done" if good else "in_progress"
    return "empty"


def pilot_flags(session: Session, pilot: Pilot) -> list[str]:
    """Why a pilot is not yet a small, testable experiment (empty when it is)."""
    gaps = pilot_gaps(
        pilot,
        lambda node_id: session.node(node_id) is not None,
        lambda outcome_id: session.outcome(outcome_id) is not None,
    )
    return [label for _, label in gaps]


def all_pilot_flags(session: Session) -> dict[str, list[str]]:
    """``pilot_flags`` of every pilot, by pilot id, from one index of the map and outcomes
    (not a scan of the map per pilot tested node).  A repeated id keeps its first pilot's."""
    node_ids = {n.id for n in session.map}
    outcome_ids = {o.id for o in session.future_state.outcomes}
    flags: dict[str, list[str]] = {}
    for pilot in session.pilots:
        if pilot.id not in flags:
            gaps = pilot_gaps(pilot, node_ids.__contains__, outcome_ids.__contains__)
            flags[pilot.id] = [label for _, label in gaps]
    return flags


def pilot_gaps(
    pilot: Pilot, has_node: Callable[[str], bool], has_outcome: Callable[[str], bool]
) -> list[tuple[str, str]]:
    """(check name, label) for each gap of ``pilot``; the lookups are passed in so the coach
    can use its indexes instead of scanning the session once per pilot."""
    gaps: list[tuple[str, str]] = []
    if not any(has_node(node_id) for node_id in pilot.tests):
        gaps.append(("pilot_tests_nothing", "tests nothing on the map"))
    if not pilot.metric and not has_outcome(pilot.outcome):
        gaps.append(("pilot_no_metric", "no metric"))
    if pilot.end is None:
        gaps.append(("pilot_no_end", "no end date"))
    elif pilot.start is not None and (pilot.end - pilot.start).days > PILOT_MAX_DAYS:
        gaps.append(("pilot_not_small", "not small (over 12 weeks)"))
    if not pilot.success_rule:
        gaps.append(("pilot_no_rule", "no decision rule"))
    return gaps


def answered_count(session: Session) -> tuple[int, int]:
    """(answered, total) tough questions."""
    return sum(q.status == "answered" for q in session.questions), len(session.questions)
