"""The helpers every export shares, so that all formats say the same thing: user text made
one clean line (``line``) or clean lines (``lines``), numbers, dates and enum values for
people, a map node's facts, the start-now list and the critical path, the plan-health count,
the reverse-map walk, a pilot's tests and outcome, a check-in's values.

``stamp``, ``cell_width`` and ``char_width`` (from ``textclean``) are re-exported here so the
formats have one place to import from.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import TypeVar

from backplan_tui.core.coach import Finding, summary_counts
from backplan_tui.core.model import STEP_TITLES, Adjustment, CheckIn, MapNode, Pilot, Session
from backplan_tui.core.schedule import FLAG_LABELS, FLAGS, NodeSchedule, Schedule
from backplan_tui.core.textclean import cell_width, char_width, clean_line, clean_text, stamp

__all__ = [
    "answered",
    "by_date",
    "cell_width",
    "char_width",
    "checkin_values",
    "conflicts",
    "critical_path",
    "critical_start",
    "finding_step",
    "health_summary",
    "iso",
    "line",
    "lines",
    "node_facts",
    "number",
    "pilot_outcome",
    "pilot_tests",
    "plural",
    "quantity",
    "relative",
    "stamp",
    "start_now",
    "walk_map",
    "window",
    "words",
]

_Dated = TypeVar("_Dated", CheckIn, Adjustment)


def line(value: object) -> str:
    """One line of user text: control characters gone (bidi overrides shown as markers by
    ``clean_line``), newlines folded, ends trimmed."""
    text = clean_line("" if value is None else str(value))
    return " ".join(text.split())


def lines(value: object) -> list[str]:
    """Multi-line user text as a list of non-empty, trimmed lines (tabs become spaces)."""
    text = clean_text("" if value is None else str(value)).replace("\t", " ")
    return [" ".join(part.split()) for part in text.split("\n") if part.strip()]


def conflicts(session: Session) -> list[tuple[str, str, str, str, str]]:
    """The conflicts a merge left, each as one-line texts: (what, field, yours, whose,
    theirs), e.g. ("the question 'Who benefits?'", "prompt", "...", "Ben's", "...")."""
    from backplan_tui.core import conflicts as settle

    return [
        (line(s.what), line(s.field), line(s.mine), line(settle.whose(s.by)), line(s.theirs))
        for s in settle.describe_all(session)
    ]


CONFLICTS_TITLE = "Conflicts to resolve"
CONFLICTS_INTRO = (
    "Both sides changed these fields: yours is in place, theirs waits. "
    "Open the session and press ! to settle each."
)


def number(value: float | int | None) -> str:
    """78.0 -> "78", 80.5 -> "80.5"; None -> ""."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return repr(value) if isinstance(value, float) else str(value)


def quantity(value: float | int | None, unit: str) -> str:
    """A number with its unit: "80.5%", "12 days", "" when there is no number."""
    text = number(value)
    unit = line(unit)
    if not text or not unit:
        return text
    return f"{text}{unit}" if unit == "%" else f"{text} {unit}"


def plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def iso(value: date | None) -> str:
    return value.isoformat() if value is not None else ""


def relative(value: date, today: date) -> str:
    """ "today", "in 3 days", "2 days ago"."""
    days = (value - today).days
    if days == 0:
        return "today"
    if days > 0:
        return f"in {plural(days, 'day')}"
    return f"{plural(-days, 'day')} ago"


def words(value: str) -> str:
    """An enum value for people: "stay_above" -> "stay above"."""
    return line(value).replace("_", " ")


def node_facts(
    node: MapNode, scheduled: NodeSchedule | None = None, critical: bool = False
) -> list[str]:
    """What the summary says about a map node, after its title.  ``scheduled`` is the node's
    entry in the backward schedule (None when it has none)."""
    facts: list[str] = []
    if line(node.owner):
        facts.append(f"owner: {line(node.owner)}")
    if node.duration_days is not None:
        facts.append(plural(node.duration_days, "day"))
    if scheduled is not None:
        facts.append(f"start {iso(scheduled.start)}")
        facts.append(f"due {iso(scheduled.due)}" + (" (pinned)" if scheduled.pinned else ""))
    elif node.pinned_due is not None:
        facts.append(f"pinned due {iso(node.pinned_due)}")
    facts.append(words(node.status))
    if scheduled is not None:
        facts.extend(FLAG_LABELS[flag] for flag in FLAGS if flag in scheduled.flags)
    if critical:
        facts.append("critical path")
    votes = sum(v for v in node.votes.values() if isinstance(v, int))
    if votes:
        facts.append(plural(votes, "vote"))
    return facts


