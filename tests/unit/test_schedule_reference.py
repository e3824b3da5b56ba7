"""The backward schedule against a second, deliberately simple implementation, on random plans.

``reference`` below is written from the rules in ``core/schedule.py``'s docstring, the slow
and obvious way: recursion from the goal, working days counted one day at a time, each
chain's start found by walking up from its frontier node.  Hypothesis generates plans (trees
up to 6 levels deep in a shuffled file order, pinned dates, durations or none, every status,
working days or not, a node whose parent does not exist) and every computed fact must match:
dates, slack, depth, flags (late ones included), the critical path and the date it must
start by, the start-now list and the earliest start.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backplan_tui.core.model import FutureState, MapNode, Session
from backplan_tui.core.schedule import compute
from helpers import examples

MAX_LEVELS = 6
WINDOW = 14  # start now: latest start at most this many days after today


@dataclass
class Ref:
    node: MapNode
    index: int
    depth: int
    parent: str
    settled: bool
    due: date
    start: date
    flags: set[str]


def back(due: date, days: int, working_days: bool) -> date:
    """``days`` before ``due``: calendar days, or weekdays counted one at a time."""
    if not working_days:
        return due - timedelta(days=days)
    day, left = due, days
    while left > 0:
        day -= timedelta(days=1)
        if day.weekday() < 5:
            left -= 1
    return day


def reference(session: Session, today: date) -> dict[str, object]:
    target = session.future_state.target_date
    working = session.future_state.working_days
    assert target is not None
    found: dict[str, Ref] = {}

    def visit(parent: str, depth: int, settled: bool, enables_start: date) -> None:
        for index, node in enumerate(session.map):
            if node.parent != parent or node.status == "dropped":
                continue
            now_settled = settled or node.status == "done"
            due = node.pinned_due if node.pinned_due is not None else enables_start
            start = back(due, node.duration_days or 0, working)
            flags: set[str] = set()
            if not now_settled:
                if node.duration_days is None:
                    flags.add("no_duration")
                if node.pinned_due is not None and node.pinned_due > enables_start:
                    flags.add("pinned_conflict")
                if due > target:
                    flags.add("due_after_goal")
                if node.status == "doing" and due < today:
                    flags.add("overdue")
                if node.status == "todo" and start < today:
                    flags.add("starts_in_past")
            found[node.id] = Ref(node, index, depth, parent, now_settled, due, start, flags)
            visit(node.id, depth + 1, now_settled, start)

    visit("", 1, False, target)

    open_ids = [k for k, r in found.items() if not r.settled]
    frontier = [
        k for k in open_ids if not any(found[c].parent == k and not found[c].settled for c in found)
    ]

    def chain(k: str) -> list[str]:
        out = [k]
        while found[out[-1]].parent:
            out.append(found[out[-1]].parent)
        return out

    def chain_start(k: str) -> date:
        return min(found[c].start for c in chain(k))

    critical: list[str] = []
    critical_start = None
    if frontier:
        leaf = min(frontier, key=lambda k: (chain_start(k), found[k].start, found[k].index))
        critical, critical_start = chain(leaf), chain_start(leaf)
    start_now = sorted(
        (
            k
            for k in frontier
            if found[k].node.status == "todo" and found[k].start <= today + timedelta(days=WINDOW)
        ),
        key=lambda k: (found[k].start, found[k].index),
    )
    return {
        "ids": sorted(found, key=lambda k: found[k].index),
        "dates": {k: (r.due, r.start, (r.start - today).days) for k, r in found.items()},
        "depth": {k: r.depth for k, r in found.items()},
        "settled": {k: r.settled for k, r in found.items()},
        "flags": {k: r.flags for k, r in found.items()},
        "late": sorted(
            (k for k, r in found.items() if {"starts_in_past", "overdue"} & r.flags),
            key=lambda k: found[k].index,
        ),
        "critical_path": critical,
        "critical_start": critical_start,
        "start_now": start_now,
        "earliest_start": min((found[k].start for k in open_ids), default=None),
    }


def actual(session: Session, today: date) -> dict[str, object]:
    s = compute(session, today)
    return {
        "ids": list(s.nodes),
        "dates": {k: (n.due, n.start, n.slack_days) for k, n in s.nodes.items()},
        "depth": {k: n.depth for k, n in s.nodes.items()},
        "settled": {k: n.settled for k, n in s.nodes.items()},
        "flags": {k: set(n.flags) for k, n in s.nodes.items()},
        "late": s.late(),
        "critical_path": s.critical_path,
        "critical_start": s.critical_start,
        "start_now": s.start_now,
        "earliest_start": s.earliest_start,
    }


BASE = date(2027, 6, 30)
days_around = st.integers(min_value=-400, max_value=120).map(lambda n: BASE + timedelta(days=n))


@st.composite
def plans(draw: st.DrawFn) -> tuple[Session, date]:
    count = draw(st.integers(min_value=0, max_value=24))
    parents: list[int] = []  # -1: enables the goal
    depths: list[int] = []
    for i in range(count):
        choices = [-1] + [j for j in range(i) if depths[j] < MAX_LEVELS]
        parent = draw(st.sampled_from(choices))
        parents.append(parent)
        depths.append(1 if parent < 0 else depths[parent] + 1)
    nodes = []
    for i in range(count):
        parent_id = "" if parents[i] < 0 else f"n{parents[i]}"
        if draw(st.integers(0, 30)) == 0:
            parent_id = "missing"  # cannot reach the goal: left out, with its subtree
        nodes.append(
            MapNode(
                id=f"n{i}",
                title=f"node {i}",
                parent=parent_id,
                duration_days=draw(st.none() | st.integers(min_value=0, max_value=90)),
                pinned_due=draw(st.none() | st.none() | days_around),
                status=draw(st.sampled_from(["todo", "todo", "doing", "done", "dropped"])),
            )
        )
    order = draw(st.permutations(range(count)))
    session = Session(
        id="random",
        title="Random plan",
        future_state=FutureState(
            target_date=BASE + timedelta(days=draw(st.integers(-30, 30))),
            working_days=draw(st.booleans()),
        ),
        map=[nodes[i] for i in order],
    )
    today = BASE + timedelta(days=draw(st.integers(min_value=-500, max_value=60)))
    return session, today


@pytest.mark.slow  # 250 generated plans (100 in make test)
@settings(
    max_examples=examples(250, 100), deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(plans())
def test_the_schedule_matches_a_simple_reference(plan: tuple[Session, date]) -> None:
    session, today = plan
    assert actual(session, today) == reference(session, today)


@settings(max_examples=100, deadline=None)
@given(plans())
def test_the_critical_path_starts_on_its_earliest_start(plan: tuple[Session, date]) -> None:
    session, today = plan
    s = compute(session, today)
    if not s.critical_path:
        assert s.critical_start is None
        return
    starts = [s.nodes[k].start for k in s.critical_path]
    assert s.critical_start == min(starts)
    # A chain, from a frontier node up to a node that enables the goal directly.
    parents = {n.id: n.parent for n in session.map}
    for below, above in zip(s.critical_path, s.critical_path[1:], strict=False):
        assert parents[below] == above
    assert parents[s.critical_path[-1]] == ""
