"""Plain-text export: a width-aware summary for ``backplan show`` and for email.

No markup of any kind.  Every line fits in ``width`` terminal cells (wide East Asian characters
count as two, combining marks as zero); long words are broken.  Widths below
:data:`MIN_WIDTH` are raised to it so that indented lines always have room.

The value formatting helpers here (numbers, dates, the reverse-map walk) are shared with the
Markdown export so that both say the same thing.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import TYPE_CHECKING, TypeVar

from backplan_tui.core.coach import Finding, summary_counts
from backplan_tui.core.model import STEP_TITLES, Adjustment, CheckIn, MapNode, Pilot, Session
from backplan_tui.core.progress import describe, progress_all
from backplan_tui.core.schedule import FLAG_LABELS, FLAGS, START_NOW_DAYS, NodeSchedule, Schedule
from backplan_tui.core.textclean import (  # stamp, char_width, cell_width: used by the others
    cell_width,
    char_width,
    clean_line,
    clean_text,
    stamp,
)

DEFAULT_WIDTH = 80
MIN_WIDTH = 20

if TYPE_CHECKING:
    from backplan_tui.core.export.facts import Facts

_Dated = TypeVar("_Dated", CheckIn, Adjustment)

# --- shared value formatting ------------------------------------------------------------------


def line(value: object) -> str:
    """One line of user text: control characters gone (bidi overrides shown as markers by
    ``clean_line``), newlines folded, ends trimmed."""
    text = clean_line("" if value is None else str(value))
    return " ".join(text.split())


def lines(value: object) -> list[str]:
    """Multi-line user text as a list of non-empty, trimmed lines (tabs become spaces)."""
    text = clean_text("" if value is None else str(value)).replace("\t", " ")
    return [" ".join(part.split()) for part in text.split("\n") if part.strip()]


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


# --- width-aware wrapping ---------------------------------------------------------------------


def _split_cells(word: str, start: int, room: int) -> tuple[int, int]:
    """Where a line that starts at ``word[start]`` and has ``room`` cells must end: (the end
    index, the cells used); each character is measured once."""
    used = 0
    for index in range(start, len(word)):
        width = char_width(word[index])
        if used + width > room:
            return index, used
        used += width
    return len(word), used


def wrap(text: str, width: int, initial: str = "", subsequent: str = "") -> list[str]:
    """Greedy word wrap by terminal cells; words longer than a line are broken.

    Linear in the length of ``text``: a long word is measured once and cut by position
    (a 100,000-character word of wide characters took minutes when each cut measured the
    rest of the word again)."""
    out: list[str] = []
    current, current_width, has_word = initial, cell_width(initial), False
    for word in text.split():
        size = cell_width(word)
        gap = 1 if has_word else 0
        if current_width + gap + size <= width:
            current += " " * gap + word
            current_width += gap + size
            has_word = True
            continue
        if has_word:
            out.append(current)
            current, current_width, has_word = subsequent, cell_width(subsequent), False
        start = 0
        while current_width + size > width:
            end, used = _split_cells(word, start, width - current_width)
            if end == start:  # cannot happen while indents stay below half the width
                end, used = start + 1, char_width(word[start])
            out.append(current + word[start:end])
            current, current_width = subsequent, cell_width(subsequent)
            size -= used
            start = end
        if start < len(word):
            current += word[start:]
            current_width += size
            has_word = True
    if has_word or not out:
        out.append(current.rstrip())
    return out


class _Writer:
    def __init__(self, width: int) -> None:
        self.width = max(MIN_WIDTH, width)
        self.out: list[str] = []

    def indent(self, depth: int) -> str:
        return " " * min(2 * depth, self.width // 2 - 2)

    def para(self, text: str, depth: int = 0, hang: int = 2) -> None:
        first = self.indent(depth)
        rest = first + " " * hang
        self.out.extend(wrap(text, self.width, first, rest))

    def item(self, text: str, depth: int = 1) -> None:
        """A bullet: "  - text", continuation lines under the text."""
        first = self.indent(depth - 1) + "- "
        self.out.extend(wrap(text, self.width, first, " " * len(first)))

    def under(self, text: str, depth: int = 1) -> None:
        """Text that continues the bullet at ``depth``, aligned with the bullet's text."""
        prefix = " " * (len(self.indent(depth - 1)) + 2)
        self.out.extend(wrap(text, self.width, prefix, prefix))

    def heading(self, text: str, underline: str) -> None:
        if self.out:
            self.out.append("")
        self.para(text, 0, 0)
        self.out.append(underline * min(self.width, max(cell_width(self.out[-1]), 3)))

    def blank(self) -> None:
        if self.out and self.out[-1] != "":
            self.out.append("")

    def text(self) -> str:
        while self.out and self.out[-1] == "":
            self.out.pop()
        return "\n".join(self.out) + "\n"


