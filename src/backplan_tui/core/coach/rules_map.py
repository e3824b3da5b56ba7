"""Step 3 rules: the reverse map and its backward schedule.

The checks use the live nodes (``schedule.walk``: dropped branches left out); owner and
duration are asked of open nodes only (done work needs neither).  A late path is reported
once, at its deepest late node (the one that has to move first)."""

from __future__ import annotations

from collections.abc import Iterator

from backplan_tui.core.coach.plan import Plan
from backplan_tui.core.coach.registry import Hit, rule
from backplan_tui.core.schedule import LiveNode, NodeSchedule

STEP = "reverse_map"


@rule(code="map_empty", step=STEP, severity="warning", title="the reverse map has no (live) node")
def map_empty(plan: Plan) -> Iterator[Hit]:
    if not plan.live:
        yield Hit(
            "",
            "The reverse map is empty.",
            "Start at the goal and ask: what must be true before this?",
        )


@rule(
    code="map_one_level",
    step=STEP,
    severity="warning",
    title="every node enables the goal directly",
)
def map_one_level(plan: Plan) -> Iterator[Hit]:
    if plan.live and all(item.depth == 1 for item in plan.live):
        yield Hit(
            "",
            "The map has only one level: it is not traced backward yet.",
            "Under each condition, ask again: what must be true before this?",
        )


def _flagged(plan: Plan) -> Iterator[tuple[LiveNode, NodeSchedule]]:
    """The live nodes the schedule flagged, in walk order (review() sorts into file order)."""
    sched = plan.schedule
    if not sched.ready or plan.session.future_state.target_date is None:
        return
    for item in plan.live:
        ns = sched.nodes[item.node.id]
        if ns.flags:
            yield item, ns


@rule(
    code="path_late",
    step=STEP,
    severity="problem",
    title="a todo node whose latest start is before today (reported at the deepest late node)",
)
def path_late(plan: Plan) -> Iterator[Hit]:
    flagged = list(_flagged(plan))
    if not flagged:
        return
    nodes = plan.schedule.nodes
    late_parents = {
        item.parent for item in plan.live if "starts_in_past" in nodes[item.node.id].flags
    }
    for item, ns in flagged:
        node_id = item.node.id
        if "starts_in_past" in ns.flags and node_id not in late_parents:
            days = -ns.slack_days
            yield Hit(
                node_id,
                f"{plan.node_name(node_id)} had to start by {ns.start.isoformat()} "
                f"({days} day{'s' if days != 1 else ''} ago): the path to the goal is late.",
                "Cut scope, add people or move a date, and log the adjustment.",
            )


@rule(
    code="pinned_conflict",
    step=STEP,
    severity="problem",
    title="a pinned date after the start of the node it enables (or after the target date)",
)
def pinned_conflict(plan: Plan) -> Iterator[Hit]:
    target = plan.session.future_state.target_date
    for item, ns in _flagged(plan):
        if "pinned_conflict" not in ns.flags:
            continue
        limit = plan.schedule.nodes[item.parent].start if item.parent else target
        assert limit is not None
        what = (
            f"after {plan.node_name(item.parent)} must start ({limit.isoformat()})"
            if item.parent
            else f"after the target date ({limit.isoformat()})"
        )
        yield Hit(
            item.node.id,
            f"{plan.node_name(item.node.id)} is pinned to {ns.due.isoformat()}, {what}.",
            f"Pin it to {limit.isoformat()} or earlier, or unpin it.",
        )


@rule(code="node_overdue", step=STEP, severity="warning", title="a doing node past its due date")
def node_overdue(plan: Plan) -> Iterator[Hit]:
    for item, ns in _flagged(plan):
        if "overdue" in ns.flags:
            yield Hit(
                item.node.id,
                f"{plan.node_name(item.node.id)} was due {ns.due.isoformat()} and is not done.",
                "Mark it done, or re-plan it and log the adjustment.",
            )


@rule(code="node_no_owner", step=STEP, severity="warning", title="an open node without an owner")
def node_no_owner(plan: Plan) -> Iterator[Hit]:
    for item in plan.live:
        if not item.settled and not item.node.owner.strip():
            yield Hit(
                item.node.id,
                f"{plan.node_name(item.node.id)} has no owner.",
                "Name one person who owns it.",
            )


@rule(
    code="node_no_duration",
    step=STEP,
    severity="warning",
    title="an open node without a duration",
)
def node_no_duration(plan: Plan) -> Iterator[Hit]:
    for item in plan.live:
        if not item.settled and item.node.duration_days is None:
            yield Hit(
                item.node.id,
                f"{plan.node_name(item.node.id)} has no duration.",
                "Estimate it in days: the deadlines below it depend on it.",
            )
