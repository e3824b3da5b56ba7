"""JSON export: the full session, in the codec's key order, dates as ISO 8601 strings, then
what backplan computes from it under one last key, ``"computed"``.

``codec.to_dict`` gives the same keys, order and values as the session file; dates become
"YYYY-MM-DD" and UTC datetimes "YYYY-MM-DDTHH:MM:SSZ".  Non-ASCII text is kept readable, but
DEL and the C1 control characters (which some terminals obey) are written as ``\\u`` escapes
so the output is always safe to print.

``"computed"`` (see :func:`computed`) holds the backward schedule as of ``today`` (each map
node's latest start, due date, slack, flags and whether it is late or on the critical path;
the critical path and the date it must start by; what to start now; the earliest start) and
each pilot's design flags, each milestone (its date, targets and, where it is an outcome's
next milestone, the verdict of ``core.milestones``), and each owner's items and load with the
limits in force (``export.owners``), so that a consumer need not recompute them.  It is
derived data,
not part of the session: :func:`load` drops it, and so must any importer.  The shape of the
whole export is published as a JSON Schema in ``docs/export.schema.json``.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, time
from typing import TYPE_CHECKING, Any

from backplan_tui.core import codec, schedule, stakeholders
from backplan_tui.core.export import owners as owners_section
from backplan_tui.core.model import Session
from backplan_tui.core.textclean import clean_line

if TYPE_CHECKING:
    from backplan_tui.core.export.facts import PlanFacts

COMPUTED = "computed"  # the top-level key of the derived data; never imported
COMPUTED_ABOUT = (
    "Computed by backplan from the session above, as of the date in as_of. "
    "Derived data, not part of the session: ignored on import."
)

_UNSAFE = re.compile(r"[\x7f-\x9f\u2028\u2029]")


def _escape(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def jsonable(value: Any) -> Any:
    """``value`` with dates, datetimes and times as ISO strings (recursively)."""
    if isinstance(value, dict):
        return {str(key): jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(item) for item in value]
    if isinstance(value, datetime):  # before date: a datetime is a date
        if value.tzinfo is not None and value.utcoffset() == UTC.utcoffset(None):
            return value.replace(tzinfo=None).isoformat() + "Z"
        return value.isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    if value is None or isinstance(value, str | int | float | bool):
        return value
    raise ValueError(f"cannot export a value of type {type(value).__name__} as JSON")


def dumps(value: Any) -> str:
    """``value`` as indented JSON, safe to print, with a final newline (NaN/inf refused)."""
    text = json.dumps(
        jsonable(value), indent=2, ensure_ascii=False, allow_nan=False, sort_keys=False
    )
    return _UNSAFE.sub(_escape, text) + "\n"


def computed(session: Session, today: date, facts: PlanFacts | None = None) -> dict[str, Any]:
    """The derived facts of ``session`` on ``today`` (the value of the ``"computed"`` key).

    Dates are ``date`` objects (``dumps`` writes them as ISO strings) or None (null) when
    unknown: without a target date the schedule is not ``ready``, ``reason`` says why and its
    lists are empty.  Ids are written as in the session data.  A node's ``flags`` are
    ``schedule.FLAGS`` in their order; ``late`` is true when it should have started or is
    overdue.  A pilot's ``flags`` are the coach's labels for what keeps it from being a
    small, testable experiment.
    """
    if facts is None:
        from backplan_tui.core.export.facts import of  # the coach, only when exporting

        facts = of(session, today)
    plan = facts.plan
    critical = set(plan.critical_path)
    nodes = [
        {
            "id": clean_line(node_id),
            "latest_start": ns.start,
            "due": ns.due,
            "slack_days": ns.slack_days,
            "depth": ns.depth,
            "duration_days": ns.duration_days,
            "pinned": ns.pinned,
            "settled": ns.settled,
            "late": ns.late,
            "critical": node_id in critical,
            "flags": [flag for flag in schedule.FLAGS if flag in ns.flags],
        }
        for node_id, ns in plan.nodes.items()
    ]
    pilot_flags = facts.pilot_flags
    return {
        "about": COMPUTED_ABOUT,
        "as_of": today,
        "schedule": {
            "ready": plan.ready,
            "reason": plan.reason,
            "target_date": plan.target_date,
            "working_days": plan.working_days,
            "critical_path": [clean_line(k) for k in plan.critical_path],
            "critical_start": plan.critical_start,
            "start_now": [clean_line(k) for k in plan.start_now],
            "start_now_days": schedule.START_NOW_DAYS,
            "earliest_start": plan.earliest_start,
            "late": [clean_line(k) for k in plan.late()],
            "nodes": nodes,
        },
        "pilots": [
            {"id": clean_line(pilot.id), "flags": list(pilot_flags.get(pilot.id, []))}
            for pilot in session.pilots
        ],
        "milestones": milestones_computed(session, today, plan),
        "owners": owners_section.computed(facts.owner_loads, facts.limits),
        **_people(session, today),
    }


def _people(session: Session, today: date) -> dict[str, Any]:
    """``computed.communications`` (each dated one: days left, due, overdue) and
    ``computed.stakeholders`` (grid, planned communications); absent when there are none."""
    if not (session.stakeholders or session.communications):
        return {}
    return {
        "communications": [
            {
                "id": clean_line(c.id),
                "next": c.next,
                "days_left": (c.next - today).days,
                "due": (c.next - today).days <= stakeholders.DUE_DAYS,
                "overdue": c.next < today,
            }
            for c in session.communications
            if c.next is not None
        ],
        "stakeholders": [
            {
                "id": clean_line(k.id),
                "grid": stakeholders.quadrant(k),
                "planned": [clean_line(c.id) for c in stakeholders.planned_for(session, k.id)],
            }
            for k in session.stakeholders
        ],
    }


def milestones_computed(
    session: Session, today: date, plan: schedule.Schedule
) -> list[dict[str, Any]]:
    """Each milestone (``core.milestones.rows``: by date) with its date (null: none yet) and
    its targets of existing outcomes; then, for each outcome a milestone targets, the next
    milestone's verdict on ``today``."""
    from backplan_tui.core import milestones

    checks = {c.outcome.id: c for c in milestones.check_all(session, plan, today)}
    found = []
    for row in milestones.rows(session, plan):
        verdicts = {}
        for outcome, _ in row.targets:
            check = checks[outcome.id]
            if check.next is not None and check.next.node_id == row.node.id:
                verdicts[clean_line(outcome.id)] = check.verdict
        found.append(
            {
                "id": clean_line(row.node.id),
                "date": row.when,
                "targets": {clean_line(o.id): value for o, value in row.targets},
                "next_for": verdicts,
            }
        )
    return found


