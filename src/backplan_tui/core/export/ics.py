"""iCalendar export (RFC 5545): the plan's dates as all-day events, written with ``icalendar``.

- the goal's target date (``UID: <session id>@backplan``);
- each reverse-map node with a due date, on that day; a *milestone* node's event is the
  milestone's (its date is the node's due date): ``SUMMARY`` "Milestone: <title>", its KPI
  targets in ``DESCRIPTION`` and the category "Milestone", with the node's UID, so a
  calendar updates the event when a condition is marked a milestone or unmarked;
- each pilot over its window: ``DTSTART`` is its first day and ``DTEND`` the day after its
  last (all-day ends are exclusive); a pilot with only a start or only an end is one day;
- each planned communication on its next date, with an ``RRULE`` for its cadence
  (``recurrence``; none for ``once``).

Stable UIDs (``<session id>-<item id>@backplan``) and ``SEQUENCE`` = the session's revision
let a calendar that imports the file again update its events instead of duplicating them.
An id is used as it is when it is short and plain (``[A-Za-z0-9][A-Za-z0-9._-]{0,59}``, as
every id the app makes); any other id (spaces, other characters, longer than 60) is replaced
by ``h~`` and 32 hex digits of the SHA-256 of the exact id.  So a UID is at most 132
characters, the same on every run, and two ids that differ in any way (even only in spacing)
never share one: a plain id cannot contain ``~``, so it never looks like a hashed one.
``DTSTAMP`` is the session's last update, not the clock, so the same session always gives the
same bytes.  Events are transparent (they do not block time); a dropped map node is
``STATUS:CANCELLED`` so that re-importing removes it from view.

Every TEXT property (RFC 5545 section 3.3.11: ``X-WR-CALNAME``, ``SUMMARY``,
``DESCRIPTION``, ``CATEGORIES``) is written as ``icalendar``'s ``vText``, which escapes
``\\`` ``;`` ``,`` and line breaks; ``icalendar`` does not know ``X-WR-CALNAME`` and would
write a plain string there as it is, so it is wrapped by hand.  Control characters never get
that far.
"""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, date, datetime, timedelta
from typing import Any

from icalendar import Calendar, Event, vText

from backplan_tui.core import stakeholders
from backplan_tui.core.export.actions import MAP, Action
from backplan_tui.core.export.common import iso, line, lines, words
from backplan_tui.core.export.facts import PlanFacts, of
from backplan_tui.core.model import Session
from backplan_tui.core.textclean import clean_line

PRODID = "-//backplan//EN"

# An id used in a UID as it is; any other is hashed (see the module docstring).
PLAIN_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,59}")


def uid_part(item_id: str) -> str:
    """``item_id`` itself when it is plain and short, else ``h~`` + 32 hex digits of its
    SHA-256 (the exact id, spacing included)."""
    if PLAIN_ID.fullmatch(item_id):
        return item_id
    digest = hashlib.sha256(item_id.encode("utf-8", "surrogatepass")).hexdigest()
    return f"h~{digest[:32]}"


def uid(session: Session, item_id: str | None = None) -> str:
    """The stable UID of an item's event (of the goal's when ``item_id`` is None)."""
    if item_id is None:
        return f"{uid_part(session.id)}@backplan"
    return f"{uid_part(session.id)}-{uid_part(item_id)}@backplan"


def _stamp(session: Session) -> datetime:
    updated = session.updated
    if updated.tzinfo is None or updated.utcoffset() is None:
        updated = updated.replace(tzinfo=UTC)
    return updated.astimezone(UTC).replace(microsecond=0)


def _next_day(day: date) -> date:
    try:
        return day + timedelta(days=1)
    except OverflowError:  # 9999-12-31
        return day


def _event(
    session: Session,
    item_uid: str,
    summary: str,
    first: date,
    last: date,
    description: list[str],
    categories: list[str],
) -> Event:
    event = Event()
    event.add("uid", item_uid)
    event.add("dtstamp", _stamp(session))
    event.add("sequence", session.revision)
    event.add("dtstart", first)
    event.add("dtend", _next_day(last))
    event.add("summary", vText(summary))
    if description:
        event.add("description", vText("\n".join(description)))
    event.add("categories", [vText(category) for category in categories])
    event.add("transp", "TRANSPARENT")
    return event


def _plan(session: Session) -> str:
    title = line(session.title) or "Untitled session"
    return f"Plan: {title}"


def _milestone_targets(session: Session) -> dict[str, str]:
    """Each milestone node's id (as its action names it) -> its KPI targets in one line
    ("Retention 82%; Attrition 10%"); the first node of an id."""
    from backplan_tui.core.milestones import MilestoneRow, targets_text

    outcomes = session.future_state.outcomes
    found: dict[str, str] = {}
    for node in session.map:
        if node.milestone and clean_line(node.id) not in found:
            pairs = tuple((o, node.targets[o.id]) for o in outcomes if o.id in node.targets)
            found[clean_line(node.id)] = line(targets_text(MilestoneRow(node, None, pairs)))
    return found


