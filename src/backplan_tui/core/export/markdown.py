r"""Markdown export: the canonical human summary of a session (also shown on the Summary screen).

All user text is escaped so that it renders as literal text in CommonMark and in GFM-like
renderers (tables, strikethrough, linkify), and escaped only where a character could mean
something, so the file still reads well as plain text (``12-month retention (78% today).``
stays as it is).  A backslash (CommonMark allows one before any ASCII punctuation) goes
before:

- anywhere: ``\`` `` ` `` ``*`` ``_`` ``[`` ``]`` ``<`` ``|`` ``~`` (escapes, code, emphasis,
  links and images, autolinks and HTML, table cells, strikethrough), ``@`` (e-mail links,
  mentions), ``&`` when it would start an entity (``&amp;``), and for linkify the ``:`` and
  ``/`` of ``://`` and ``//`` and a dot between a letter or digit and a letter
  (``http\:\//x``, ``www\.example\.com``; a decimal ``3.5`` and a full stop stay as they are);
- at the start of a value and of each of its lines (where it may start a line of the file):
  ``#`` ``>`` ``+`` ``-`` ``=`` (heading, quote, list, setext underline, thematic break),
  a ``:`` before a ``-`` (``:-`` under a line is a one-column table's delimiter row in
  GFM) and the ``.`` or ``)`` after leading digits (ordered list).

E-mail addresses: cmark-gfm's autolink extension (GitHub, GitLab) links ``ann@example.com``
after the inline parse, in the text with its escapes already resolved, so ``\@`` alone does
not stop it.  It needs a letter, digit or one of ``.+-_`` right before the ``@``; so an
invisible U+2060 WORD JOINER is written between such a character and the ``@``
(``ann\u2060\@example\.com``): the text reads the same, no renderer links it.

No raw HTML is ever written: table cells fold newlines to spaces.  Multi-line text keeps its
line breaks as CommonMark hard breaks (a backslash at line end).
"""

from __future__ import annotations

import re
from datetime import date

from backplan_tui.core.export import facts as plan_facts
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
from backplan_tui.core.model import STEP_TITLES, MapNode, Session
from backplan_tui.core.progress import describe
from backplan_tui.core.schedule import START_NOW_DAYS, NodeSchedule

# Deeper map levels are drawn at this depth (with their level written out): renderers cap
# nesting (markdown-it's default limit is 20 nested blocks).
MAX_LIST_DEPTH = 6

_ANYWHERE = re.compile(
    r"[\\`*_\[\]<|~@]"  # escapes, code, emphasis, links, HTML, cells, strike, e-mail
    r"|&(?=#?[0-9A-Za-z]+;)"  # an entity
    r"|:(?=//)|/(?=/)"  # a scheme's "://", a protocol-relative "//"
    r"|(?<=[0-9A-Za-z])\.(?=[A-Za-z])"  # a domain's dot ("3.5" and "end. Next" are left)
)
_LINE_START = re.compile(r"[#>+=-]|:(?=-)|[0-9]+(?=[.)])")
# An "@" that cmark-gfm could make the middle of an e-mail link (see the module docstring).
_EMAIL_AT = re.compile(r"(?<=[0-9A-Za-z.+_-])@")
WORD_JOINER = "\u2060"


def _escape(text: str) -> str:
    """One line (trimmed, single-spaced: ``line``/``lines``) escaped where it could mean
    something (see the module docstring)."""
    text = _ANYWHERE.sub(r"\\\g<0>", _EMAIL_AT.sub(WORD_JOINER + "@", text))
    start = _LINE_START.match(text)
    if start is None:
        return text
    if start.group()[0].isdigit():  # "1. x" / "1) x": the marker after the digits
        end = start.end()
        return f"{text[:end]}\\{text[end:]}"
    return "\\" + text


def esc(value: object) -> str:
    """One line of user text, escaped to render literally (also safe in a table cell)."""
    return _escape(line(value))


def esc_block(value: object, indent: str) -> str:
    """Multi-line user text: each line escaped, joined with hard breaks, continuation lines
    indented by ``indent`` (the column of the list item they belong to)."""
    return ("\\\n" + indent).join(_escape(part) for part in lines(value))


