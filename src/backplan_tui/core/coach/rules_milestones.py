"""Milestone rules (on the map step, where milestones are marked with ``m``).

Decisions:

- A milestone *counts* for an outcome when it is not dropped, has a date (pinned, else the
  schedule's due date: ``trajectory.milestone_date``) and sets a target for that outcome.
- **No milestone ahead** (``outcome_no_milestone``, a tip): an outcome whose due date
  (``outcome.due``, else the goal's target date) is more than ``QUARTER_DAYS`` (91) days
  after today, with no counted milestone dated from today up to (not on) its due date.
  Asked only once the map has a live condition to mark.  The finding's item is the outcome.
- **Targets going the wrong way** (``milestone_wrong_way``, a warning), one finding per
  milestone at fault, its item the milestone; the counted milestones dated before the
  outcome's due date are taken in date order (one date: map order):

  - *increase*: a milestone target below the one before it (the previous milestone's, for the
    first one the baseline when there is one), or above the final target;
  - *decrease*: mirrored (above the one before it, or below the final target);
  - *stay_above* / *stay_below*: the targets are thresholds to hold on those dates, and
    being beyond the final threshold is never wrong.  Wrong is a threshold looser than the
    milestone's before it (stay_above: lower; stay_below: higher), and, when the baseline
    already holds the final threshold, a milestone threshold that gives it up (stay_above:
    below the final target; stay_below: above it): the plan would allow a slip.  From a
    baseline on the wrong side the team climbs back, so a first threshold short of the final
    one is fine, but it must not be below (above) the baseline.
- **A milestone past its outcome's due date** (``milestone_after_due``, a warning): a
  counted milestone dated on or after the due date of an outcome it sets a target for.  The
  line ends at the due date, so that target is on no line and Track never checks it; one
  finding per milestone and outcome, its item the milestone.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

from backplan_tui.core.coach.plan import Plan, num, quote
from backplan_tui.core.coach.registry import Hit, rule
from backplan_tui.core.model import MapNode, Outcome
from backplan_tui.core.trajectory import milestone_date

STEP = "reverse_map"
QUARTER_DAYS = 91


def _counted(plan: Plan, outcome: Outcome) -> list[tuple[date, MapNode]]:
    """The milestones that count for ``outcome``, by date (one date: map order)."""
    found = []
    for node in plan.session.map:
        if not node.milestone or node.status == "dropped" or outcome.id not in node.targets:
            continue
        when = milestone_date(node, plan.schedule)
        if when is not None:
            found.append((when, node))
    return sorted(found, key=lambda item: item[0])


def _due(plan: Plan, outcome: Outcome) -> date | None:
    return outcome.due or plan.session.future_state.target_date


@rule(
    code="outcome_no_milestone",
    step=STEP,
    severity="tip",
    title="an outcome due more than a quarter away with no milestone targeting it before then",
)
def outcome_no_milestone(plan: Plan) -> Iterator[Hit]:
    if not plan.live:
        return
    horizon = plan.today + timedelta(days=QUARTER_DAYS)
    for outcome in plan.session.future_state.outcomes:
        due = _due(plan, outcome)
        if due is None or due <= horizon:
            continue
        if any(plan.today <= when < due for when, _ in _counted(plan, outcome)):
            continue
        yield Hit(
            outcome.id,
            f"Outcome {quote(outcome.metric, outcome.id)} is due {due.isoformat()}, more than "
            "a quarter away, and no milestone sets a target for it before then.",
            "Mark a condition on the way a milestone (m on the map) and give it this "
            "outcome's expected value then (e).",
        )


def _looser(direction: str, value: float, before: float) -> bool:
    """Whether ``value`` steps back from ``before`` (the wrong way for ``direction``)."""
    if direction in ("decrease", "stay_below"):
        return value > before
    return value < before


def _faults(outcome: Outcome, values: list[tuple[str, float]]) -> Iterator[tuple[int, str]]:
    """(index of the milestone at fault, why) for ``values`` ((name, target), date order)."""
    way, base, final = outcome.direction, outcome.baseline, outcome.target
    keeping = way in ("stay_above", "stay_below")
    lower = way in ("increase", "stay_above")
    for i, (_, value) in enumerate(values):
        if i > 0 and _looser(way, value, values[i - 1][1]):
            name, before = values[i - 1]
            yield i, f"{'below' if lower else 'above'} {name} before it ({num(before)})"
        elif keeping:
            if final is None or base is None:
                continue
            holds = not _looser(way, base, final)  # the baseline already holds the threshold
            if holds and _looser(way, value, final):
                yield i, f"{'below' if lower else 'above'} the threshold it holds ({num(final)})"
            elif not holds and i == 0 and _looser(way, value, base):
                yield i, f"{'below' if lower else 'above'} the baseline ({num(base)})"
        elif i == 0 and base is not None and _looser(way, value, base):
            yield i, f"{'below' if lower else 'above'} the baseline ({num(base)})"
        elif final is not None and _looser(way, final, value):
            yield i, f"{'above' if lower else 'below'} the final target ({num(final)})"


@rule(
    code="milestone_wrong_way",
    step=STEP,
    severity="warning",
    title="milestone targets that go the wrong way (against the outcome's direction, back "
    "past the baseline or beyond the final target)",
)
def milestone_wrong_way(plan: Plan) -> Iterator[Hit]:
    for outcome in plan.session.future_state.outcomes:
        due = _due(plan, outcome)
        counted = [(w, n) for w, n in _counted(plan, outcome) if due is None or w < due]
        values = [(plan.node_name(n.id), n.targets[outcome.id]) for _, n in counted]
        for i, why in _faults(outcome, values):
            node = counted[i][1]
            yield Hit(
                node.id,
                f"Milestone {plan.node_name(node.id)} sets {quote(outcome.metric, outcome.id)} "
                f"({outcome.direction}) to {num(node.targets[outcome.id])}, {why}.",
                "Make the milestone targets step from the baseline toward the final target.",
            )


@rule(
    code="milestone_after_due",
    step=STEP,
    severity="warning",
    title="a milestone dated on or after the due date of an outcome it sets a target for",
)
def milestone_after_due(plan: Plan) -> Iterator[Hit]:
    for outcome in plan.session.future_state.outcomes:
        due = _due(plan, outcome)
        if due is None:
            continue
        for when, node in _counted(plan, outcome):
            if when < due:
                continue
            yield Hit(
                node.id,
                f"Milestone {plan.node_name(node.id)} is dated {when.isoformat()}, on or after "
                f"{quote(outcome.metric, outcome.id)}'s due date {due.isoformat()}: its target "
                "there is on no line, and Track never checks it.",
                "Move the milestone before the outcome's due date, or take its target for "
                "this outcome off (e).",
            )
