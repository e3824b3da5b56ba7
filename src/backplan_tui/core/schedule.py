"""Backward scheduling over the reverse map: from the target date back to what starts now.

The reverse map is a tree rooted at the goal.  Scheduling runs one pass from the goal down:

- a top-level node (``parent == ""``) is due on the goal's target date;
- any other node is due on the **latest start** of the node it enables (its parent);
- a node with ``pinned_due`` is due on that date instead (the team committed to it);
- latest start = due - ``duration_days`` (calendar days, or working days Monday to Friday when
  ``working_days=True``; weekends only, public holidays are not known).  A node with no
  duration counts as 0 days and is flagged.

Decisions (the issue was silent on these):

- **Dropped** nodes are left out of the schedule, and so is everything below them: those nodes
  only enabled something the team decided not to do.  Nodes that cannot reach the goal (a
  parent that does not exist, a cycle; the codec rejects both, an editor might not) are left
  out too, as the tree on screen does not show them either; so is the second of two nodes
  that share an id.
- **Done** nodes keep their dates (the timeline draws them), but a done node, and every node
  below a done node (its prerequisites are met, in fact), is *settled*: it carries no flags,
  is never late, never on the critical path and never in the start-now list.
- A **doing** node has started, so its latest start being past is not a problem; it is flagged
  ``overdue`` once its due date has passed.  ``starts_in_past`` is only for ``todo`` nodes.
- A **pinned** date is kept as the node's due date even when it conflicts (the plan says so);
  the conflict is flagged and the dates below it follow the pinned date.
- The **critical path** runs from the open frontier node (an unsettled node with no unsettled
  child) whose chain must start earliest, up to its top-level node.  A chain's start is the
  earliest latest-start on it (normally its frontier node; a pinned date can make an upper
  node earlier).  Ties: the frontier node's own start, then file order.
- ``critical_start``, the date the critical path **must start by**, is that chain's start:
  the earliest latest-start of any node on the path, not the frontier node's own start.
  (Target 2027-06-30; A top-level, 10 days, pinned 2027-01-10; B under A, 5 days, pinned
  2027-05-01: the path is B → A and it must start by 2026-12-31, A's start, although B's own
  start is 2027-04-26.)
- **Start now**: every frontier node still ``todo`` whose latest start is at most 14 days
  after ``today`` (or already past), earliest first, ties in file order.
- ``earliest_start`` is the earliest latest-start among unsettled nodes (None when there is
  no open work).
- No target date: ``Schedule(ready=False, reason=NO_TARGET_REASON)`` with empty collections,
  never an exception; an absurd duration clamps the start to ``date.min``.
- Besides the four flags of the issue, a ``doing`` node past its due date is ``overdue``;
  ``FLAG_LABELS`` has the words for every flag.

Everything is O(number of nodes): children are indexed once.  Pure: ``today`` is passed in.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from operator import itemgetter
from typing import NamedTuple

from backplan_tui.core.dates import add_days
from backplan_tui.core.model import MapNode, Session

__all__ = [
    "FLAG_LABELS",
    "FLAGS",
    "LiveNode",
    "NO_TARGET_REASON",
    "START_NOW_DAYS",
    "NodeSchedule",
    "Schedule",
    "compute",
    "subtract_days",
    "walk",
]

START_NOW_DAYS = 14
NO_TARGET_REASON = "Set a target date to compute the schedule."

# Flags a node can carry, in display order, with the words the app and exports show.
FLAG_LABELS: dict[str, str] = {
    "starts_in_past": "late: should have started",
    "overdue": "overdue",
    "pinned_conflict": "pinned after what it enables starts",
    "due_after_goal": "due after the goal",
    "no_duration": "no duration",
}
FLAGS: tuple[str, ...] = tuple(FLAG_LABELS)
_NO_FLAGS: frozenset[str] = frozenset()
_ONE_DAY = timedelta(days=1)
_INDEX = itemgetter(1)  # LiveNode.position
_new_tuple = tuple.__new__
_new_object = object.__new__
_set_attribute = (
    object.__setattr__
)  # LiveNode(...) without the keyword handling of NamedTuple.__new__


class LiveNode(NamedTuple):
    """A map node that takes part in the plan: reachable from the goal, not dropped."""

    node: MapNode
    position: int  # index in ``session.map`` (file order)
    depth: int  # 1 = enables the goal directly
    parent: str  # "" for a top-level node
    settled: bool  # done, or below a done node


@dataclass(frozen=True)
class NodeSchedule:
    """The computed dates of one map node.

    ``start`` is the latest start that still meets ``due``; ``slack_days`` is ``start - today``
    (negative: that many days late).  ``settled`` is True for a done node and anything below a
    done node.  ``flags`` is a subset of ``FLAGS``.
    """

    node_id: str
    due: date
    start: date
    slack_days: int
    depth: int
    flags: frozenset[str] = frozenset()
    duration_days: int = 0  # the duration used (0 when the node has none)
    pinned: bool = False
    settled: bool = False

    @classmethod
    def _make(
        cls,
        node_id: str,
        due: date,
        start: date,
        slack_days: int,
        depth: int,
        flags: frozenset[str],
        duration_days: int,
        pinned: bool,
        settled: bool,
    ) -> NodeSchedule:
        # The generated __init__ of a frozen dataclass sets each field through
        # object.__setattr__ (2 us a node here, a quarter of compute() on a 500-node map; see
        # benchmarks/schedule.py).  Setting __dict__ at once builds the same object (eq, hash
        # and repr read the attributes) in a third of the time.  Every field is passed.
        obj = _new_object(cls)
        _set_attribute(
            obj,
            "__dict__",
            {
                "node_id": node_id,
                "due": due,
                "start": start,
                "slack_days": slack_days,
                "depth": depth,
                "flags": flags,
                "duration_days": duration_days,
                "pinned": pinned,
                "settled": settled,
            },
        )
        return obj

    @property
    def late(self) -> bool:
        return "starts_in_past" in self.flags or "overdue" in self.flags


@dataclass(frozen=True)
class Schedule:
    """The result of ``compute``.  ``reason`` is "" when ``ready``; when not, it says what is
    missing (one line for the screen) and the collections are empty."""

    ready: bool
    reason: str = ""
    target_date: date | None = None
    today: date | None = None
    working_days: bool = False
    nodes: dict[str, NodeSchedule] = field(default_factory=dict)  # in file order
    critical_path: list[str] = field(default_factory=list)  # frontier node first, top last
    critical_start: date | None = None  # the earliest latest-start on the critical path
    start_now: list[str] = field(default_factory=list)
    earliest_start: date | None = None
    # The live nodes (see ``walk``) the schedule was computed over, parents first; the coach
    # reuses them instead of walking the map again.
    live: tuple[LiveNode, ...] = field(default=(), repr=False, compare=False)

    def get(self, node_id: str) -> NodeSchedule | None:
        return self.nodes.get(node_id)

    def late(self) -> list[str]:
        """Ids of the nodes flagged late (``starts_in_past`` or ``overdue``), in file order."""
        return [node_id for node_id, ns in self.nodes.items() if ns.late]

    def flagged(self, flag: str) -> list[str]:
        """Ids of the nodes carrying ``flag``, in file order."""
        return [node_id for node_id, ns in self.nodes.items() if flag in ns.flags]


def subtract_days(due: date, days: int, working_days: bool = False) -> date:
    """``due`` minus ``days`` calendar days, or minus ``days`` working days (Mon-Fri).

    In working-days mode the result is the latest weekday ``d`` such that ``[d, due)`` holds
    exactly ``days`` weekdays: 5 working days before Monday 2026-11-30 is Monday 2026-11-23,
    and 1 working day before Saturday 2026-11-28 is Friday 2026-11-27.  0 days: ``due``.
    A result before year 1 (an absurd duration in a file) is ``date.min``, never an error.
    """
    if days <= 0:
        return due
    try:
        if not working_days:
            return due - timedelta(days=days)
        weeks, rest = divmod(days - 1, 5)  # every 7 calendar days hold exactly 5 weekdays
        d = due - timedelta(days=7 * weeks)
        rest += 1
        while rest:
            d -= _ONE_DAY
            if d.weekday() < 5:
                rest -= 1
        return d
    except OverflowError:
        return date.min


def walk(session: Session) -> list[LiveNode]:
    """The live nodes of the reverse map, parents before children (depth first, file order).

    Left out: dropped nodes and everything below them, nodes whose parent does not exist,
    nodes in a cycle, and the second of two nodes sharing an id.  O(number of nodes).
    """
    nodes = session.map
    first: dict[str, int] = {}  # id -> index of its first node (a duplicate id is left out)
    children: dict[str, list[int]] = {}
    for i, node in enumerate(nodes):
        if node.id not in first:
            first[node.id] = i
        kids = children.get(node.parent)
        if kids is None:
            children[node.parent] = [i]
        else:
            kids.append(i)

    # Iterative depth-first walk: a deep map never hits the recursion limit.  No cycle can be
    # reached from the goal (every node has one parent), so no "seen" set is needed.
    out: list[LiveNode] = []
    stack = [(i, 1, "", False) for i in reversed(children.get("", ()))]
    while stack:
        i, depth, parent, settled = stack.pop()
        node = nodes[i]
        node_id, status = node.id, node.status
        if first[node_id] != i or status == "dropped":
            continue  # dropped: left out with everything below it
        if status == "done":
            settled = True
        out.append(_new_tuple(LiveNode, (node, i, depth, parent, settled)))
        kids = children.get(node_id)
        if kids:
            for child in reversed(kids):
                stack.append((child, depth + 1, node_id, settled))
    return out


def compute(session: Session, today: date, working_days: bool | None = None) -> Schedule:
    """The backward schedule of ``session``'s reverse map as seen on ``today``.

    ``working_days``: count durations in weekdays; None (the default) takes the session's own
    setting (``future_state.working_days``)."""
    if working_days is None:
        working_days = session.future_state.working_days
    target = session.future_state.target_date
    if target is None:
        return Schedule(
            ready=False,
            reason=NO_TARGET_REASON,
            today=today,
            working_days=working_days,
        )

    live = walk(session)
    computed: dict[str, NodeSchedule] = {}
    chain_min: dict[str, date] = {}  # the earliest start on the chain from the top down to here
    parent_of: dict[str, str] = {}
    order: dict[str, int] = {}
    has_open_child: set[str] = set()
    make = NodeSchedule._make
    deltas: dict[int, timedelta] = {}  # timedelta(n) costs more than the subtraction itself
    for node, index, depth, parent, settled in live:  # parents come before their children
        node_id, duration, pinned = node.id, node.duration_days, node.pinned_due
        parent_of[node_id] = parent
        order[node_id] = index
        enables_start = computed[parent].start if parent else target
        due = enables_start if pinned is None else pinned
        if not duration or duration < 0:
            start = due
        elif working_days:
            start = subtract_days(due, duration, True)
        else:
            try:
                delta = deltas.get(duration)
                if delta is None:
                    delta = deltas[duration] = timedelta(duration)
                start = due - delta
            except OverflowError:  # an absurd duration in a file
                start = date.min

        flags = _NO_FLAGS
        if not settled:
            found: list[str] = []
            if duration is None:
                found.append("no_duration")
            if pinned is not None and pinned > enables_start:
                found.append("pinned_conflict")
            if due > target:
                found.append("due_after_goal")
            if node.status == "doing":
                if due < today:
                    found.append("overdue")
            elif start < today:
                found.append("starts_in_past")
            if found:
                flags = frozenset(found)
            above = chain_min.get(parent)
            chain_min[node_id] = start if above is None or start < above else above
            if parent:
                has_open_child.add(parent)

        computed[node_id] = make(
            node_id,
            due,
            start,
            (start - today).days,
            depth,
            flags,
            duration or 0,
            pinned is not None,
            settled,
        )

    nodes = {item.node.id: computed[item.node.id] for item in sorted(live, key=_INDEX)}
    # The frontier: unsettled nodes with no unsettled child, in file order.
    frontier = [k for k, ns in nodes.items() if not ns.settled and k not in has_open_child]

    critical: list[str] = []
    critical_start: date | None = None
    if frontier:
        leaf = min(frontier, key=lambda k: (chain_min[k], nodes[k].start, order[k]))
        critical_start = chain_min[leaf]
        current = leaf
        while current:
            critical.append(current)
            current = parent_of[current]

    horizon = add_days(today, START_NOW_DAYS)  # clamped: never overflows
    start_now = sorted(
        (
            k
            for k in frontier
            if session.map[order[k]].status not in ("doing", "done", "dropped")
            and nodes[k].start <= horizon
        ),
        key=lambda k: (nodes[k].start, order[k]),
    )
    open_starts = [ns.start for ns in nodes.values() if not ns.settled]

    return Schedule(
        ready=True,
        reason="",
        target_date=target,
        today=today,
        working_days=working_days,
        nodes=nodes,
        critical_path=critical,
        critical_start=critical_start,
        start_now=start_now,
        earliest_start=min(open_starts) if open_starts else None,
        live=tuple(live),
    )
