"""The coach's report: ``review`` runs every rule and orders the findings; the rest turns
findings into what the screens show (counts, the stepper's badges, one-line text)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from backplan_tui.core import schedule as schedule_mod
from backplan_tui.core.coach import registry
from backplan_tui.core.coach.live import step_state
from backplan_tui.core.coach.plan import Plan, under_way
from backplan_tui.core.coach.registry import (
    HEALTH_STEP_TITLES,
    HEALTH_STEPS,
    SEVERITIES,
    SEVERITY_LABELS,
    Finding,
)
from backplan_tui.core.model import HasId, Session
from backplan_tui.core.owners import Limits

_SEVERITY_RANK = {name: i for i, name in enumerate(SEVERITIES)}
_STEP_RANK = {name: i for i, name in enumerate(HEALTH_STEPS)}


def review(
    session: Session,
    today: date,
    schedule: schedule_mod.Schedule | None = None,
    limits: Limits | None = None,
) -> list[Finding]:
    """Every finding for ``session`` on ``today``: problems first, then warnings, then tips;
    within a severity by step (``HEALTH_STEPS``), then plan-level before items, items in file
    order, then by check (the order the rules are declared in, ``CHECKS`` order).

    Pass ``schedule`` when the caller already computed it (e.g. in working-days mode);
    otherwise it is computed here in calendar days.  ``limits``: when an owner has too
    much at once (the user's settings; None: ``owners.DEFAULT_LIMITS``).
    """
    found = list(registry.run(Plan(session, today, schedule, limits)))
    check_rank = {code: i for i, code in enumerate(registry.RULES)}

    rank: dict[tuple[str, str], int] = {}
    lists: tuple[tuple[str, Sequence[HasId]], ...] = (
        ("future_state", session.future_state.outcomes),
        ("questions", session.questions),
        ("reverse_map", session.map),
        ("pilots", session.pilots),
    )
    for step, items in lists:
        for i, item in enumerate(items):
            rank.setdefault((step, item.id), i)

    def key(f: Finding) -> tuple[int, int, int, int]:
        item_rank = rank.get((f.step, f.item_id), len(rank)) if f.item_id else -1
        return (
            _SEVERITY_RANK[f.severity],
            _STEP_RANK[f.step],
            item_rank,
            check_rank[f.check],
        )

    return sorted(found, key=key)


def summary_counts(findings: list[Finding]) -> tuple[int, int, int]:
    """(problems, warnings, tips)."""
    counts = dict.fromkeys(SEVERITIES, 0)
    for f in findings:
        counts[f.severity] += 1
    return counts["problem"], counts["warning"], counts["tip"]


def overall_health(findings: list[Finding]) -> str:
    """ "problems", "warnings" or "healthy" (tips do not count) - the home screen's column."""
    problems, warnings, _ = summary_counts(findings)
    return "problems" if problems else "warnings" if warnings else "healthy"


def _step_empty(session: Session, step: str, today: date) -> bool:
    if step == "pilots":
        return not session.pilots
    if step == "track":
        return not (session.checkins or session.adjustments or under_way(session, today))
    return step_state(session, step) == "empty"


def step_health(
    session: Session, today: date, findings: list[Finding] | None = None
) -> dict[str, str]:
    """The stepper's badge for each of HEALTH_STEPS: "empty", "problems", "warnings" or
    "healthy".

    A step is "empty" only while it and every step after it are empty (not reached yet);
    once the team has moved past an empty step, the step shows its findings like any other.
    Tips never change a badge.  Pass ``findings`` from ``review`` to avoid computing twice.
    """
    if findings is None:
        findings = review(session, today)
    severities: dict[str, set[str]] = {step: set() for step in HEALTH_STEPS}
    for f in findings:
        severities[f.step].add(f.severity)
    health: dict[str, str] = {}
    reached = False
    for step in reversed(HEALTH_STEPS):
        empty = _step_empty(session, step, today)
        if empty and not reached:
            health[step] = "empty"
        elif "problem" in severities[step]:
            health[step] = "problems"
        elif "warning" in severities[step]:
            health[step] = "warnings"
        else:
            health[step] = "healthy"
        reached = reached or not empty
    return {step: health[step] for step in HEALTH_STEPS}


def by_step(findings: list[Finding]) -> dict[str, list[Finding]]:
    """Findings grouped per HEALTH_STEPS entry (every step present, order kept)."""
    grouped: dict[str, list[Finding]] = {step: [] for step in HEALTH_STEPS}
    for f in findings:
        grouped[f.step].append(f)
    return grouped


def finding_line(finding: Finding) -> str:
    """One plain-text line: ``PROBLEM  Future state: <message>  Fix: <fix>``.  The severity is
    spelled out (nothing relies on colour); the text may quote user input."""
    label = SEVERITY_LABELS.get(finding.severity, finding.severity)
    where = HEALTH_STEP_TITLES.get(finding.step, finding.step)
    return f"{label:<8} {where}: {finding.message}  Fix: {finding.fix}"
