"""Milestones: the map conditions marked as progress points, and whether the next is at risk.

Pure: ``today`` and the schedule are passed in; nothing here reads a clock or a file.

Definitions (what Track, ``backplan show`` and the exports print)
-----------------------------------------------------------------

A *milestone* is a map node with ``milestone = true``; its *date* is
``trajectory.milestone_date`` (pinned, else the schedule's due date) and its *targets* are
the KPI values expected on that date (``MapNode.targets``: outcome id -> value).
:func:`rows` lists every milestone, dropped ones too (the exports show their status), by
date (undated last), then map order.

An outcome's *checked milestones* are the milestone points of its trajectory
(``core.trajectory``: dated, not dropped, targeting this outcome, strictly between its
start and its due date).

*On the target side* of a value ``v``: for increase and stay_above, an actual ``>= v``; for
decrease and stay_below, ``<= v`` (a stay_above / stay_below milestone target is the
threshold to hold on that date).

*Actuals* and the *start point* are those of ``core.progress`` (check-ins by date; the start
is the baseline on the session's creation day, else the first actual).

A milestone dated before ``today`` is *met* when the last actual recorded on or before its
date is on the target side of its target, *missed* when it is not, and has *no data* when no
actual was recorded by then.

The *next milestone* is the first checked milestone dated on or after ``today``.  Its
*projected* value is the line through the start point and the latest actual (the achieved
pace of ``core.progress``) carried to the milestone's date:
``latest + (latest - start) * days(latest date -> milestone date) / days(start -> latest)``;
unknown when the latest actual is on the start date (one point).

Verdict of the next milestone, first rule that applies:

1. "no data": no actual yet;
2. "reached": the latest actual is on the target side of its target;
3. "at risk": the projected value is known and not on the target side of its target;
4. "at risk": the projection is unknown and the latest actual is behind the trajectory
   (not on the target side of the trajectory's expected value on the latest's date);
5. "on track".

(Worked example: start 70 on 2027-01-01, milestone 82 on 2027-04-01, latest 76 on
2027-03-02 (60 days in): the pace carries 76 + 6 * 30 / 60 = 79 to 2027-04-01, short of 82:
at risk.)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from backplan_tui.core.model import MapNode, Outcome, Session
from backplan_tui.core.progress import format_value
from backplan_tui.core.trajectory import Point, milestone_date, trajectory

if TYPE_CHECKING:
    from backplan_tui.core.schedule import Schedule

__all__ = [
    "VERDICTS",
    "MilestoneRow",
    "OutcomeMilestones",
    "Passed",
    "check",
    "check_all",
    "describe",
    "on_side",
    "rows",
    "summary_rows",
    "targets_text",
]

VERDICTS: tuple[str, ...] = ("reached", "on track", "at risk", "no data")


@dataclass(frozen=True)
class MilestoneRow:
    """One milestone as the exports list it: its node, date and targets in outcome order."""

    node: MapNode
    when: date | None
    targets: tuple[tuple[Outcome, float], ...]  # targets of outcomes that exist


@dataclass(frozen=True)
class Passed:
    point: Point
    actual: float | None  # the last actual on or before the milestone's date
    met: bool | None  # None: no actual by then


@dataclass(frozen=True)
class OutcomeMilestones:
    """An outcome against its milestone trajectory on ``today``."""

    outcome: Outcome
    points: tuple[Point, ...]  # the trajectory (start, milestones, end); () without one
    expected_today: float | None
    latest: tuple[date, float] | None
    expected_then: float | None  # the trajectory's value on the latest actual's date
    passed: tuple[Passed, ...]  # checked milestones dated before today, by date
    next: Point | None  # the next milestone (on or after today)
    projected: float | None  # the achieved pace carried to the next milestone's date
    verdict: str  # one of VERDICTS, "" without a next milestone

    @property
    def milestones(self) -> tuple[Point, ...]:
        return tuple(p for p in self.points if p.kind == "milestone")


def on_side(direction: str, value: float, target: float) -> bool:
    """Whether ``value`` is on the target side of ``target`` (see the module doc)."""
    if direction in ("decrease", "stay_below"):
        return value <= target
    return value >= target


def rows(session: Session, schedule: Schedule | None) -> list[MilestoneRow]:
    """Every milestone (dropped too), by date (undated last), then map order."""
    outcomes = session.future_state.outcomes
    found = []
    for node in session.map:
        if not node.milestone:
            continue
        targets = tuple((o, node.targets[o.id]) for o in outcomes if o.id in node.targets)
        found.append(MilestoneRow(node, milestone_date(node, schedule), targets))
    return sorted(found, key=lambda r: (r.when is None, r.when or date.min))


def targets_text(row: MilestoneRow) -> str:
    """ "Retention 82%; Attrition 10%" (metric, value and unit), or "no KPI target"."""
    parts = [f"{o.metric or o.id} {format_value(v, o.unit)}" for o, v in row.targets]
    return "; ".join(parts) or "no KPI target"


def summary_rows(
    session: Session, schedule: Schedule | None, today: date
) -> list[tuple[MilestoneRow, str]]:
    """Each milestone (:func:`rows`) with the note the exports print: "dropped"; else, per
    outcome it targets, "met" / "missed" once passed, the verdict when it is that outcome's
    next milestone ("Retention: at risk"), joined by "; "."""
    checks = check_all(session, schedule, today)
    notes: dict[tuple[str, str], str] = {}  # (node id, outcome id) -> word
    for status in checks:
        oid = status.outcome.id
        for gone in status.passed:
            if gone.met is not None:
                notes[gone.point.node_id, oid] = "met" if gone.met else "missed"
        if status.next is not None and status.verdict:
            notes[status.next.node_id, oid] = status.verdict
    found = []
    for row in rows(session, schedule):
        if row.node.status == "dropped":
            found.append((row, "dropped"))
            continue
        words = [
            f"{o.metric or o.id}: {notes[row.node.id, o.id]}"
            for o, _ in row.targets
            if (row.node.id, o.id) in notes
        ]
        found.append((row, "; ".join(words)))
    return found


def _actuals(session: Session, outcome_id: str) -> list[tuple[date, float]]:
    dated = [(c.date, c.values[outcome_id]) for c in session.checkins if outcome_id in c.values]
    return sorted(dated, key=lambda d: d[0])  # stable: one date keeps file order


def check(
    session: Session, outcome: Outcome, schedule: Schedule | None, today: date
) -> OutcomeMilestones:
    """``outcome`` against its milestone trajectory on ``today`` (see the module doc)."""
    line = trajectory(session, outcome, schedule)
    actuals = _actuals(session, outcome.id)
    latest = actuals[-1] if actuals else None
    if line is None:
        return OutcomeMilestones(outcome, (), None, latest, None, (), None, None, "")
    direction = outcome.direction
    passed = []
    for point in line.milestones:
        if point.when >= today:
            continue
        before = [v for d, v in actuals if d <= point.when]
        actual = before[-1] if before else None
        met = None if actual is None else on_side(direction, actual, point.value)
        passed.append(Passed(point, actual, met))
    upcoming = next((p for p in line.milestones if p.when >= today), None)
    expected_then = line.expected(latest[0]) if latest else None
    projected = None
    verdict = ""
    if upcoming is not None:
        start = line.points[0]
        if latest is None:
            verdict = "no data"
        else:
            span = (latest[0] - start.when).days
            if span > 0:
                ahead = (upcoming.when - latest[0]).days
                projected = latest[1] + (latest[1] - start.value) * ahead / span
            if on_side(direction, latest[1], upcoming.value):
                verdict = "reached"
            elif projected is not None:
                good = on_side(direction, projected, upcoming.value)
                verdict = "on track" if good else "at risk"
            elif expected_then is not None and not on_side(direction, latest[1], expected_then):
                verdict = "at risk"
            else:
                verdict = "on track"
    return OutcomeMilestones(
        outcome,
        line.points,
        line.expected(today),
        latest,
        expected_then,
        tuple(passed),
        upcoming,
        projected,
        verdict,
    )


def check_all(session: Session, schedule: Schedule | None, today: date) -> list[OutcomeMilestones]:
    """:func:`check` for every outcome, in file order."""
    return [check(session, o, schedule, today) for o in session.future_state.outcomes]


def describe(status: OutcomeMilestones) -> list[str]:
    """Track's lines on the milestone trajectory (none without a checked milestone), e.g.
    "Next milestone "Pilot done" 2027-04-30: 82% expected; 78% now, at risk"."""
    if not status.milestones:
        return []
    unit = status.outcome.unit

    def value(v: float) -> str:
        return format_value(v, unit)

    lines = []
    first = "Milestone line: "
    if status.expected_today is not None:
        first += f"{value(status.expected_today)} expected today"
    if status.latest is not None and status.expected_then is not None:
        when, actual = status.latest
        side = on_side(status.outcome.direction, actual, status.expected_then)
        where = "on or ahead of" if side else "behind"
        first += (
            f"; {value(actual)} on {when.isoformat()} "
            f"({value(status.expected_then)} expected then: {where} the line)"
        )
    lines.append(first)
    for gone in status.passed:
        if gone.met is None:
            continue
        p = gone.point
        word = "met" if gone.met else "missed"
        then = value(gone.actual) if gone.actual is not None else "—"
        lines.append(
            f'Milestone "{p.label}" {p.when.isoformat()}: {value(p.value)} expected, '
            f"{then} then: {word}"
        )
    upcoming = status.next
    if upcoming is not None:
        text = f'Next milestone "{upcoming.label}" {upcoming.when.isoformat()}: '
        text += f"{value(upcoming.value)} expected"
        if status.latest is not None:
            text += f"; {value(status.latest[1])} now"
        if status.projected is not None and status.verdict != "reached":
            text += f", {value(status.projected)} at this pace"
        lines.append(f"{text}: {status.verdict}")
    return lines
