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
