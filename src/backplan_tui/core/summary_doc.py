"""The Summary screen's content as a list of blocks: headings, paragraphs, list items, tables.

It says what the Markdown export says (``core/export/markdown.py``), in the same order and
the same words, but as structure rather than Markdown source: the Summary screen lays the
blocks out as lines at its width (``tui/summary_layout.py``) instead of parsing Markdown
back (parsing the export costs five to eight times as much as writing it).  A test holds the
two to the same words (tests/tui/test_summary.py).

The text here is the user's text, cleaned of control characters (``line``/``lines``) and
not escaped: it is never parsed as Markdown or markup, only laid out.  Styles are names
(``"b"`` bold, ``"i"`` italic) that the layout turns into terminal styles.

No Textual here (core/ imports none).  ``build`` calls ``stop()`` every few hundred items
and gives up with :class:`Stopped` when it says so (the screen's worker was cancelled: the
user left the screen, or the app is exiting).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from backplan_tui.core.coach import Finding
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
    number,
    pilot_outcome,
    pilot_tests,
    relative,
    stamp,
    start_now,
    walk_map,
    window,
    words,
)
from backplan_tui.core.export.facts import of
from backplan_tui.core.export.markdown import MAX_LIST_DEPTH
from backplan_tui.core.model import STEP_TITLES, MapNode, Session
from backplan_tui.core.progress import describe
from backplan_tui.core.schedule import START_NOW_DAYS, NodeSchedule, Schedule

Style = Literal["", "b", "i"]
Span = tuple[str, Style]  # literal text and its style; "\n" inside the text: a line break

CHECK_EVERY = 256  # items between two calls of ``stop()``


class Stopped(Exception):
    """``build`` was told to stop before it finished."""


@dataclass(frozen=True, slots=True)
class Heading:
    level: int  # 1 the title, 2 a section, 3 a sub-section (outcomes, a pilot, start now)
    text: str


@dataclass(frozen=True, slots=True)
class Para:
    """Text at list ``depth`` (0: a paragraph; 1 or more: a bullet of that depth).

    A "\\n" in a span breaks the line; what follows is aligned under the text's start.
    """

    spans: tuple[Span, ...]
    depth: int = 0


@dataclass(frozen=True, slots=True)
class Table:
    header: tuple[str, ...]
    right: tuple[bool, ...]  # right-aligned columns (numbers)
    rows: list[tuple[str, ...]] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Rule:
    """A horizontal line (before the closing line)."""


Block = Heading | Para | Table | Rule


def _never() -> bool:
    return False


def build(
    session: Session,
    today: date,
    stop: Callable[[], bool] = _never,
    *,
    plan: Schedule | None = None,
    findings: list[Finding] | None = None,
) -> list[Block]:
    """The summary of ``session`` on ``today``, block by block (see the module docstring).

    ``plan`` and ``findings`` are the session's schedule and coach findings on ``today`` when
    the caller has them already (the app keeps them per edit); computed here otherwise, once,
    with the rest of the plan facts (``export.facts``).
    """
    known = of(session, today, plan=plan, findings=findings)
    out: list[Block] = []
    fs = session.future_state

    def para(*spans: Span, depth: int = 0) -> None:
        out.append(Para(tuple(s for s in spans if s[0]), depth))

    def check(index: int) -> None:
        if index % CHECK_EVERY == 0 and stop():
            raise Stopped

    out.append(Heading(1, line(session.title) or "Untitled session"))
    facts = [
        ("Team", line(session.team)),
        ("Facilitator", line(session.facilitator)),
        ("Participants", ", ".join(p for p in map(line, session.participants) if p)),
        ("Step reached", line(STEP_TITLES.get(session.current_step, session.current_step))),
        ("Updated", stamp(session.updated)),
    ]
    for label, value in facts:
        if value:
            para((f"{label}: ", "b"), (value, ""), depth=1)

    waiting = conflicts(session)  # left by a merge: first, so that the room settles them
    if waiting:
        out.append(Heading(2, CONFLICTS_TITLE))
        para((CONFLICTS_INTRO, ""))
        for what, field, mine, whose, theirs in waiting:
            para((what, "b"), (f" · {field}: yours: {mine}; {whose}: {theirs}", ""), depth=1)

    # --- 1. future state ----------------------------------------------------------------------
    out.append(Heading(2, STEP_TITLES["future_state"]))
    statement = "\n".join(lines(fs.statement))
    para(("Goal: ", "b"), (statement, "") if statement else ("No goal statement yet.", "i"))
    if fs.target_date is not None:
        target: Span = (f"{iso(fs.target_date)} ({relative(fs.target_date, today)})", "")
    else:
        target = ("not set", "i")
    para(("Target date: ", "b"), target, depth=1)
    objective = line(fs.aligned_objective)
    para(("Aligned objective: ", "b"), (objective, "") if objective else ("not set", "i"), depth=1)
    out.append(Heading(3, "Outcomes"))
    if fs.outcomes:
        table = Table(
            ("Metric", "Unit", "Baseline", "Target", "Direction", "Due"),
            (False, False, True, True, False, False),
        )
        for o in fs.outcomes:
            table.rows.append(
                (
                    line(o.metric),
                    line(o.unit),
                    number(o.baseline),
                    number(o.target),
                    words(o.direction),
                    iso(o.due),
                )
            )
        out.append(table)
    else:
        para(("No measurable outcomes yet.", ""))
    if fs.outcomes and session.checkins:
        para(("Progress at the latest check-in:", ""))
        for p in known.progress:
            para((line(describe(p)), ""), depth=1)

    # --- 2. tough questions -------------------------------------------------------------------
    out.append(Heading(2, STEP_TITLES["questions"]))
    done, total = answered(session)
    if total:
        para((f"{done} of {total} answered.", ""))
        for index, q in enumerate(session.questions):
            check(index)
            facts_text = words(q.status)
            if line(q.owner):
                facts_text += f"; owner: {line(q.owner)}"
            prompt = line(q.prompt)
            answer = "\n".join(lines(q.answer))
            para(
                (prompt, "b") if prompt else ("No question text.", "i"),
                (f" ({facts_text})\n", ""),
                (answer, "") if answer else ("No answer yet.", "i"),
                depth=1,
            )
    else:
        para(("No questions yet.", ""))

    # --- 3. reverse map -----------------------------------------------------------------------
    out.append(Heading(2, STEP_TITLES["reverse_map"]))
    goal = "\n".join(lines(fs.statement)) or line(session.title) or "The goal"
    target_note = f" (target {iso(fs.target_date)})" if fs.target_date else ""
    para(("Goal: ", "b"), (goal + target_note, ""), depth=1)
    tree, detached = walk_map(session)
    if not session.map:
        para(("No map items yet.", "i"), depth=2)
    plan = known.plan
    for index, (node, depth) in enumerate(tree):
        check(index)
        out.append(_node(node, depth + 1, depth, plan.get(node.id), node.id in plan.critical_path))
    if detached:
        para(("Not connected to the goal:", ""))
        for index, (node, depth) in enumerate(detached):
            check(index)
            out.append(_node(node, depth, depth))
    if session.map:
        out.append(Heading(3, "Start now"))
        if not plan.ready:
            para((line(plan.reason), "i"))
        else:
            now = start_now(session, plan, today)
            if now:
                para((f"Latest start within the next {START_NOW_DAYS} days, or already past:", ""))
                for item in now:
                    para((line(item), ""), depth=1)
            else:
                para((f"Nothing has to start in the next {START_NOW_DAYS} days.", ""))
            path = critical_path(session, plan)
            if path:
                chain = " → ".join(line(title) for title in path)
                para(
                    ("Critical path: ", "b"),
                    (f"{chain} (must start by {iso(critical_start(plan))})", ""),
                )
            if plan.working_days:
                para(("Durations count working days (Monday to Friday).", "i"))
    out.extend(_milestones(session, plan, today))

    # --- 4. pilots ----------------------------------------------------------------------------
    out.append(Heading(2, STEP_TITLES["pilots"]))
    if not session.pilots:
        para(("No pilots yet.", ""))
    for index, pilot in enumerate(session.pilots):
        check(index)
        out.append(Heading(3, line(pilot.name) or "Unnamed pilot"))
        fields = [
            ("Hypothesis", "\n".join(lines(pilot.hypothesis))),
            ("Tests", "; ".join(line(t) for t in pilot_tests(session, pilot))),
            ("Outcome", line(pilot_outcome(session, pilot))),
            ("Owner", line(pilot.owner)),
            ("Window", window(pilot.start, pilot.end)),
            ("Success rule", "\n".join(lines(pilot.success_rule))),
            ("Status", words(pilot.status)),
            ("Result", "\n".join(lines(pilot.result))),
            ("Decision", words(pilot.decision)),
        ]
        for label, value in fields:
            if value:
                para((f"{label}: ", "b"), (value, ""), depth=1)

    # --- owners and their load (the Markdown's words: export/owners.py) ----------------------
    out.append(Heading(2, owners_section.TITLE))
    loads = known.owner_loads
    if not loads:
        para((owners_section.EMPTY, ""))
    else:
        para((owners_section.about(known.limits), ""))
        table = Table(owners_section.HEADER, owners_section.RIGHT)
        table.rows.extend(owners_section.table_rows(loads, known.limits, line, " (not listed)"))
        out.append(table)
        para((owners_section.ITEMS_INTRO, ""))
        for index, load in enumerate(loads):
            check(index)
            para(
                (f"{line(load.name)}: ", "b"), (owners_section.open_items(load, line), ""), depth=1
            )

    # --- plan health -------------------------------------------------------------------------
    findings = known.findings
    out.append(Heading(2, "Plan health"))
    para((health_summary(findings), ""))
    for index, finding in enumerate(findings):
        check(index)
        para(
            (finding.severity.capitalize(), "b"),
            (f" ({finding_step(finding.step)}): {line(finding.message)} ", ""),
            ("Fix:", "i"),
            (f" {line(finding.fix)}", ""),
            depth=1,
        )

    # --- tracking -----------------------------------------------------------------------------
    out.append(Heading(2, "Check-ins"))
    if session.checkins:
        table = Table(("Date", "Confidence", "Values", "Note"), (False,) * 4)
        for index, checkin in enumerate(by_date(session.checkins)):
            check(index)
            table.rows.append(
                (
                    iso(checkin.date),
                    words(checkin.confidence),
                    line(checkin_values(session, checkin.values)),
                    line(checkin.note),
                )
            )
        out.append(table)
    else:
        para(("No check-ins yet.", ""))

    out.append(Heading(2, "Adjustments"))
    if session.adjustments:
        table = Table(("Date", "What", "Why"), (False,) * 3)
        for adjustment in by_date(session.adjustments):
            table.rows.append((iso(adjustment.date), line(adjustment.what), line(adjustment.why)))
        out.append(table)
    else:
        para(("No adjustments yet.", ""))
    if session.reports:  # the progress report (core.report): when the last one was made
        last = session.reports[-1]
        by = f" by {line(last.by)}" if line(last.by) else ""
        para((f"Last progress report: {iso(last.made)}{by}.", ""))

    out += _people(session, today)

    out.append(Heading(2, "Parking lot"))
    parked = [p for p in map(line, session.facilitation.parking_lot) if p]
    for item in parked:
        para((item, ""), depth=1)
    if not parked:
        para(("The parking lot is empty.", ""))

    out.append(Rule())
    para((f"Exported by backplan on {iso(today)}.", "i"))
    return out


def _milestones(session: Session, plan: Schedule, today: date) -> list[Block]:
    """The "Milestones" table, as the Markdown export writes it; nothing without one."""
    from backplan_tui.core.milestones import summary_rows, targets_text

    found = summary_rows(session, plan, today)
    if not found:
        return []
    table = Table(("Date", "Milestone", "Targets", "Status"), (False, False, False, False))
    for row, note in found:
        table.rows.append(
            (
                iso(row.when) or "not dated",
                line(row.node.title) or "Untitled",
                line(targets_text(row)),
                line(note),
            )
        )
    return [Heading(3, "Milestones"), table]


def _people(session: Session, today: date) -> list[Block]:
    """The stakeholders and the communication plan, as the Markdown export has them."""
    if not people.has_any(session):
        return []
    out: list[Block] = [Heading(2, people.TITLE)]
    if session.stakeholders:
        header = people.STAKEHOLDER_HEADER
        out.append(Table(header, (False,) * len(header), people.stakeholder_rows(session)))
    else:
        out.append(Para((("No stakeholders yet.", ""),)))
    rows = people.communication_rows(session, today)
    if rows:
        columns = people.COMMUNICATION_HEADER
        out.append(Table(columns, (False,) * len(columns), [row.cells() for row in rows]))
    else:
        out.append(Para((("No communication planned yet.", ""),)))
    return out


def _node(
    node: MapNode,
    depth: int,
    level: int,
    scheduled: NodeSchedule | None = None,
    critical: bool = False,
) -> Para:
    """A map node as a bullet at list ``depth`` (1 = top level), its notes under it;
    ``level`` is its distance from the goal, written out past the deepest indent (as the
    Markdown export does)."""
    title = line(node.title)
    facts = "; ".join(node_facts(node, scheduled, critical))
    marker = f"(level {level}) " if depth > MAX_LIST_DEPTH else ""
    notes = "\n".join(lines(node.notes))
    spans: list[Span] = [
        (marker, ""),
        (title, "") if title else ("Untitled", "i"),
        (f" ({facts})", ""),
    ]
    if notes:
        spans.append(("\n" + notes, ""))
    return Para(tuple(s for s in spans if s[0]), min(depth, MAX_LIST_DEPTH))
