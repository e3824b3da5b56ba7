"""iCalendar export (RFC 5545): the plan's dates as all-day events, written with ``icalendar``.

- the goal's target date (``UID: <session id>@backplan``);
- each reverse-map node with a due date, on that day;
- each pilot over its window: ``DTSTART`` is its first day and ``DTEND`` the day after its
  last (all-day ends are exclusive); a pilot with only a start or only an end is one day.

Stable UIDs (``<session id>-<item id>@backplan``) and ``SEQUENCE`` = the session's revision
let a calendar that imports the file again update its events instead of duplicating them.
``DTSTAMP`` is the session's last update, not the clock, so the same session always gives the
same bytes.  Events are transparent (they do not block time); a dropped map node is
``STATUS:CANCELLED`` so that re-importing removes it from view.  All text is escaped by the
library (``,`` ``;`` ``\\`` and line breaks); control characters never get that far.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from icalendar import Calendar, Event

from backplan_tui.core.export.actions import MAP, Action, actions
from backplan_tui.core.export.text import iso, line, lines, words
from backplan_tui.core.model import Session

PRODID = "-//backplan//EN"


def uid(session: Session, item_id: str | None = None) -> str:
    """The stable UID of an item's event (of the goal's when ``item_id`` is None)."""
    if item_id is None:
        return f"{line(session.id)}@backplan"
    return f"{line(session.id)}-{line(item_id)}@backplan"


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
    event.add("summary", summary)
    if description:
        event.add("description", "\n".join(description))
    event.add("categories", categories)
    event.add("transp", "TRANSPARENT")
    return event


def _plan(session: Session) -> str:
    title = line(session.title) or "Untitled session"
    return f"Plan: {title}"


def _action_event(session: Session, action: Action) -> Event | None:
    if action.kind == MAP:
        if action.due is None:
            return None
        first = last = action.due
        summary = action.title or f"Untitled map item {action.id}"
        description = [f"Due date of a reverse-map item. {_plan(session)}"]
        if action.start is not None:
            description.append(f"Latest start: {iso(action.start)}")
        category = "Reverse map"
    else:
        if action.start is None and action.due is None:
            return None
        if action.start is not None and action.due is not None and action.due >= action.start:
            first, last = action.start, action.due
        else:
            first = last = action.start or action.due  # type: ignore[assignment]
        summary = action.title or f"Unnamed pilot {action.id}"
        description = [f"Pilot. {_plan(session)}"]
        pilot = next((p for p in session.pilots if line(p.id) == action.id), None)
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


def calendar(session: Session, today: date) -> Calendar:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", line(session.title) or "Untitled session")
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
    for action in actions(session, today):
        event = _action_event(session, action)
        if event is not None:
            cal.add_component(event)
    return cal


def render(session: Session, today: date) -> str:
    return calendar(session, today).to_ical().decode("utf-8")