def _action_event(
    session: Session, action: Action, milestones: dict[str, str] | None = None
) -> Event | None:
    if action.kind == MAP:
        if action.due is None:
            return None
        first = last = action.due
        summary = action.title or f"Untitled map item {line(action.id)}"
        description = [f"Due date of a reverse-map item. {_plan(session)}"]
        if action.start is not None:
            description.append(f"Latest start: {iso(action.start)}")
        category = "Reverse map"
        targets = (milestones or {}).get(action.id)
        if targets is not None:
            summary = f"Milestone: {summary}"
            description[0] = f"Milestone of the reverse map. {_plan(session)}"
            description.append(f"Targets by then: {targets}")
            category = "Milestone"
    else:
        if action.start is None and action.due is None:
            return None
        if action.start is not None and action.due is not None and action.due >= action.start:
            first, last = action.start, action.due
        else:
            first = last = action.start or action.due  # type: ignore[assignment]
        summary = action.title or f"Unnamed pilot {line(action.id)}"
        description = [f"Pilot. {_plan(session)}"]
        pilot = next((p for p in session.pilots if clean_line(p.id) == action.id), None)
        if pilot is not None:
            hypothesis = " ".join(lines(pilot.hypothesis))
            rule = " ".join(lines(pilot.success_rule))
            if hypothesis:
                description.append(f"Hypothesis: {hypothesis}")
            if rule:
                description.append(f"Success rule: {rule}")
        category = "Pilot"
    if action.owner:
        description.append(f"Owner: {action.owner}")
    description.append(f"Status: {words(action.status)}")
    event = _event(
        session,
        uid(session, action.id),
        summary,
        first,
        last,
        description,
        ["backplan", category],
    )
    if action.kind == MAP and action.status == "dropped":
        event.add("status", "CANCELLED")
    return event


def calendar(session: Session, today: date, facts: PlanFacts | None = None) -> Calendar:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    # icalendar writes an X- property it does not know as it is: vText escapes it as TEXT.
    cal.add("x-wr-calname", vText(line(session.title) or "Untitled session"))
    fs = session.future_state
    if fs.target_date is not None:
        goal = " / ".join(lines(fs.statement))
        cal.add_component(
            _event(
                session,
                uid(session),
                f"Goal: {line(session.title) or 'Untitled session'}",
                fs.target_date,
                fs.target_date,
                [goal] if goal else [],
                ["backplan", "Goal"],
            )
        )
    milestones = _milestone_targets(session)
    for action in (facts if facts is not None else of(session, today)).actions:
        event = _action_event(session, action, milestones)
        if event is not None:
            cal.add_component(event)
    for event in _communication_events(session):
        cal.add_component(event)
    return cal


def recurrence(cadence: str, first: date) -> dict[str, Any] | None:
    """The RRULE of a cadence, from ``first`` (None for ``once``): weekly, every 2 weeks, or
    every 1 or 3 months on ``first``'s day clamped to the month's end, as
    ``stakeholders.next_after`` counts (a day after the 28th: the last of the days 28 .. that
    day the month has, ``BYSETPOS=-1``)."""
    if cadence == "weekly":
        return {"freq": "WEEKLY"}
    if cadence == "fortnightly":
        return {"freq": "WEEKLY", "interval": 2}
    if cadence not in ("monthly", "quarterly"):
        return None
    rule: dict[str, Any] = {"freq": "MONTHLY"}
    if cadence == "quarterly":
        rule["interval"] = 3
    if first.day > 28:
        rule["bymonthday"] = list(range(28, first.day + 1))
        rule["bysetpos"] = -1
    return rule


def _communication_events(session: Session) -> list[Event]:
    """The next date of each planned communication, repeating at its cadence."""
    events = []
    for comm in session.communications:
        if comm.next is None:
            continue
        audience = [line(name) for name in stakeholders.audience_names(session, comm)]
        what = " ".join(lines(comm.what)) or f"Communication {line(comm.id)}"
        description = [f"Communication plan. {_plan(session)}"]
        if audience:
            description.append(f"To: {', '.join(audience)}")
        if comm.channel:
            description.append(f"Channel: {line(comm.channel)}")
        description.append(f"Cadence: {comm.cadence}")
        if comm.owner:
            description.append(f"Owner: {line(comm.owner)}")
        event = _event(
            session,
            uid(session, comm.id),
            what,
            comm.next,
            comm.next,
            description,
            ["backplan", "Communication"],
        )
        rule = recurrence(comm.cadence, comm.next)
        if rule is not None:
            event.add("rrule", rule)
        events.append(event)
    return events


def render(session: Session, today: date, facts: PlanFacts | None = None) -> str:
    text: str = calendar(session, today, facts).to_ical().decode("utf-8")
    return text
