"""The progress report for leaders: the facts, computed once, that the Markdown and HTML
reports (``core.export.report_md`` / ``report_html``) print.  Pure: ``today`` and the
schedule are passed in; nothing here reads a clock or a file.

Definitions
-----------

*Since*: the last report's date (``Session.reports[-1].made``, a ``ReportMark``), else the
day the session began (``session.created``).

*KPIs* (one line per outcome): the latest actual and its date; the value *expected today*
on the outcome's milestone trajectory (``core.trajectory``); the target and the due date;
the verdict of ``core.progress.outcome_progress`` (ahead, on pace, behind ...); and where
the latest actual stands against the trajectory **on the date it was measured** (a value
checked in three weeks ago is compared with where the line was then, not today):
"above", "below" or "on" it, by how much.  Above is good for an outcome to increase or stay
above, below for one to decrease or stay below.

*What moved* since the mark:

- *dates*: each map node that has a due date now (the schedule's, else its pinned date) and
  had one in the mark (``mark.due``), when the two differ: later ("slipped") or earlier,
  by how many days.  Nodes added since, or with no date now, are not listed.  Without a
  mark nothing is compared (there was no earlier plan to move from).
- *done*: map nodes and pilots done now whose id is not in ``mark.done`` (without a mark:
  every one done now).
- *adjustments*: those dated after ``mark.made`` (strictly: the report made that day
  listed that day's), without a mark those dated on or after the session began.

*Decisions needed*:

- a pilot that is done with no decision (scale, adjust or stop);
- each conflict a merge left (both sides changed a field);
- each of the method's key questions (``Question.key``) not answered yet;
- each *milestone at risk*, as Track judges it (``core.milestones``): an outcome's next
  milestone whose verdict is "at risk" (the achieved pace carried to its date falls short
  of its target), and a milestone already passed that was missed and is still behind (the
  latest actual is not on the target side of its target yet); in both, not done nor
  dropped.  One line per milestone, naming each outcome behind (its latest actual and the
  target).  Earliest first (one date: map order).

*Next milestones*: the next ``NEXT_MILESTONES`` (3) milestones, not done nor dropped, dated
today or later, earliest first (one date: map order), with their targets.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from backplan_tui.core import progress, trajectory
from backplan_tui.core.model import METHOD_QUESTIONS, Adjustment, ReportMark, Session

if TYPE_CHECKING:
    from backplan_tui.core.schedule import Schedule

__all__ = [
    "NEXT_MILESTONES",
    "DecisionItem",
    "DoneItem",
    "Kpi",
    "Move",
    "NextMilestone",
    "Report",
    "build",
    "due_dates",
    "last_mark",
    "make_mark",
]

NEXT_MILESTONES = 3
_SAME = 1e-9  # an actual this close to the line is on it


@dataclass(frozen=True)
class Kpi:
    outcome_id: str
    metric: str
    unit: str
    direction: str
    latest: float | None
    latest_date: date | None
    expected_today: float | None  # on the trajectory; None without one
    expected_then: float | None  # on the trajectory on ``latest_date``
    target: float | None
    due: date | None
    verdict: str  # core.progress's
    position: str  # "above" | "below" | "on" | "" (no actual or no trajectory)
    gap: float | None  # latest - expected_then
    points: tuple[trajectory.Point, ...]  # the trajectory (empty without one)
    actuals: tuple[tuple[date, float], ...]  # every check-in value, oldest first

    @property
    def good_side(self) -> bool | None:
        """True when the latest actual is on the good side of the line (or on it)."""
        if not self.position:
            return None
        if self.position == "on":
            return True
        up = self.direction in ("increase", "stay_above")
        return (self.position == "above") == up


@dataclass(frozen=True)
class Move:
    node_id: str
    title: str
    before: date
    now: date

    @property
    def days(self) -> int:
        """Positive: later (slipped); negative: earlier."""
        return (self.now - self.before).days


@dataclass(frozen=True)
class DoneItem:
    kind: str  # "map" | "pilot"
    id: str
    title: str


@dataclass(frozen=True)
class DecisionItem:
    kind: str  # "pilot" | "conflict" | "question" | "milestone"
    id: str
    text: str  # one line, user text not escaped (the formats escape it)


@dataclass(frozen=True)
class NextMilestone:
    node_id: str
    title: str
    when: date
    targets: tuple[tuple[str, str, float], ...]  # (metric, unit, value) per outcome


@dataclass(frozen=True)
class Report:
    title: str
    statement: str
    target_date: date | None
    today: date
    since: date
    since_report: bool  # True: since the last report; False: since the session began
    kpis: tuple[Kpi, ...]
    moved: tuple[Move, ...]  # slipped and earlier, in map order
    done: tuple[DoneItem, ...]
    adjustments: tuple[Adjustment, ...]  # in date order
    decisions: tuple[DecisionItem, ...]
    next_milestones: tuple[NextMilestone, ...]

    @property
    def slipped(self) -> tuple[Move, ...]:
        return tuple(m for m in self.moved if m.days > 0)

    @property
    def earlier(self) -> tuple[Move, ...]:
        return tuple(m for m in self.moved if m.days < 0)

    @property
    def nothing_moved(self) -> bool:
        return not (self.moved or self.done or self.adjustments)


def last_mark(session: Session) -> ReportMark | None:
    return session.reports[-1] if session.reports else None


def due_dates(session: Session, schedule: Schedule | None) -> dict[str, date]:
    """Each map node's due date now: the schedule's, else its pinned date (none: left out)."""
    out: dict[str, date] = {}
    for node in session.map:
        computed = schedule.get(node.id) if schedule is not None and schedule.ready else None
        when = computed.due if computed is not None else node.pinned_due
        if when is not None:
            out.setdefault(node.id, when)
    return out


def _done_ids(session: Session) -> list[str]:
    ids = [n.id for n in session.map if n.status == "done"]
    return ids + [p.id for p in session.pilots if p.status == "done"]


def make_mark(session: Session, today: date, schedule: Schedule | None, by: str) -> ReportMark:
    """What the next report compares with: each node's due date and the ids done today."""
    return ReportMark(made=today, due=due_dates(session, schedule), done=_done_ids(session), by=by)


