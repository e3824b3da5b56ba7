"""The dates a session may hold, and date arithmetic that cannot overflow.  No Textual.

Every date in a session lies in the years ``basics.MIN_YEAR`` to ``basics.MAX_YEAR``: the
codec refuses a file with another date, the forms and the command line refuse typing one.
``add_days`` and ``add_months`` never raise: a result beyond what ``date`` can hold is
clamped to ``date.min`` or ``date.max``.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta

from backplan_tui.core.basics import MAX_YEAR, MIN_YEAR

__all__ = ["MAX_DATE", "MIN_DATE", "add_days", "add_months", "out_of_range", "parse_date"]

MIN_DATE = date(MIN_YEAR, 1, 1)
MAX_DATE = date(MAX_YEAR, 12, 31)
RANGE_TEXT = f"between {MIN_DATE.isoformat()} and {MAX_DATE.isoformat()}"


def out_of_range(value: date) -> str | None:
    """``None`` for a date a session may hold, else the problem in a few words.

    Takes a ``datetime`` too (its day is what counts)."""
    if MIN_YEAR <= value.year <= MAX_YEAR:
        return None
    return f"{value.isoformat()} is out of range (a date must be {RANGE_TEXT})"


def parse_date(text: str) -> date:
    """A ``YYYY-MM-DD`` date a session may hold; ``ValueError`` with a readable message."""
    try:
        value = date.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"{text.strip()!r} is not a date like 2027-12-31") from None
    problem = out_of_range(value)
    if problem is not None:
        raise ValueError(problem)
    return value


def add_days(day: date, days: int) -> date:
    """``day`` plus ``days`` (negative: minus), clamped to ``date.min`` .. ``date.max``."""
    try:
        return day + timedelta(days=days)
    except OverflowError:
        return date.max if days > 0 else date.min


def add_months(day: date, months: int) -> date:
    """Same day ``months`` later, clamped to the month's end (Jan 31 + 1 = Feb 28/29), and
    to ``date.min`` .. ``date.max``."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    if year > date.max.year:
        return date.max
    if year < date.min.year:
        return date.min
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