def start_now(session: Session, plan: Schedule, today: date) -> list[str]:
    """The start-now list as lines: "title (owner: X; start by 2026-12-01)"."""
    out: list[str] = []
    for node_id in plan.start_now:
        node, scheduled = session.node(node_id), plan.get(node_id)
        if node is None or scheduled is None:
            continue
        facts = [f"owner: {line(node.owner)}"] if line(node.owner) else []
        if scheduled.start < today:
            facts.append(f"should have started {iso(scheduled.start)}")
        else:
            facts.append(f"start by {iso(scheduled.start)}")
        out.append(f"{line(node.title) or 'Untitled map item'} ({'; '.join(facts)})")
    return out


def critical_path(session: Session, plan: Schedule) -> list[str]:
    """The titles on the critical path, in time order: what must start first comes first."""
    titles = []
    for node_id in plan.critical_path:
        node = session.node(node_id)
        titles.append((line(node.title) if node else "") or f"map item {line(node_id)}")
    return titles


def critical_start(plan: Schedule) -> date | None:
    """The date the critical path must start by: the earliest latest-start on it (see
    ``schedule``), which a pinned date can put above the frontier node."""
    return plan.critical_start


def health_summary(findings: list[Finding]) -> str:
    """ "2 problems, 1 warning, 0 tips." (the coach's findings counted)."""
    problems, warnings, tips = summary_counts(findings)
    counts = [plural(problems, "problem"), plural(warnings, "warning"), plural(tips, "tip")]
    return ", ".join(counts) + "."


def finding_step(step: str) -> str:
    return STEP_TITLES.get(step, "Tracking")


def walk_map(session: Session) -> tuple[list[tuple[MapNode, int]], list[tuple[MapNode, int]]]:
    """The reverse map from the goal down, depth first in file order, as (node, depth).

    Depth 1 enables the goal directly.  The second list holds the nodes that cannot be reached
    from the goal (a parent that does not exist, or a cycle), each group walked from its first
    node in file order, so that no node is ever left out or shown twice.
    """
    children: dict[str, list[MapNode]] = {}
    for node in session.map:
        children.setdefault(node.parent, []).append(node)
    seen: set[int] = set()

    def walk(roots: list[MapNode]) -> list[tuple[MapNode, int]]:
        out: list[tuple[MapNode, int]] = []
        stack = [(node, 1) for node in reversed(roots)]
        while stack:
            node, depth = stack.pop()
            if id(node) in seen:
                continue
            seen.add(id(node))
            out.append((node, depth))
            for child in reversed(children.get(node.id, [])):
                if id(child) not in seen:
                    stack.append((child, depth + 1))
        return out

    tree = walk(children.get("", []))
    detached: list[tuple[MapNode, int]] = []
    for node in session.map:
        if id(node) not in seen:
            detached.extend(walk([node]))
    return tree, detached


def answered(session: Session) -> tuple[int, int]:
    total = len(session.questions)
    done = sum(1 for q in session.questions if q.status == "answered")
    return done, total


def pilot_tests(session: Session, pilot: Pilot) -> list[str]:
    """The titles of the map nodes a pilot tests (unknown ids are named as such)."""
    out: list[str] = []
    for node_id in pilot.tests:
        node = session.node(node_id)
        if node is None:
            out.append(f"unknown map item {line(node_id)}")
        else:
            out.append(line(node.title) or f"untitled map item {line(node.id)}")
    return out


def pilot_outcome(session: Session, pilot: Pilot) -> str:
    """The metric a pilot moves: its outcome's metric, else its own metric text."""
    if pilot.outcome:
        outcome = session.outcome(pilot.outcome)
        if outcome is None:
            return f"unknown outcome {line(pilot.outcome)}"
        return line(outcome.metric) or f"outcome {line(outcome.id)}"
    return line(pilot.metric)


def window(start: date | None, end: date | None) -> str:
    if start and end:
        return f"{iso(start)} to {iso(end)}"
    if start:
        return f"from {iso(start)}"
    if end:
        return f"until {iso(end)}"
    return ""


def checkin_values(session: Session, values: dict[str, float]) -> str:
    parts: list[str] = []
    for outcome_id, value in values.items():
        outcome = session.outcome(outcome_id)
        if outcome is None:
            parts.append(f"{line(outcome_id)}: {number(value)}")
        else:
            name = line(outcome.metric) or line(outcome.id)
            parts.append(f"{name}: {quantity(value, outcome.unit)}")
    return "; ".join(parts)


def by_date(items: Iterable[_Dated]) -> list[_Dated]:
    """Check-ins / adjustments in date order (stable: equal dates keep file order)."""
    return sorted(items, key=lambda item: item.date)
