"""Step 1 rules: the goal and its outcomes."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date

from backplan_tui.core.coach.live import COMPOUND, NUMBER
from backplan_tui.core.coach.plan import Plan, num, quote, stretched
from backplan_tui.core.coach.registry import Hit, rule

STEP = "future_state"


def _statement(plan: Plan) -> str:
    return plan.session.future_state.statement.strip()


def _measurable(plan: Plan) -> bool:
    outcomes = plan.session.future_state.outcomes
    return any(o.metric.strip() and o.target is not None for o in outcomes)


@rule(code="goal_missing", step=STEP, severity="problem", title="the goal has no statement")
def goal_missing(plan: Plan) -> Iterator[Hit]:
    if not _statement(plan):
        yield Hit(
            "",
            "The goal has no statement.",
            "Write the goal as one sentence: what changes, by how much, by when.",
        )


@rule(
    code="goal_no_number",
    step=STEP,
    severity="problem",
    title="no number in the statement and no outcome with a metric and a target",
)
def goal_no_number(plan: Plan) -> Iterator[Hit]:
    statement = _statement(plan)
    if statement and not NUMBER.search(statement) and not _measurable(plan):
        yield Hit(
            "",
            "The goal has no number: nothing says how much must change.",
            "Put a number in the statement or add an outcome with a target.",
        )


@rule(
    code="goal_no_date",
    step=STEP,
    severity="problem",
    title="no target date (nothing can be scheduled)",
)
def goal_no_date(plan: Plan) -> Iterator[Hit]:
    if plan.session.future_state.target_date is None:
        yield Hit(
            "",
            "The goal has no target date.",
            "Set a target date: the map's deadlines are computed backward from it.",
        )


@rule(
    code="goal_date_past", step=STEP, severity="problem", title="the target date is today or past"
)
def goal_date_past(plan: Plan) -> Iterator[Hit]:
    target = plan.session.future_state.target_date
    if target is not None and target <= plan.today:
        yield Hit(
            "",
            f"The target date ({target.isoformat()}) is not in the future.",
            "Move the target date and log the adjustment, or close the plan.",
        )


@rule(code="goal_vague", step=STEP, severity="warning", title="a statement under 6 words")
def goal_vague(plan: Plan) -> Iterator[Hit]:
    words = _statement(plan).split()
    if words and len(words) < 6:
        yield Hit(
            "",
            f"The goal is vague: {len(words)} word{'s' if len(words) != 1 else ''}.",
            "Say what changes, for whom and by how much (6 words or more).",
        )


@rule(
    code="goal_compound",
    step=STEP,
    severity="warning",
    title="a statement over 45 words, or joined with 'and also' / 'as well as' / ';'",
)
def goal_compound(plan: Plan) -> Iterator[Hit]:
    statement = _statement(plan)
    words = statement.split()
    if len(words) >= 6 and (len(words) > 45 or COMPOUND.search(statement)):
        yield Hit(
            "",
            f"The goal looks like several goals in one ({len(words)} words).",
            "Keep one goal per plan; give the others their own session.",
        )


@rule(
    code="goal_number_outside",
    step=STEP,
    severity="tip",
    title="the statement has no number although the outcomes do",
)
def goal_number_outside(plan: Plan) -> Iterator[Hit]:
    statement = _statement(plan)
    if statement and not NUMBER.search(statement) and _measurable(plan):
        yield Hit(
            "",
            "The statement has no number; only the outcomes do.",
            "Put the headline number in the statement so everyone quotes one goal.",
        )


@rule(
    code="no_objective", step=STEP, severity="warning", title="no aligned organizational objective"
)
def no_objective(plan: Plan) -> Iterator[Hit]:
    if not plan.session.future_state.aligned_objective.strip():
        yield Hit(
            "",
            "The goal is not tied to an organizational objective.",
            "Name the organizational objective this goal serves, in one line.",
        )


@rule(code="no_outcomes", step=STEP, severity="warning", title="no measurable outcomes (KPIs)")
def no_outcomes(plan: Plan) -> Iterator[Hit]:
    if not plan.session.future_state.outcomes:
        yield Hit(
            "",
            "No measurable outcomes (KPIs).",
            "Add 3-5 outcomes, each with a baseline, a target and a due date.",
        )


@rule(
    code="outcome_incomplete",
    step=STEP,
    severity="warning",
    title="an outcome without a metric, baseline, target or due date",
)
def outcome_incomplete(plan: Plan) -> Iterator[Hit]:
    for o in plan.session.future_state.outcomes:
        missing = [
            label
            for label, absent in (
                ("metric", not o.metric.strip()),
                ("baseline", o.baseline is None),
                ("target", o.target is None),
                ("due date", o.due is None),
            )
            if absent
        ]
        if missing:
            listed = missing[0] if len(missing) == 1 else ", ".join(missing[:-1])
            if len(missing) > 1:
                listed += f" or {missing[-1]}"
            yield Hit(
                o.id,
                f"Outcome {quote(o.metric, o.id)} has no {listed}.",
                f"Add its {listed.replace(' or ', ' and ')}.",
            )


@rule(
    code="outcome_due_after_goal",
    step=STEP,
    severity="warning",
    title="an outcome due after the target date (the date moved, the outcome did not)",
)
def outcome_due_after_goal(plan: Plan) -> Iterator[Hit]:
    target = plan.session.future_state.target_date
    if target is None:
        return
    for o in plan.session.future_state.outcomes:
        if o.due is not None and o.due > target:
            yield Hit(
                o.id,
                f"Outcome {quote(o.metric, o.id)} is due {o.due.isoformat()}, after the target "
                f"date {target.isoformat()}.",
                "Bring its due date in line with the target date, or log why the goal moved.",
            )


@rule(
    code="target_stretch",
    step=STEP,
    severity="warning",
    title="an increase/decrease target at least 50% of the baseline away from it (or any "
    "change from a baseline of 0) and no pilot whose outcome is that outcome",
)
def target_stretch(plan: Plan) -> Iterator[Hit]:
    tested = {p.outcome for p in plan.session.pilots if p.outcome}
    for o in plan.session.future_state.outcomes:
        if o.id not in tested and stretched(o.baseline, o.target, o.direction):
            assert o.baseline is not None and o.target is not None
            yield Hit(
                o.id,
                f"Outcome {quote(o.metric, o.id)}: {num(o.baseline)} to {num(o.target)} is a "
                "big jump and no pilot tests it.",
                "Design a small pilot that moves this outcome, or set a nearer target.",
            )


def guess_direction(baseline: float | None, target: float | None) -> str | None:
    """The direction the numbers say: "increase" when the target is above the baseline,
    "decrease" when below; None when they are equal or one is missing."""
    if baseline is None or target is None or baseline == target:
        return None
    return "increase" if target > baseline else "decrease"


@rule(
    code="outcome_direction_contradicts",
    step=STEP,
    severity="problem",
    title="an outcome whose direction goes against its numbers (14 to 3 with 'increase')",
)
def outcome_direction_contradicts(plan: Plan) -> Iterator[Hit]:
    for o in plan.session.future_state.outcomes:
        guessed = guess_direction(o.baseline, o.target)
        if (
            guessed is not None
            and o.direction in ("increase", "decrease")
            and guessed != (o.direction)
        ):
            assert o.baseline is not None and o.target is not None
            yield Hit(
                o.id,
                f"Outcome {quote(o.metric, o.id)} says {o.direction} but goes from "
                f"{num(o.baseline)} to {num(o.target)}.",
                f"Set its direction to {guessed}, or swap its baseline and target.",
            )


_ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")


@rule(
    code="goal_date_differs",
    step=STEP,
    severity="warning",
    title="a date in the goal statement that is not the target date",
)
def goal_date_differs(plan: Plan) -> Iterator[Hit]:
    target = plan.session.future_state.target_date
    if target is None:
        return
    for match in _ISO_DATE.finditer(_statement(plan)):
        try:
            said = date(*(int(part) for part in match.groups()))
        except ValueError:
            continue
        if said != target:
            yield Hit(
                "",
                f"The goal says {said.isoformat()} but the target date is {target.isoformat()}.",
                "Make the statement and the target date agree (the date moved: edit the goal).",
            )
            return
