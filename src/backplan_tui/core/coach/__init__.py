"""The plan-health coach: the method's pitfalls, checked live.

Building blocks the step screens use directly: ``smart_check`` (the goal, letter by letter),
``step_state`` (empty / in progress / done), ``pilot_flags`` (why a pilot is not a small,
testable experiment; ``all_pilot_flags`` for every pilot at once) and ``answered_count``.

The coach, ``review(session, today)``, returns ``Finding`` objects: a severity (problem /
warning / tip), the step the finding belongs to (one of ``model.STEPS`` or "track"), the item
(an outcome, question, map node or pilot id; "" for the plan as a whole), a one-line message
and a one-line fix.  ``step_health`` turns them into the stepper's badges and
``summary_counts`` into "2 problems, 3 warnings".  Pure: ``today`` is passed in.

Each check is a rule declared once (``registry.rule``), in the module of its step:
``rules_future``, ``rules_questions``, ``rules_map``, ``rules_milestones``, ``rules_pilots``,
``rules_track``, ``rules_report``, ``rules_stakeholders``, and ``rules_owners`` (an owner with
too much at once, over the user's ``owners.Limits``).  The declaration gives the finding its
code, step and severity; ``RULES`` holds them in declaration order and ``CHECKS`` lists every
check as (severity, step, what it looks for).  The building blocks are in ``live``, the plan a
rule looks at in ``plan``, the report in ``report``.

Decisions the issue left open:

- *Problem* means the plan cannot work as written (``backplan check`` exits 1): no goal, no
  number, no target date or a past one, a path that had to start before today, a pinned date
  that contradicts what it enables, and a method question still unanswered once the plan is
  under way.  Everything else that needs doing is a *warning*; *tips* are polish and never
  change a badge.
- **Under way** (``under_way``): a map node doing/done, a pilot running/done, or a check-in;
  or a map exists and the session was created more than one review cadence ago.  The review
  cadence is the session's ``review_cadence`` (weekly, fortnightly or monthly), with the
  meaning Track gives it (``progress.cadence_after``).  Once under way, a check-in overdue by
  that cadence (counted from the last check-in, else from ``created``, as Track's "next
  check-in due" is) is a warning.
- **Method questions**: not answered (open or parked) is a warning during the workshop and a
  problem once the plan is under way; a method question missing from the list is a warning.
  The team's own open questions are tips.
- **A target far beyond the baseline**: an increase/decrease outcome whose target is at
  least half the baseline away from it (or any change from a baseline of 0), when no pilot
  has that outcome.  stay_above / stay_below outcomes are never a stretch.
- **Dates moved without an adjustment** (``no_adjustment``): history is not stored, so the
  coach uses what it can see: a map node that went late (its latest start, or for a doing
  node its due date, passed) *after the session was created*, with no adjustment dated on or
  after that day.  A plan late from its first day is ``path_late`` only.  An outcome due after
  the target date (the goal moved, its KPIs did not) is ``outcome_due_after_goal``.
- **The map**: checks use the live nodes (``schedule.walk``: dropped branches left out);
  owner/duration are asked of open nodes only (done work needs neither).  A late path is
  reported once, at its deepest late node (the one that has to move first).
- **Pilots**: a done pilot is history: its design gaps are not reported, a missing decision
  is.  ``pilot_flags`` keeps the labels the pilot cards show.
"""

from __future__ import annotations

# The rule modules register their rules on import (RULES orders them by step).
from backplan_tui.core.coach import (  # noqa: F401  (imported to register)
    rules_future,
    rules_map,
    rules_milestones,
    rules_owners,
    rules_pilots,
    rules_questions,
    rules_report,
    rules_stakeholders,
    rules_track,
)
from backplan_tui.core.coach.live import (
    PILOT_MAX_DAYS,
    SmartLetter,
    all_pilot_flags,
    answered_count,
    pilot_flags,
    smart_check,
    step_state,
)
from backplan_tui.core.coach.plan import STRETCH_SHARE, under_way
from backplan_tui.core.coach.registry import (
    HEALTH_STATES,
    HEALTH_STEP_TITLES,
    HEALTH_STEPS,
    RULES,
    SEVERITIES,
    SEVERITY_LABELS,
    Finding,
    Hit,
    Rule,
    rule,
)
from backplan_tui.core.coach.report import (
    by_step,
    finding_line,
    overall_health,
    review,
    step_health,
    summary_counts,
)
from backplan_tui.core.progress import review_cadence as review_cadence

# Every check, in declaration order: code -> (severity, step, what it looks for).
CHECKS: dict[str, tuple[str, str, str]] = {
    code: (r.severity, r.step, r.title) for code, r in RULES.items()
}

__all__ = [
    "CHECKS",
    "HEALTH_STATES",
    "HEALTH_STEPS",
    "HEALTH_STEP_TITLES",
    "PILOT_MAX_DAYS",
    "RULES",
    "SEVERITIES",
    "SEVERITY_LABELS",
    "STRETCH_SHARE",
    "Finding",
    "Hit",
    "Rule",
    "SmartLetter",
    "all_pilot_flags",
    "answered_count",
    "by_step",
    "finding_line",
    "overall_health",
    "pilot_flags",
    "review",
    "review_cadence",
    "rule",
    "smart_check",
    "step_health",
    "step_state",
    "summary_counts",
    "under_way",
]