def render(
    session: Session, today: date, *, width: int = DEFAULT_WIDTH, facts: Facts | None = None
) -> str:
    if facts is None:
        from backplan_tui.core.export.facts import of

        facts = of(session, today)
    w = _Writer(width)
    fs = session.future_state

    w.heading(line(session.title) or "Untitled session", "=")
    for label, value in (
        ("Team", line(session.team)),
        ("Facilitator", line(session.facilitator)),
        ("Participants", ", ".join(p for p in map(line, session.participants) if p)),
        ("Step reached", STEP_TITLES.get(session.current_step, line(session.current_step))),
        ("Updated", stamp(session.updated)),
    ):
        if value:
            w.para(f"{label}: {value}")

    w.heading(STEP_TITLES["future_state"], "-")
    goal = lines(fs.statement)
    w.para("Goal: " + (" / ".join(goal) if goal else "(no goal statement yet)"))
    if fs.target_date is not None:
        w.para(f"Target date: {iso(fs.target_date)} ({relative(fs.target_date, today)})")
    else:
        w.para("Target date: (not set)")
    if line(fs.aligned_objective):
        w.para(f"Aligned objective: {line(fs.aligned_objective)}")
    w.blank()
    if fs.outcomes:
        w.para("Outcomes:")
        for outcome in fs.outcomes:
            text = line(outcome.metric) or f"outcome {line(outcome.id)}"
            start = quantity(outcome.baseline, outcome.unit)
            goal_value = quantity(outcome.target, outcome.unit)
            if start or goal_value:
                text += f": {start or '?'} -> {goal_value or '?'}"
            text += f" ({words(outcome.direction)})"
            if outcome.due is not None:
                text += f", due {iso(outcome.due)}"
            w.item(text)
    else:
        w.para("No measurable outcomes yet.")
    if fs.outcomes and session.checkins:
        w.blank()
        w.para("Progress at the latest check-in:")
        for p in progress_all(session, today):
            w.item(line(describe(p)))

    done, total = answered(session)
    w.heading(f"{STEP_TITLES['questions']} ({done} of {total} answered)", "-")
    if not session.questions:
        w.para("No questions yet.")
    for question in session.questions:
        about = [words(question.status)]
        if line(question.owner):
            about.append(f"owner: {line(question.owner)}")
        w.item(f"{line(question.prompt) or '(no question text)'} [{', '.join(about)}]")
        answer = lines(question.answer)
        for answer_line in answer or ["(no answer yet)"]:
            w.under(answer_line)

    w.heading(STEP_TITLES["reverse_map"], "-")
    tree, detached = walk_map(session)
    goal_text = " / ".join(goal) or line(session.title) or "the goal"
    target = f" (target {iso(fs.target_date)})" if fs.target_date else ""
    w.para(f"GOAL: {goal_text}{target}")
    if not session.map:
        w.para("No map items yet.")
    plan = facts.plan
    for node, depth in tree:
        _node(w, node, depth, plan.get(node.id), node.id in plan.critical_path)
    if detached:
        w.blank()
        w.para("Not connected to the goal:")
        for node, depth in detached:
            _node(w, node, depth)
    if session.map:
        w.blank()
        if not plan.ready:
            w.para(plan.reason)
        else:
            now = start_now(session, plan, today)
            w.para(
                f"Start now (latest start within {START_NOW_DAYS} days):"
                if now
                else f"Nothing has to start in the next {START_NOW_DAYS} days."
            )
            for item in now:
                w.item(item)
            path = critical_path(session, plan)
            if path:
                w.para(
                    f"Critical path: {' -> '.join(path)} "
                    f"(must start by {iso(critical_start(plan))})"
                )

    w.heading(STEP_TITLES["pilots"], "-")
    if not session.pilots:
        w.para("No pilots yet.")
    for index, pilot in enumerate(session.pilots):
        if index:
            w.blank()
        w.para(f"* {line(pilot.name) or '(unnamed pilot)'}", 0, 2)
        for label, value in _pilot_fields(session, pilot):
            w.para(f"{label}: {value}", 1, 2)

    findings = facts.findings
    w.heading("Plan health", "-")
    w.para(health_summary(findings))
    for finding in findings:
        w.item(
            f"{finding.severity.capitalize()} ({finding_step(finding.step)}): "
            f"{line(finding.message)} Fix: {line(finding.fix)}"
        )

    w.heading("Check-ins", "-")
    if not session.checkins:
        w.para("No check-ins yet.")
    for checkin in by_date(session.checkins):
        text = f"{iso(checkin.date)} ({words(checkin.confidence)})"
        values = checkin_values(session, checkin.values)
        if values:
            text += f" {values}"
        note = " / ".join(lines(checkin.note))
        if note:
            text += f" - {note}"
        w.item(text)

    w.heading("Adjustments", "-")
    if not session.adjustments:
        w.para("No adjustments yet.")
    for adjustment in by_date(session.adjustments):
        what = " / ".join(lines(adjustment.what)) or "(no change noted)"
        text = f"{iso(adjustment.date)}: {what}"
        why = " / ".join(lines(adjustment.why))
        if why:
            text += f" (why: {why})"
        w.item(text)

    w.heading("Parking lot", "-")
    parked = [p for p in map(line, session.facilitation.parking_lot) if p]
    if not parked:
        w.para("The parking lot is empty.")
    for item in parked:
        w.item(item)

    w.blank()
    w.para(f"Exported by backplan on {iso(today)}.")
    return w.text()


def _node(
    w: _Writer,
    node: MapNode,
    depth: int,
    scheduled: NodeSchedule | None = None,
    critical: bool = False,
) -> None:
    title = line(node.title) or "(untitled)"
    w.item(f"{title} [{'; '.join(node_facts(node, scheduled, critical))}]", depth)
    for note in lines(node.notes):
        w.under(note, depth)


def _pilot_fields(session: Session, pilot: Pilot) -> list[tuple[str, str]]:
    fields = [
        ("Hypothesis", " / ".join(lines(pilot.hypothesis))),
        ("Tests", "; ".join(pilot_tests(session, pilot))),
        ("Outcome", pilot_outcome(session, pilot)),
        ("Owner", line(pilot.owner)),
        ("Window", window(pilot.start, pilot.end)),
        ("Success rule", " / ".join(lines(pilot.success_rule))),
        ("Status", words(pilot.status)),
        ("Result", " / ".join(lines(pilot.result))),
        ("Decision", words(pilot.decision)),
    ]
    return [(label, value) for label, value in fields if value]
