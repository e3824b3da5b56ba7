"""The actions of a plan with their dates: shared by the CSV, iCalendar and HTML exports.

An *action* is a reverse-map node or a pilot.  Map nodes come first, in the order of the
reverse map (from the goal down, depth first, then any node not connected to the goal), then
the pilots in file order.

Dates: a pilot has its own start and end.  A map node has the dates of the backward schedule
(``schedule.compute``: its latest start and its due date, from the goal's target date), with
its flags and whether it is on the critical path.  A node the schedule leaves out (no target
date yet, a dropped node or one below it, a node not connected to the goal) keeps what it says
itself: its pinned due date, and a start that far before it when it has a duration.  This is
the only place the exports read map dates from.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from backplan_tui.core import schedule
from backplan_tui.core.export.common import line, walk_map
from backplan_tui.core.model import MapNode, Pilot, Session
from backplan_tui.core.textclean import clean_line

MAP = "map"
PILOT = "pilot"


@dataclass(frozen=True)
class Action:
    kind: str  # MAP or PILOT
    id: str  # the exact id (control characters dropped, spacing kept): show it with ``line``
    title: str  # one clean line; "" when the item has no title
    owner: str
    start: date | None
    due: date | None  # a pilot's last day (inclusive)
    status: str
    votes: int
    depth: int  # 1 = enables the goal directly; 0 for pilots
    connected: bool = True  # False for map nodes that cannot be reached from the goal
    scheduled: bool = False  # the dates come from the backward schedule
    flags: frozenset[str] = frozenset()  # schedule.FLAGS
    critical: bool = False  # on the critical path
    parent: str = ""  # a map node's exact parent id ("" = the goal, and for pilots)


def total_votes(votes: dict[str, int]) -> int:
    return sum(v for v in votes.values() if isinstance(v, int) and not isinstance(v, bool))


def node_dates(node: MapNode) -> tuple[date | None, date | None]:
    """(start, due) of a map node from its pinned date and duration."""
    due = node.pinned_due
    if due is None:
        return None, None
    if node.duration_days is None:
        return None, due
    try:
        return due - timedelta(days=node.duration_days), due
    except OverflowError:  # a duration reaching before year 1
        return None, due


def _node_action(node: MapNode, depth: int, connected: bool, plan: schedule.Schedule) -> Action:
    computed = plan.get(node.id) if connected else None
    start: date | None
    due: date | None
    if computed is not None:
        start, due = computed.start, computed.due
    else:
        start, due = node_dates(node)
    return Action(
        kind=MAP,
        id=clean_line(node.id),
        title=line(node.title),
        owner=line(node.owner),
        start=start,
        due=due,
        status=line(node.status),
        votes=total_votes(node.votes),
        depth=depth,
        connected=connected,
        scheduled=computed is not None,
        flags=computed.flags if computed is not None else frozenset(),
        critical=computed is not None and node.id in plan.critical_path,
        parent=clean_line(node.parent),
    )


def _pilot_action(pilot: Pilot) -> Action:
    return Action(
        kind=PILOT,
        id=clean_line(pilot.id),
        title=line(pilot.name),
        owner=line(pilot.owner),
        start=pilot.start,
        due=pilot.end,
        status=line(pilot.status),
        votes=total_votes(pilot.votes),
        depth=0,
    )


def actions(session: Session, today: date, plan: schedule.Schedule | None = None) -> list[Action]:
    """Every map node and pilot of ``session`` as an :class:`Action` (see the module doc);
    ``plan`` is the session's schedule on ``today`` when the caller has it already."""
    if plan is None:
        plan = schedule.compute(session, today)
    tree, detached = walk_map(session)
    out = [_node_action(node, depth, True, plan) for node, depth in tree]
    out += [_node_action(node, depth, False, plan) for node, depth in detached]
    out += [_pilot_action(pilot) for pilot in session.pilots]
    return out
