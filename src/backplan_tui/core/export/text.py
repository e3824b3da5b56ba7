"""Plain-text export: a width-aware summary for ``backplan show`` and for email.

No markup of any kind.  Every line fits in ``width`` terminal cells (wide East Asian characters
count as two, combining marks as zero); long words are broken.  Widths below
:data:`MIN_WIDTH` are raised to it so that indented lines always have room.

The value formatting it shares with the other formats is in ``common``.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from backplan_tui.core.export import owners as owners_section
from backplan_tui.core.export import people
from backplan_tui.core.export.common import (
    CONFLICTS_INTRO,
    CONFLICTS_TITLE,
    answered,
    by_date,
    checkin_values,
    conflicts,
    critical_path,
    critical_start,
    finding_step,
    health_summary,
    iso,
    line,
    lines,
    node_facts,
    pilot_outcome,
    pilot_tests,
    quantity,
    relative,
    start_now,
    walk_map,
    window,
    words,
)
from backplan_tui.core.model import STEP_TITLES, MapNode, Pilot, Session
from backplan_tui.core.progress import describe
from backplan_tui.core.schedule import START_NOW_DAYS, NodeSchedule

# the width and stamp functions the text format uses, one for the CLI and every export
from backplan_tui.core.textclean import cell_width as cell_width
from backplan_tui.core.textclean import char_width as char_width
from backplan_tui.core.textclean import stamp as stamp

DEFAULT_WIDTH = 80
MIN_WIDTH = 20

if TYPE_CHECKING:
    from backplan_tui.core.export.facts import PlanFacts

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
    session: Session, today: date, *, width: int = DEFAULT_WIDTH, facts: PlanFacts | None = None
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

    waiting = conflicts(session)  # left by a merge: first, so that the room settles them
    if waiting:
        w.heading(CONFLICTS_TITLE, "-")
        w.para(CONFLICTS_INTRO)
        for what, field, mine, whose, theirs in waiting:
            w.item(f"{what} · {field}: yours: {mine}; {whose}: {theirs}")

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
        for p in facts.progress:
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
    _milestones(w, session, facts, today)

    w.heading(STEP_TITLES["pilots"], "-")
    if not session.pilots:
        w.para("No pilots yet.")
    for index, pilot in enumerate(session.pilots):
        if index:
            w.blank()
        w.para(f"* {line(pilot.name) or '(unnamed pilot)'}", 0, 2)
        for label, value in _pilot_fields(session, pilot):
            w.para(f"{label}: {value}", 1, 2)

    w.heading(owners_section.TITLE, "-")  # owners and their load (export/owners.py)
    owner_lines = owners_section.text(facts.owner_loads, facts.limits)
    if owner_lines:
        w.para(owners_section.about(facts.limits))
    else:
        w.para(owners_section.EMPTY)
    for owner_line, items in owner_lines:
        w.item(owner_line)
        for item in items:
            w.under(item)

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
    if session.reports:  # the progress report (core.report): when the last one was made
        last = session.reports[-1]
        by = f" by {line(last.by)}" if line(last.by) else ""
        w.blank()
        w.para(f"Last progress report: {iso(last.made)}{by}.")

    _people(w, session, today)

    w.heading("Parking lot", "-")
    parked = [p for p in map(line, session.facilitation.parking_lot) if p]
    if not parked:
        w.para("The parking lot is empty.")
    for item in parked:
        w.item(item)

    w.blank()
    w.para(f"Exported by backplan on {iso(today)}.")
    return w.text()


def _milestones(w: _Writer, session: Session, facts: PlanFacts, today: date) -> None:
    """The milestones (``core.milestones.summary_rows``): date, title, targets, status."""
    from backplan_tui.core.milestones import summary_rows, targets_text

    found = summary_rows(session, facts.plan, today)
    if not found:
        return
    w.blank()
    w.para("Milestones:")
    for row, note in found:
        text = f"{iso(row.when) or 'not dated'} {line(row.node.title) or '(untitled)'}: "
        text += line(targets_text(row))
        if note:
            text += f" ({line(note)})"
        w.item(text)


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


def _people(w: _Writer, session: Session, today: date) -> None:
    """The stakeholders and the communication plan (only when the session has any)."""
    if not people.has_any(session):
        return
    w.heading(people.TITLE, "-")
    if not session.stakeholders:
        w.para("No stakeholders yet.")
    for name, role, interest, influence, stance, grid, needs in people.stakeholder_rows(session):
        text = f"{name}" + (f" ({role})" if role else "")
        text += f": {stance}, interest {interest}, influence {influence} - {grid}"
        if needs:
            text += f". Needs to hear: {needs}"
        w.item(text)
    rows = people.communication_rows(session, today)
    w.para("Communication plan:" if rows else "No communication planned yet.")
    for row in rows:
        what, audience, channel, cadence, shown, owner = row.cells()
        text = f"{what}" + (f" to {audience}" if audience else "")
        text += f" ({cadence}" + (f", {channel}" if channel else "") + f"): next {shown}"
        if owner:
            text += f"; owner {owner}"
        w.item(text)
