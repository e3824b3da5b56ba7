"""Tracking rules (the revisit): check-ins and adjustments once the plan is under way."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from backplan_tui.core.coach.plan import Plan
from backplan_tui.core.coach.registry import Hit, rule
from backplan_tui.core.progress import next_checkin_due

STEP = "track"


@rule(
    code="no_checkin",
    step=STEP,
    severity="warning",
    title="under way, and no check-in for more than the review cadence",
)
def no_checkin(plan: Plan) -> Iterator[Hit]:
    if not plan.under_way:
        return
    session = plan.session
    due = next_checkin_due(session, plan.today)  # Track's own "next check-in due"
    if not due.overdue:
        return
    if due.last is not None:
        gap = (plan.today - due.last).days
        message = (
            f"The last check-in was {gap} days ago; the plan is reviewed {due.cadence} "
            f"(a check-in was due {due.due.isoformat()})."
        )
    else:
        gap = (plan.today - session.created.date()).days
        message = (
            f"No check-in in the {gap} days since the plan was made; it is reviewed "
            f"{due.cadence} (a check-in was due {due.due.isoformat()})."
        )
    yield Hit("", message, "Record a check-in: KPI actuals, confidence and a note.")


@rule(
    code="no_adjustment",
    step=STEP,
    severity="warning",
    title="a date passed since the plan was made (a node late or overdue) and no adjustment "
    "is logged on or after it",
)
def no_adjustment(plan: Plan) -> Iterator[Hit]:
    sched, session = plan.schedule, plan.session
    if not sched.ready:
        return
    created = session.created.date()
    unlogged: list[tuple[date, str]] = []
    for node_id in sched.late():
        ns = sched.nodes[node_id]
        missed = ns.start if "starts_in_past" in ns.flags else ns.due
        if missed >= created and not any(a.date >= missed for a in session.adjustments):
            unlogged.append((missed, node_id))
    if unlogged:
        missed, node_id = min(unlogged)
        more = f" (and {len(unlogged) - 1} more)" if len(unlogged) > 1 else ""
        yield Hit(
            "",
            f"{plan.node_name(node_id)} slipped past {missed.isoformat()}{more} and no "
            "adjustment is logged since.",
            "Log what changed and why, then re-plan the dates.",
        )
