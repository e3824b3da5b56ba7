"""The session file's single values (``core.codec``): each read and checked, and the error
that names the field a value does not fit.

``codec`` describes the tables (its field specs) and reads and writes whole sessions; every
value in them comes through one of these readers, which check its type, its range and its
text (control characters cleaned) and raise ``CodecError`` with the field's path.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from datetime import UTC, date, datetime, time
from typing import Any

from backplan_tui.core import basics, dates
from backplan_tui.core.model import REVIEW_CADENCES, SCHEMA_VERSION
from backplan_tui.core.textclean import clean_line, clean_text

__all__ = ["MAX_INT", "MAX_TEXT_CHARS", "CodecError", "NewerSchemaError"]

MAX_INT = 2**63 - 1  # TOML integers are 64-bit
MAX_TEXT_CHARS = basics.MAX_TEXT_CHARS  # the longest string a field may hold


class CodecError(ValueError):
    """A session file (or dict) that does not fit the schema.

    ``str(e)`` is ``"<source>: <field>: <message>"``; the source part is left out when empty.
    """

    def __init__(self, field: str, message: str, source: str = "") -> None:
        self.field = field
        self.message = message
        self.source = source
        super().__init__(str(self))

    def __str__(self) -> str:
        return ": ".join(part for part in (self.source, self.field, self.message) if part)

    def _with_source(self, source: str) -> CodecError:
        if source and not self.source:
            self.source = source
            self.args = (str(self),)
        return self


class NewerSchemaError(CodecError):
    """The file was written by a newer backplan (its ``schema_version`` is too high)."""

    def __init__(self, found: int, source: str = "") -> None:
        self.found = found
        super().__init__(
            "schema_version",
            f"written by a newer backplan (schema {found}; this version reads up to "
            f"{SCHEMA_VERSION})",
            source,
        )


# --- describing bad values ------------------------------------------------------------------


def _describe(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        text = value if len(value) <= 40 else value[:37] + "..."
        return repr(text)
    if isinstance(value, datetime):
        return f"a datetime ({value.isoformat()})"
    if isinstance(value, date):
        return f"a date ({value.isoformat()})"
    if isinstance(value, time):
        return f"a time ({value.isoformat()})"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "an array"
    return type(value).__name__


def _fail(where: str, expected: str, value: Any) -> CodecError:
    return CodecError(where, f"expected {expected}, got {_describe(value)}")


_SIMPLE_KEY = re.compile(r"[A-Za-z0-9_-]+")


def _key_path(where: str, key: str) -> str:
    return f"{where}.{key}" if _SIMPLE_KEY.fullmatch(key) else f"{where}.{json.dumps(key)}"


# --- reading single values ------------------------------------------------------------------


def _read_str(value: Any, where: str) -> str:
    if not isinstance(value, str):
        raise _fail(where, "a string", value)
    if len(value) > MAX_TEXT_CHARS:
        raise CodecError(
            where, f"{len(value):,} characters is longer than the limit of {MAX_TEXT_CHARS:,}"
        )
    return value


def _read_line(value: Any, where: str) -> str:
    return clean_line(_read_str(value, where))


def _read_text(value: Any, where: str) -> str:
    return clean_text(_read_str(value, where))


def _read_int(value: Any, where: str) -> int:
    if type(value) is not int:  # bool is not an int here
        raise _fail(where, "an integer", value)
    if value < 0:
        raise CodecError(where, f"expected a number of 0 or more, got {value}")
    if value > MAX_INT:
        raise CodecError(where, f"{value} is too large")
    return value


def _read_bool(value: Any, where: str) -> bool:
    if type(value) is not bool:
        raise _fail(where, "true or false", value)
    return value


def _read_float(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _fail(where, "a number", value)
    if isinstance(value, int):
        if abs(value) > MAX_INT:
            raise CodecError(where, f"{value} is too large")
        return float(value)
    if not math.isfinite(value):
        raise CodecError(where, f"expected a finite number, got {value}")
    return value


def _check_date_range(value: date, where: str) -> None:
    problem = dates.out_of_range(value)
    if problem is not None:
        raise CodecError(where, problem)


def _read_date(value: Any, where: str) -> date:
    if not isinstance(value, date) or isinstance(value, datetime):
        raise _fail(where, "a date", value)
    _check_date_range(value, where)
    return value


def _read_datetime(value: Any, where: str) -> datetime:
    if not isinstance(value, datetime):
        raise _fail(where, "a date and time", value)
    _check_date_range(value, where)  # first: near year 1 or 9999 the conversion overflows
    if value.tzinfo is None or value.utcoffset() is None:
        return value.replace(tzinfo=UTC)
    in_utc: datetime = value.astimezone(UTC)
    _check_date_range(in_utc, where)  # 1900-01-01T00:00+01:00 is still 1899 in UTC
    return in_utc


def _read_table(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _fail(where, "a table", value)
    return value


def _read_table_list(value: Any, where: str) -> list[dict[str, Any]]:
    if not isinstance(value, list):
        raise _fail(where, "an array of tables", value)
    for i, item in enumerate(value):
        _read_table(item, f"{where}[{i}]")
    return value


def _list_of(read: Callable[[Any, str], Any]) -> Callable[[Any, str], list[Any]]:
    def read_list(value: Any, where: str) -> list[Any]:
        if not isinstance(value, list):
            raise _fail(where, "an array", value)
        return [read(item, f"{where}[{i}]") for i, item in enumerate(value)]

    return read_list


def _map_of(read: Callable[[Any, str], Any]) -> Callable[[Any, str], dict[str, Any]]:
    def read_map(value: Any, where: str) -> dict[str, Any]:
        table = _read_table(value, where)
        return {clean_line(k): read(v, _key_path(where, k)) for k, v in table.items()}

    return read_map


def _enum(choices: tuple[str, ...]) -> Callable[[Any, str], str]:
    def read_enum(value: Any, where: str) -> str:
        text = _read_str(value, where)
        if text not in choices:
            shown = ", ".join(repr(c) for c in choices)
            raise CodecError(where, f"expected one of {shown}, got {_describe(text)}")
        return text

    return read_enum


def _read_id(value: Any, where: str) -> str:
    text = _read_line(value, where)
    if not text.strip():
        raise CodecError(where, "must not be empty")
    return text


def _read_cadence(value: Any, where: str) -> str:
    """``review_cadence``: weekly, fortnightly or monthly.  Older files may hold a number of
    days instead (what the coach once read): 1-10 days reads as weekly, 11-21 as fortnightly,
    more as monthly, and is written back as that word."""
    if type(value) is int and value > 0:
        return "weekly" if value <= 10 else "fortnightly" if value <= 21 else "monthly"
    if isinstance(value, str) and value in REVIEW_CADENCES:
        return value
    shown = ", ".join(repr(c) for c in REVIEW_CADENCES)
    got = _describe(value)
    raise CodecError(where, f"expected one of {shown} (or a number of days), got {got}")


def _read_extra(value: Any) -> Any:
    """Unknown values: kept as they are, strings cleaned, ``None`` dropped."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, dict):
        return {clean_line(str(k)): _read_extra(v) for k, v in value.items() if v is not None}
    if isinstance(value, (list, tuple)):
        return [_read_extra(v) for v in value if v is not None]
    if isinstance(value, datetime) and value.tzinfo is not None:
        offset = value.utcoffset()
        if offset is not None and offset.total_seconds() % 60:
            return value.astimezone(UTC)  # TOML offsets are whole minutes
    return value