def _kpi(session: Session, outcome_index: int, today: date, schedule: Schedule | None) -> Kpi:
    outcome = session.future_state.outcomes[outcome_index]
    p = progress.outcome_progress(session, outcome, today)
    line = trajectory.trajectory(session, outcome, schedule)
    expected_today = line.expected(today) if line is not None else None
    expected_then = gap = None
    position = ""
    if line is not None and p.latest is not None and p.latest_date is not None:
        expected_then = line.expected(p.latest_date)
        gap = p.latest - expected_then
        position = "on" if abs(gap) <= _SAME else "above" if gap > 0 else "below"
    return Kpi(
        outcome_id=outcome.id,
        metric=outcome.metric,
        unit=outcome.unit,
        direction=outcome.direction,
        latest=p.latest,
        latest_date=p.latest_date,
        expected_today=expected_today,
        expected_then=expected_then,
        target=outcome.target,
        due=p.due,
        verdict=p.verdict,
        position=position,
        gap=gap,
        points=line.points if line is not None else (),
        actuals=tuple(zip(p.dates, p.values, strict=True)),
    )


def _moved(session: Session, mark: ReportMark | None, now: dict[str, date]) -> list[Move]:
    if mark is None:
        return []
    out = []
    for node in session.map:
        before, after = mark.due.get(node.id), now.get(node.id)
        if before is not None and after is not None and before != after:
            out.append(Move(node.id, node.title, before, after))
    return out


def _done_since(session: Session, mark: ReportMark | None) -> list[DoneItem]:
    earlier = set(mark.done) if mark is not None else set()
    out = [DoneItem("map", n.id, n.title) for n in session.map if n.status == "done"]
    out += [DoneItem("pilot", p.id, p.name) for p in session.pilots if p.status == "done"]
    return [item for item in out if item.id not in earlier]


def _milestone_dates(
    session: Session, schedule: Schedule | None
) -> list[tuple[int, str, date, list[str]]]:
    """(map position, node id, date, outcome ids with a target) of the open milestones."""
    out = []
    for index, (node, when) in enumerate(trajectory.milestones(session, schedule)):
        if when is not None and node.status not in ("done", "dropped"):
            out.append((index, node.id, when, list(node.targets)))
    return out