def render(session: Session, today: date, facts: plan_facts.PlanFacts | None = None) -> str:
    """The Markdown summary; ``facts`` (the schedule and the findings) is computed when not
    given (the HTML export passes its own, so they are computed once)."""
    if facts is None:
        facts = plan_facts.of(session, today)
    out: list[str] = []
    fs = session.future_state

    out.append(f"# {esc(session.title) or 'Untitled session'}")
    out.append("")
    header = [
        ("Team", esc(session.team)),
        ("Facilitator", esc(session.facilitator)),
        ("Participants", ", ".join(e for e in map(esc, session.participants) if e)),
        ("Step reached", esc(STEP_TITLES.get(session.current_step, session.current_step))),
        ("Updated", stamp(session.updated)),
    ]
    out.extend(f"- **{label}:** {value}" for label, value in header if value)

    waiting = conflicts(session)  # left by a merge: first, so that the room settles them
    if waiting:
        out += ["", f"## {CONFLICTS_TITLE}", "", CONFLICTS_INTRO, ""]
        for what, field, mine, whose, theirs in waiting:
            out.append(
                f"- **{esc(what)}** · {esc(field)}: yours: {esc(mine)}; {esc(whose)}: {esc(theirs)}"
            )

    # --- 1. future state ----------------------------------------------------------------------
    out += ["", f"## {STEP_TITLES['future_state']}", ""]
    statement = esc_block(fs.statement, "")
    out.append(f"**Goal:** {statement}" if statement else "**Goal:** *No goal statement yet.*")
    out.append("")
    if fs.target_date is not None:
        target = f"{iso(fs.target_date)} ({relative(fs.target_date, today)})"
    else:
        target = "*not set*"
    out.append(f"- **Target date:** {target}")
    objective = esc(fs.aligned_objective)
    out.append(f"- **Aligned objective:** {objective or '*not set*'}")
    out += ["", "### Outcomes", ""]
    if fs.outcomes:
        out.append("| Metric | Unit | Baseline | Target | Direction | Due |")
        out.append("| --- | --- | ---: | ---: | --- | --- |")
        for o in fs.outcomes:
            cells = [
                esc(o.metric),
                esc(o.unit),
                number(o.baseline),
                number(o.target),
                esc(words(o.direction)),
                iso(o.due),
            ]
            out.append("| " + " | ".join(cells) + " |")
    else:
        out.append("No measurable outcomes yet.")
    if fs.outcomes and session.checkins:
        out += ["", "Progress at the latest check-in:", ""]
        out.extend(f"- {esc(describe(p))}" for p in facts.progress)

    # --- 2. tough questions -------------------------------------------------------------------
    out += ["", f"## {STEP_TITLES['questions']}", ""]
    done, total = answered(session)
    if total:
        out += [f"{done} of {total} answered.", ""]
        for q in session.questions:
            facts_text = esc(words(q.status))
            if line(q.owner):
                facts_text += f"; owner: {esc(q.owner)}"
            prompt = f"**{esc(q.prompt)}**" if esc(q.prompt) else "*No question text.*"
            answer = esc_block(q.answer, "  ") or "*No answer yet.*"
            out.append(f"- {prompt} ({facts_text})\\")
            out.append(f"  {answer}")
    else:
        out.append("No questions yet.")

    # --- 3. reverse map -----------------------------------------------------------------------
    out += ["", f"## {STEP_TITLES['reverse_map']}", ""]
    goal = esc_block(fs.statement, "  ") or esc(session.title) or "The goal"
    target_note = f" (target {iso(fs.target_date)})" if fs.target_date else ""
    out.append(f"- **Goal:** {goal}{target_note}")
    tree, detached = walk_map(session)
    if not session.map:
        out.append("  - *No map items yet.*")
    plan = facts.plan
    for node, depth in tree:
        out.extend(_node(node, depth + 1, depth, plan.get(node.id), node.id in plan.critical_path))
    if detached:
        out += ["", "Not connected to the goal:", ""]
        for node, depth in detached:
            out.extend(_node(node, depth, depth))
    if session.map:
        out += ["", "### Start now", ""]
        if not plan.ready:
            out.append(f"*{esc(plan.reason)}*")
        else:
            now = start_now(session, plan, today)
            if now:
                out += [f"Latest start within the next {START_NOW_DAYS} days, or already past:", ""]
                out.extend(f"- {esc(item)}" for item in now)
            else:
                out.append(f"Nothing has to start in the next {START_NOW_DAYS} days.")
            path = critical_path(session, plan)
            if path:
                chain = " → ".join(esc(title) for title in path)
                out += [
                    "",
                    f"**Critical path:** {chain} (must start by {iso(critical_start(plan))})",
                ]
            if plan.working_days:
                out += ["", "*Durations count working days (Monday to Friday).*"]
    out += _milestones(session, facts, today)

    # --- 4. pilots ----------------------------------------------------------------------------
    out += ["", f"## {STEP_TITLES['pilots']}", ""]
    if not session.pilots:
        out.append("No pilots yet.")
    for index, pilot in enumerate(session.pilots):
        if index:
            out.append("")
        out += [f"### {esc(pilot.name) or 'Unnamed pilot'}", ""]
        fields = [
            ("Hypothesis", esc_block(pilot.hypothesis, "  ")),
            ("Tests", "; ".join(_escape(t) for t in pilot_tests(session, pilot))),
            ("Outcome", esc(pilot_outcome(session, pilot))),
            ("Owner", esc(pilot.owner)),
            ("Window", window(pilot.start, pilot.end)),
            ("Success rule", esc_block(pilot.success_rule, "  ")),
            ("Status", esc(words(pilot.status))),
            ("Result", esc_block(pilot.result, "  ")),
            ("Decision", esc(words(pilot.decision))),
        ]
        out.extend(f"- **{label}:** {value}" for label, value in fields if value)

    # --- owners and their load (export/owners.py) ---------------------------------------------
    out += ["", f"## {owners_section.TITLE}", ""]
    out.extend(owners_section.markdown(facts.owner_loads, facts.limits, esc))

    # --- plan health -------------------------------------------------------------------------
    findings = facts.findings
    out += ["", "## Plan health", "", health_summary(findings)]
    if findings:
        out.append("")
    for finding in findings:
        out.append(
            f"- **{finding.severity.capitalize()}** ({finding_step(finding.step)}): "
            f"{esc(finding.message)} *Fix:* {esc(finding.fix)}"
        )

    # --- tracking -----------------------------------------------------------------------------
    out += ["", "## Check-ins", ""]
    if session.checkins:
        out.append("| Date | Confidence | Values | Note |")
        out.append("| --- | --- | --- | --- |")
        for checkin in by_date(session.checkins):
            cells = [
                iso(checkin.date),
                esc(words(checkin.confidence)),
                esc(checkin_values(session, checkin.values)),
                esc(checkin.note),
            ]
            out.append("| " + " | ".join(cells) + " |")
    else:
        out.append("No check-ins yet.")

    out += ["", "## Adjustments", ""]
    if session.adjustments:
        out.append("| Date | What | Why |")
        out.append("| --- | --- | --- |")
        for adjustment in by_date(session.adjustments):
            cells = [iso(adjustment.date), esc(adjustment.what), esc(adjustment.why)]
            out.append("| " + " | ".join(cells) + " |")
    else:
        out.append("No adjustments yet.")
    if session.reports:  # the progress report (core.report): when the last one was made
        last = session.reports[-1]
        by = f" by {esc(last.by)}" if line(last.by) else ""
        out += ["", f"Last progress report: {iso(last.made)}{by}."]

    out += _people(session, today)

    out += ["", "## Parking lot", ""]
    parked = [e for e in map(esc, session.facilitation.parking_lot) if e]
    out.extend(f"- {item}" for item in parked)
    if not parked:
        out.append("The parking lot is empty.")

    out += ["", "---", "", f"*Exported by backplan on {iso(today)}.*"]
    return "\n".join(out) + "\n"


