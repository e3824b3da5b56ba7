"""CSV export: one row per action (reverse-map nodes, then pilots), for spreadsheets; then
one per stakeholder (``kind`` "stakeholder": the title is the name and role, the status the
stance) and per line of the communication plan (``kind`` "communication": the title says
what and to whom, ``due`` is the next date and the status the cadence).

RFC 4180: a header row, comma-separated, CRLF line ends, fields quoted by the ``csv`` module
when they hold a comma, a quote or a line break.  Dates are ISO 8601 (``YYYY-MM-DD``), empty
when unknown.  ``votes`` is the total of the item's dot votes.  ``id`` is the item's exact id
(spacing kept) and ``parent_id`` the exact id of the map node it enables: empty for a node
that enables the goal directly, and for pilots; so the map's tree can be rebuilt from the rows.
``milestone`` is ``yes`` for a map node marked a milestone, and ``targets`` its KPI targets
on its date (its ``due``) as ``outcome id=value`` pairs joined by ``; `` in outcome order.
``owner_at_once`` is the most of the owner's open items running on one of this item's days,
itself included (``core.owners``; empty when it runs no day), and ``owner_capacity_hours``
the owner's weekly hours from the owner list (empty when not given).

Formula injection (OWASP "CSV Injection"): a spreadsheet runs a cell that starts with ``=``,
``+``, ``-`` or ``@`` (and some also after a tab or carriage return) as a formula, so such a
cell is written with a single quote in front (``'=cmd|...``), which makes it plain text.

The text starts with a byte-order mark (U+FEFF): Excel reads a CSV file without one in the
computer's ANSI code page, which garbles every non-ASCII name; with it, Excel, LibreOffice,
pandas and Python's ``encoding="utf-8-sig"`` all read UTF-8.
"""

from __future__ import annotations

import csv
import io
from datetime import date

from backplan_tui.core import stakeholders
from backplan_tui.core.export import owners as owners_section
from backplan_tui.core.export.common import iso, line
from backplan_tui.core.export.facts import PlanFacts, of
from backplan_tui.core.model import Session
from backplan_tui.core.progress import format_number
from backplan_tui.core.textclean import clean_line

STAKEHOLDER = "stakeholder"
COMMUNICATION = "communication"
HEADER = (
    "kind",
    "id",
    "parent_id",
    "title",
    "owner",
    "start",
    "due",
    "status",
    "votes",
    "milestone",
    "targets",
    "owner_at_once",
    "owner_capacity_hours",
)
BOM = "\ufeff"

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: str) -> str:
    """``value`` with a leading ``'`` when a spreadsheet would read it as a formula."""
    return "'" + value if value.startswith(FORMULA_PREFIXES) else value


def rows(session: Session, today: date, facts: PlanFacts | None = None) -> list[list[str]]:
    """The rows of the export, header first, every cell a (formula-safe) string."""
    out = [list(HEADER)]
    milestones = _milestones(session)
    facts = facts if facts is not None else of(session, today)
    load = owners_section.csv_columns(facts.owner_loads)
    for action in facts.actions:
        cells = [
            action.kind,
            action.id,
            action.parent,
            action.title,
            action.owner,
            iso(action.start),
            iso(action.due),
            action.status,
            str(action.votes),
            *milestones.get((action.kind, action.id), ("", "")),
            *load.get((action.kind, action.id), ("", "")),
        ]
        out.append([safe_cell(cell) for cell in cells])
    out += [[safe_cell(cell) for cell in cells] for cells in _people(session)]
    return out


def _people(session: Session) -> list[list[str]]:
    """A row per stakeholder (title: name and role; status: stance) and per communication
    (title: what, and to whom; owner; due: the next date; status: cadence)."""
    out = []
    for k in session.stakeholders:
        title = line(k.name) + (f" ({line(k.role)})" if line(k.role) else "")
        out.append([STAKEHOLDER, clean_line(k.id), "", title, "", "", "", k.stance, "0"])
    for c in session.communications:
        names = ", ".join(line(n) for n in stakeholders.audience_names(session, c))
        title = line(c.what) + (f" (to {names})" if names else "")
        out.append(
            [
                COMMUNICATION,
                clean_line(c.id),
                "",
                title,
                line(c.owner),
                "",
                iso(c.next),
                c.cadence,
                "0",
            ]
        )
    return out


def _milestones(session: Session) -> dict[tuple[str, str], tuple[str, str]]:
    """("map", node id) -> ("yes", "o1=82; o2=10") for each milestone (first of an id)."""
    found: dict[tuple[str, str], tuple[str, str]] = {}
    for node in session.map:
        key = ("map", clean_line(node.id))  # as the action names it
        if node.milestone and key not in found:
            pairs = [
                f"{clean_line(o.id)}={format_number(node.targets[o.id])}"
                for o in session.future_state.outcomes
                if o.id in node.targets
            ]
            found[key] = ("yes", "; ".join(pairs))
    return found


def render(session: Session, today: date, facts: PlanFacts | None = None) -> str:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, dialect="excel", lineterminator="\r\n")
    writer.writerows(rows(session, today, facts))
    return BOM + buffer.getvalue()
