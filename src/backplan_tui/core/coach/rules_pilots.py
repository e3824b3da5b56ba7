"""Step 4 rules: the pilots.

A done pilot is history: its design gaps are not reported, a missing decision is.  The design
gaps themselves are ``live.pilot_gaps`` (the labels the pilot cards show)."""

from __future__ import annotations

from collections.abc import Iterator

from backplan_tui.core.coach.plan import Plan, quote
from backplan_tui.core.coach.registry import Hit, rule

STEP = "pilots"


@rule(code="no_pilot", step=STEP, severity="warning", title="no pilot at all")
def no_pilot(plan: Plan) -> Iterator[Hit]:
    if not plan.session.pilots:
        yield Hit(
            "",
            "No pilot: nothing on the map is tested small before the launch.",
            "Pick the riskiest step and design a small pilot with an end date and a rule.",
        )


def _gap(plan: Plan, code: str, text: str, fix: str) -> Iterator[Hit]:
    for p, gaps in plan.pilot_gaps:
        if code in gaps:
            yield Hit(p.id, f"Pilot {quote(p.name, p.id)} {text}.", fix)


@rule(
    code="pilot_tests_nothing",
    step=STEP,
    severity="warning",
    title="a pilot linked to no existing map node",
)
def pilot_tests_nothing(plan: Plan) -> Iterator[Hit]:
    yield from _gap(
        plan, "pilot_tests_nothing", "tests nothing on the map", "Link it to the map step it tests."
    )


@rule(
    code="pilot_no_metric",
    step=STEP,
    severity="warning",
    title="a pilot with no metric and no outcome",
)
def pilot_no_metric(plan: Plan) -> Iterator[Hit]:
    yield from _gap(
        plan,
        "pilot_no_metric",
        "has no metric",
        "Name the metric it should move, or link it to an outcome.",
    )


@rule(code="pilot_no_end", step=STEP, severity="warning", title="a pilot with no end date")
def pilot_no_end(plan: Plan) -> Iterator[Hit]:
    yield from _gap(
        plan, "pilot_no_end", "has no end date", "Give it a fixed end date, 12 weeks at most."
    )


@rule(code="pilot_not_small", step=STEP, severity="warning", title="a pilot longer than 12 weeks")
def pilot_not_small(plan: Plan) -> Iterator[Hit]:
    fix = "Cut it to 12 weeks or less: one team, one site."
    for p, gaps in plan.pilot_gaps:
        if "pilot_not_small" in gaps:
            text = "is not small"
            if p.start and p.end:
                text = f"runs {(p.end - p.start).days} days: not small (over 12 weeks)"
            yield Hit(p.id, f"Pilot {quote(p.name, p.id)} {text}.", fix)


@rule(code="pilot_no_rule", step=STEP, severity="warning", title="a pilot with no decision rule")
def pilot_no_rule(plan: Plan) -> Iterator[Hit]:
    yield from _gap(
        plan,
        "pilot_no_rule",
        "has no decision rule",
        "Agree now when you will scale, adjust or stop.",
    )


@rule(
    code="pilot_ended",
    step=STEP,
    severity="warning",
    title="a planned/running pilot whose end date has passed",
)
def pilot_ended(plan: Plan) -> Iterator[Hit]:
    for p, _gaps in plan.pilot_gaps:
        if p.end is not None and p.end < plan.today:
            yield Hit(
                p.id,
                f"Pilot {quote(p.name, p.id)} ended on {p.end.isoformat()} but is still "
                f"{p.status}.",
                "Record the result and decide: scale, adjust or stop.",
            )


@rule(
    code="pilot_no_decision",
    step=STEP,
    severity="warning",
    title="a done pilot without scale/adjust/stop",
)
def pilot_no_decision(plan: Plan) -> Iterator[Hit]:
    for p in plan.session.pilots:
        if p.status == "done" and not p.decision:
            yield Hit(
                p.id,
                f"Pilot {quote(p.name, p.id)} is done but no decision is recorded.",
                "Record the decision: scale, adjust or stop.",
            )


@rule(
    code="pilot_no_owner",
    step=STEP,
    severity="tip",
    title="a pilot that is not done and has no owner",
)
def pilot_no_owner(plan: Plan) -> Iterator[Hit]:
    for p, _gaps in plan.pilot_gaps:
        if not p.owner.strip():
            yield Hit(
                p.id, f"Pilot {quote(p.name, p.id)} has no owner.", "Name one person who runs it."
            )
