"""Stakeholder rules: who could stop the plan and hears nothing, and what was not said on time.

- ``resistant_unplanned``: a resistant stakeholder with high influence and no planned
  communication (none names them in its audience with a next date;
  ``stakeholders.planned_for``).  The method's guides: resistance from leaders who prefer the
  old way is met with clear, evidence-backed progress reports.
- ``communication_overdue``: a communication whose next date has passed
  (``stakeholders.overdue``): it names what was due and to whom.

Both belong to Track (the plan lived with) and are warnings.
"""

from __future__ import annotations

from collections.abc import Iterator

from backplan_tui.core import stakeholders
from backplan_tui.core.coach.plan import Plan, quote
from backplan_tui.core.coach.registry import Hit, rule

STEP = "track"


def _days(n: int) -> str:
    return f"{n} day" if n == 1 else f"{n} days"


@rule(
    code="resistant_unplanned",
    step=STEP,
    severity="warning",
    title="a resistant stakeholder with high influence has no planned communication",
)
def resistant_unplanned(plan: Plan) -> Iterator[Hit]:
    session = plan.session
    for person in session.stakeholders:
        if person.stance != "resistant" or person.influence != "high":
            continue
        if stakeholders.planned_for(session, person.id):
            continue
        yield Hit(
            person.id,
            f"{quote(person.name, person.id)} resists the plan, has high influence and no "
            "communication is planned for them.",
            "Plan one (k on Track): what they need to hear, how, how often and the next date.",
        )


@rule(
    code="communication_overdue",
    step=STEP,
    severity="warning",
    title="a planned communication's next date has passed",
)
def communication_overdue(plan: Plan) -> Iterator[Hit]:
    for due in stakeholders.overdue(plan.session, plan.today):
        comm = due.communication
        assert comm.next is not None
        to_whom = f" to {due.audience}" if due.audience else " (no audience named)"
        yield Hit(
            comm.id,
            f"{quote(comm.what, comm.id)}{to_whom} was due {comm.next.isoformat()} "
            f"({_days(-due.days_left)} ago).",
            "Send it and mark it sent (s on the Stakeholders screen), or move its date.",
        )
