"""The milestone trajectory of an outcome: the piecewise line a KPI is expected to follow.

Pure: ``today`` and the schedule are passed in; nothing here reads a clock or a file.

Definitions
-----------

*Points* of an outcome, in date order:

1. the *start*: ``(session.created date, outcome.baseline)`` when the outcome has a
   baseline, else the first actual (as in ``core.progress``);
2. each *milestone* that sets a target for this outcome (``MapNode.milestone`` and the
   outcome's id in ``MapNode.targets``) and whose date falls strictly between the start and
   the due date; a milestone's date is its pinned due date, else the computed schedule's
   due date; a dropped milestone is left out; two milestones on one date keep map order;
3. the *end*: ``(due, outcome.target)``, the due date being ``outcome.due`` or the goal's
   target date.

No trajectory (``None``) without a start, a target or a due date, or when the due date is
not after the start.

*Expected* value on a date: the straight line between the two points around it; the start
value before the start, the target after the due date.  With no milestone this is the
straight line from the baseline to the target that ``core.progress`` compares with.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Literal

from backplan_tui.core.model import MapNode, Outcome, Session

if TYPE_CHECKING:
    from backplan_tui.core.schedule import Schedule

__all__ = [
    "Point",
    "Trajectory",
    "expected",
    "milestone_date",
    "milestones",
    "trajectory",
]

PointKind = Literal["start", "milestone", "end"]


@dataclass(frozen=True)
class Point:
    when: date
    value: float
    kind: PointKind
    node_id: str = ""  # the milestone's map node ("" for the start and the end)
    label: str = ""  # the milestone's title; "baseline" / "target" for the ends


@dataclass(frozen=True)
class Trajectory:
    outcome_id: str
    points: tuple[Point, ...]  # start first, end last, milestones between in date order

    @property
    def milestones(self) -> tuple[Point, ...]:
        return tuple(p for p in self.points if p.kind == "milestone")

    def expected(self, when: date) -> float:
        return expected(self.points, when)


def milestone_date(node: MapNode, schedule: Schedule | None) -> date | None:
    """A milestone's date: pinned, else the schedule's due date; ``None`` when neither."""
    if node.pinned_due is not None:
        return node.pinned_due
    if schedule is not None and schedule.ready:
        computed = schedule.get(node.id)
        if computed is not None:
            return computed.due
    return None


def milestones(session: Session, schedule: Schedule | None) -> list[tuple[MapNode, date | None]]:
    """Every map node marked a milestone (dropped ones too), in map order, with its date."""
    return [(n, milestone_date(n, schedule)) for n in session.map if n.milestone]


def _start(session: Session, outcome: Outcome) -> tuple[date, float] | None:
    if outcome.baseline is not None:
        return session.created.date(), outcome.baseline
    actuals = sorted(
        (c.date, c.values[outcome.id]) for c in session.checkins if outcome.id in c.values
    )
    return actuals[0] if actuals else None


def trajectory(session: Session, outcome: Outcome, schedule: Schedule | None) -> Trajectory | None:
    """The outcome's points (see the module's definitions); ``None`` when it has none."""
    start = _start(session, outcome)
    due = outcome.due or session.future_state.target_date
    if start is None or outcome.target is None or due is None or due <= start[0]:
        return None
    between: list[Point] = []
    for node, when in milestones(session, schedule):
        if node.status == "dropped" or outcome.id not in node.targets or when is None:
            continue
        if start[0] < when < due:
            value = node.targets[outcome.id]
            between.append(Point(when, value, "milestone", node.id, node.title))
    between.sort(key=lambda p: p.when)  # stable: one date keeps map order
    points = (
        Point(start[0], start[1], "start", label="baseline"),
        *between,
        Point(due, outcome.target, "end", label="target"),
    )
    return Trajectory(outcome.id, points)


def expected(points: tuple[Point, ...] | list[Point], when: date) -> float:
    """The value the line through ``points`` (date order, at least one) has on ``when``."""
    if when <= points[0].when:
        return points[0].value
    for before, after in zip(points, points[1:], strict=False):
        if when <= after.when:
            span = (after.when - before.when).days
            if span <= 0:
                return after.value
            share = (when - before.when).days / span
            return before.value + (after.value - before.value) * share
    return points[-1].value