def _at_risk(session: Session, today: date, schedule: Schedule | None) -> list[DecisionItem]:
    from backplan_tui.core.milestones import check_all, on_side

    behind: dict[str, list[str]] = {}  # node id -> "Retention 73%, target 76%" per outcome
    when: dict[str, date] = {}
    for status in check_all(session, schedule, today):
        outcome, latest = status.outcome, status.latest
        if latest is None:
            continue
        points = [g.point for g in status.passed if g.met is False]
        if status.next is not None and status.verdict == "at risk":
            points.append(status.next)
        for point in points:
            if on_side(outcome.direction, latest[1], point.value):
                continue  # caught up since
            name = outcome.metric or outcome.id
            now = progress.format_value(latest[1], outcome.unit)
            goal = progress.format_value(point.value, outcome.unit)
            behind.setdefault(point.node_id, []).append(f"{name} {now}, target {goal}")
            when[point.node_id] = point.when
    order = {node.id: index for index, node in enumerate(session.map)}
    out = []
    for node_id in sorted(behind, key=lambda n: (when[n], order.get(n, 0))):
        node = session.node(node_id)
        if node is None or node.status in ("done", "dropped"):
            continue
        due = when[node_id]
        timing = f"was due {due.isoformat()}" if due < today else f"due {due.isoformat()}"
        title = node.title or node.id
        text = f'Milestone "{title}" {timing}: ' + "; ".join(behind[node_id])
        out.append(DecisionItem("milestone", node.id, text))
    return out


def _decisions(session: Session, today: date, schedule: Schedule | None) -> list[DecisionItem]:
    out = [
        DecisionItem(
            "pilot", p.id, f'Pilot "{p.name or p.id}" is done: scale it, adjust it or stop it?'
        )
        for p in session.pilots
        if p.status == "done" and not p.decision
    ]
    if session.conflicts:
        from backplan_tui.core.conflicts import describe_all

        for conflict, shown in zip(session.conflicts, describe_all(session), strict=False):
            out.append(
                DecisionItem(
                    "conflict",
                    conflict.item,
                    f"Conflict on {shown.what}, {shown.field}: keep ours or take theirs?",
                )
            )
    for q in session.questions:
        if q.key in METHOD_QUESTIONS and q.status != "answered":
            out.append(
                DecisionItem(
                    "question", q.id, f"Open question: {q.prompt or METHOD_QUESTIONS[q.key]}"
                )
            )
    return out + _at_risk(session, today, schedule)


def _next_milestones(
    session: Session, today: date, schedule: Schedule | None
) -> list[NextMilestone]:
    coming = sorted(
        (row for row in _milestone_dates(session, schedule) if row[2] >= today),
        key=lambda row: (row[2], row[0]),
    )[:NEXT_MILESTONES]
    out = []
    for _, node_id, when, _ids in coming:
        node = session.node(node_id)
        if node is None:
            continue
        targets = []
        for outcome_id, value in node.targets.items():
            outcome = session.outcome(outcome_id)
            if outcome is not None:
                targets.append((outcome.metric or outcome.id, outcome.unit, value))
        out.append(NextMilestone(node.id, node.title, when, tuple(targets)))
    return out


def build(
    session: Session, today: date, schedule: Schedule | None, mark: ReportMark | None
) -> Report:
    """The report's facts as of ``today``, compared with ``mark`` (``last_mark``)."""
    since = mark.made if mark is not None else session.created.date()
    adjustments = sorted(
        (
            a
            for a in session.adjustments
            if (a.date > since if mark is not None else a.date >= since)
        ),
        key=lambda a: a.date,
    )
    return Report(
        title=session.title,
        statement=session.future_state.statement,
        target_date=session.future_state.target_date,
        today=today,
        since=since,
        since_report=mark is not None,
        kpis=tuple(
            _kpi(session, i, today, schedule) for i in range(len(session.future_state.outcomes))
        ),
        moved=tuple(_moved(session, mark, due_dates(session, schedule))),
        done=tuple(_done_since(session, mark)),
        adjustments=tuple(adjustments),
        decisions=tuple(_decisions(session, today, schedule)),
        next_milestones=tuple(_next_milestones(session, today, schedule)),
    )