def render(session: Session, today: date, facts: PlanFacts | None = None) -> str:
    data = codec.to_dict(session)
    data.pop(COMPUTED, None)  # an unknown key of that name (a hand-edited file) is replaced
    data[COMPUTED] = computed(session, today, facts)
    return dumps(data)


# --- reading the export back --------------------------------------------------------------------

# Where the session schema holds dates ("date") and UTC datetimes ("datetime"); "*" is each
# item of an array of tables, "%" each value of a table (a report mark's due dates by node id).
# Everything else is kept as JSON gave it.
_DATE_FIELDS: dict[tuple[str, ...], str] = {
    ("created",): "datetime",
    ("updated",): "datetime",
    ("future_state", "target_date"): "date",
    ("future_state", "outcomes", "*", "due"): "date",
    ("map", "*", "pinned_due"): "date",
    ("pilots", "*", "start"): "date",
    ("pilots", "*", "end"): "date",
    ("checkins", "*", "date"): "date",
    ("adjustments", "*", "date"): "date",
    ("reports", "*", "made"): "date",
    ("reports", "*", "due", "%"): "date",
    ("communications", "*", "next"): "date",
}


def _parse_when(value: Any, kind: str) -> Any:
    """An ISO string back to a date/datetime; anything else is left for the codec to refuse."""
    if not isinstance(value, str):
        return value
    try:
        if kind == "date":
            return date.fromisoformat(value)
        return datetime.fromisoformat(value)
    except ValueError:
        return value


def _restore(data: Any, path: tuple[str, ...], kind: str) -> None:
    if not path or not isinstance(data, dict | list):
        return
    head, rest = path[0], path[1:]
    if head == "*":
        for item in data if isinstance(data, list) else []:
            _restore(item, rest, kind)
        return
    if head == "%":
        for key in list(data) if isinstance(data, dict) else []:
            if rest:
                _restore(data[key], rest, kind)
            else:
                data[key] = _parse_when(data[key], kind)
        return
    if not isinstance(data, dict) or head not in data:
        return
    if rest:
        _restore(data[head], rest, kind)
    else:
        data[head] = _parse_when(data[head], kind)


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not allowed (numbers must be finite)")


def load(text: str, source: str = "") -> Session:
    """A session from this module's JSON (the inverse of :func:`render`).

    Dates and datetimes of the schema are parsed back from their ISO strings, then the data
    goes through ``codec.from_dict``, which validates every field as for a session file.
    Values in unknown (extra) keys stay as JSON gave them: a date there comes back as text.
    The ``"computed"`` key is derived data and is dropped, whatever it holds.
    Raises ``codec.CodecError`` for bad JSON or data that is not a valid session.
    """
    try:
        data = json.loads(text, parse_constant=_refuse_constant)
    except ValueError as err:  # json.JSONDecodeError is a ValueError
        raise codec.CodecError("(json)", str(err), source) from None
    if isinstance(data, dict):
        data.pop(COMPUTED, None)
    for path, kind in _DATE_FIELDS.items():
        _restore(data, path, kind)
    return codec.from_dict(data, source)