def _node(
    node: MapNode,
    depth: int,
    level: int,
    scheduled: NodeSchedule | None = None,
    critical: bool = False,
) -> list[str]:
    """A map node as a list item at list ``depth`` (1 = top level), with its notes below it;
    ``level`` is its distance from the goal, written out when the list depth is capped."""
    indent = "  " * (min(depth, MAX_LIST_DEPTH) - 1)
    title = esc(node.title) or "*Untitled*"
    facts = "; ".join(_escape(fact) for fact in node_facts(node, scheduled, critical))
    marker = f"(level {level}) " if depth > MAX_LIST_DEPTH else ""
    text = f"{indent}- {marker}{title} ({facts})"
    notes = esc_block(node.notes, indent + "  ")
    if notes:
        return [text + "\\", f"{indent}  {notes}"]
    return [text]


def _milestones(session: Session, facts: plan_facts.PlanFacts, today: date) -> list[str]:
    """The "Milestones" table (``core.milestones.summary_rows``); nothing without one."""
    from backplan_tui.core.milestones import summary_rows, targets_text

    found = summary_rows(session, facts.plan, today)
    if not found:
        return []
    out = ["", "### Milestones", "", "| Date | Milestone | Targets | Status |"]
    out.append("| --- | --- | --- | --- |")
    for row, note in found:
        cells = [
            iso(row.when) or "not dated",
            esc(row.node.title) or "*Untitled*",
            esc(targets_text(row)),
            esc(note),
        ]
        out.append("| " + " | ".join(cells) + " |")
    return out


def _people(session: Session, today: date) -> list[str]:
    """The stakeholders and the communication plan (only when the session has any)."""
    if not people.has_any(session):
        return []
    out = ["", f"## {people.TITLE}", ""]
    if session.stakeholders:
        out.append("| " + " | ".join(people.STAKEHOLDER_HEADER) + " |")
        out.append("|" + " --- |" * len(people.STAKEHOLDER_HEADER))
        out += ["| " + " | ".join(map(esc, row)) + " |" for row in people.stakeholder_rows(session)]
    else:
        out.append("No stakeholders yet.")
    out.append("")
    rows = people.communication_rows(session, today)
    if rows:
        out.append("| " + " | ".join(people.COMMUNICATION_HEADER) + " |")
        out.append("|" + " --- |" * len(people.COMMUNICATION_HEADER))
        out += ["| " + " | ".join(map(esc, row.cells())) + " |" for row in rows]
    else:
        out.append("No communication planned yet.")
    return out
