"""The progress report rule (the revisit): leaders hear how the plan is doing.

*Report due* (``report_due``, a tip): the plan has check-ins and no progress report
(``Session.reports``) was made for more than two review cadences: counted from the last
report, else from the first check-in (before any check-in there is nothing to report).  Two
cadences, not one: a report every other review is the rhythm a leadership team can follow.
A tip, so it never changes a badge nor the exit status of ``backplan check``.
"""

from __future__ import annotations

from collections.abc import Iterator

from backplan_tui.core.coach.plan import Plan
from backplan_tui.core.coach.registry import Hit, rule
from backplan_tui.core.progress import cadence_after, review_cadence

STEP = "track"


@rule(
    code="report_due",
    step=STEP,
    severity="tip",
    title="check-ins, and no progress report for leaders for more than two review cadences",
)
def report_due(plan: Plan) -> Iterator[Hit]:
    session = plan.session
    dated = [c.date for c in session.checkins]
    if not dated:
        return
    last = max((r.made for r in session.reports), default=None)
    anchor = last if last is not None else min(dated)
    cadence = review_cadence(session)
    due = cadence_after(cadence_after(anchor, cadence), cadence)
    if plan.today <= due:
        return
    if last is not None:
        message = f"The last progress report was made {last.isoformat()}."
    else:
        message = f"No progress report since the first check-in ({anchor.isoformat()})."
    yield Hit(
        "",
        f"{message} The plan is reviewed {cadence}; leaders have not heard since.",
        "Make one: p on Track, or `backplan report ID` (Markdown or HTML, one page).",
    )
