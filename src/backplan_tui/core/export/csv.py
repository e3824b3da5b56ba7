"""CSV export: one row per action (reverse-map nodes, then pilots), for spreadsheets.

RFC 4180: a header row, comma-separated, CRLF line ends, fields quoted by the ``csv`` module
when they hold a comma, a quote or a line break.  Dates are ISO 8601 (``YYYY-MM-DD``), empty
when unknown.  ``votes`` is the total of the item's dot votes.

Formula injection (OWASP "CSV Injection"): a spreadsheet runs a cell that starts with ``=``,
``+``, ``-`` or ``@`` (and some also after a tab or carriage return) as a formula, so such a
cell is written with a single quote in front (``'=cmd|...``), which makes it plain text.
No byte-order mark is written: the output is plain UTF-8 text.
"""

from __future__ import annotations

import csv
import io
from datetime import date

from backplan_tui.core.export.actions import actions
from backplan_tui.core.export.text import iso
from backplan_tui.core.model import Session

HEADER = ("kind", "id", "title", "owner", "start", "due", "status", "votes")

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: str) -> str:
    """``value`` with a leading ``'`` when a spreadsheet would read it as a formula."""
    return "'" + value if value.startswith(FORMULA_PREFIXES) else value


def rows(session: Session, today: date) -> list[list[str]]:
    """The rows of the export, header first, every cell a (formula-safe) string."""
    out = [list(HEADER)]
    for action in actions(session, today):
        cells = [
            action.kind,
            action.id,
            action.title,
            action.owner,
            iso(action.start),
            iso(action.due),
            action.status,
            str(action.votes),
        ]
        out.append([safe_cell(cell) for cell in cells])
    return out


def render(session: Session, today: date) -> str:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, dialect="excel", lineterminator="\r\n")
    writer.writerows(rows(session, today))
    return buffer.getvalue()
