"""JSON export: the full session, in the codec's key order, dates as ISO 8601 strings.

``codec.to_dict`` gives the same keys, order and values as the session file; dates become
"YYYY-MM-DD" and UTC datetimes "YYYY-MM-DDTHH:MM:SSZ".  Non-ASCII text is kept readable, but
DEL and the C1 control characters (which some terminals obey) are written as ``\\u`` escapes
so the output is always safe to print.  ``today`` is not used: the export is the data itself.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, time
from typing import Any

from backplan_tui.core import codec
from backplan_tui.core.model import Session

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


def render(session: Session, today: date) -> str:
    return dumps(codec.to_dict(session))


# --- reading the export back --------------------------------------------------------------------

# Where the session schema holds dates ("date") and UTC datetimes ("datetime"); "*" is each
# item of an array of tables.  Everything else is kept as JSON gave it.
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
    Raises ``codec.CodecError`` for bad JSON or data that is not a valid session.
    """
    try:
        data = json.loads(text, parse_constant=_refuse_constant)
    except ValueError as err:  # json.JSONDecodeError is a ValueError
        raise codec.CodecError("(json)", str(err), source) from None
    for path, kind in _DATE_FIELDS.items():
        _restore(data, path, kind)
    return codec.from_dict(data, source)
