"""The owners section of the exports: who owns what, when, and their load (``core.owners``).

One place for the words every format prints: the Markdown (and so the HTML, rendered from it)
and text exports take their lines from here, the JSON export its ``computed.owners`` and the
CSV export its two load columns.  Each format escapes the user text itself: these functions
take its escaper (``esc``) and call it on every piece of user text, and nothing else.

Per owner: their weekly hours (when given), the open items of all they own, the most items at
once and the first period it happens, the share of their week at that peak and whether that
is over the limits (listed owners only).  Then, per owner, their open items with dates.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from backplan_tui.core.export.common import iso
from backplan_tui.core.owners import (
    HOURS_PER_ITEM,
    KIND_WORDS,
    Limits,
    OwnedItem,
    OwnerLoad,
    format_hours,
    format_share,
)
from backplan_tui.core.textclean import clean_line

TITLE = "Owners"
EMPTY = "No owners yet: give the items an owner, or list the people (Owners in the app)."


def over(load: OwnerLoad, limits: Limits) -> bool:
    """A listed owner with more at once, or more of their week, than the limits allow."""
    if not load.listed:
        return False
    share = load.share
    return load.peak > limits.max_at_once or (share is not None and share > limits.max_share)


def about(limits: Limits) -> str:
    """One sentence: what the numbers mean and the limits in force."""
    return (
        f"Most at once: open items running on the same day. Share: of the owner's weekly "
        f"hours, at {format_hours(HOURS_PER_ITEM)} a week per running item. Limits: "
        f"{limits.max_at_once} at once, {format_share(limits.max_share)} of the week."
    )


def _span(first: date | None, last: date | None) -> str:
    if first is None and last is None:
        return ""
    if first == last:
        return iso(first)
    return f"{iso(first) or '?'} to {iso(last) or '?'}"


def _share(load: OwnerLoad, limits: Limits) -> str:
    text = format_share(load.share) if load.share is not None else ""
    if over(load, limits):
        text = f"{text} (over)".strip()
    return text


def _item(item: OwnedItem, esc: Callable[[object], str]) -> str:
    where = [KIND_WORDS[item.kind]]
    dates = _span(item.start, item.end)
    if dates:
        where.append(dates)
    where.append(esc(item.status))
    return f"{esc(item.title) or '(untitled)'} ({', '.join(where)})"


HEADER = ("Owner", "Hours a week", "Open items", "Most at once", "When", "Share")
RIGHT = (False, True, True, True, False, True)  # the number columns
ITEMS_INTRO = "Open items by owner:"


def table_rows(
    loads: list[OwnerLoad], limits: Limits, esc: Callable[[object], str], not_listed: str
) -> list[tuple[str, ...]]:
    """The owners table (``HEADER``), one row per owner; ``not_listed`` follows the name of
    an owner not on the list (the format's own emphasis)."""
    rows: list[tuple[str, ...]] = []
    for load in loads:
        busiest = load.peaks[0] if load.peaks else None
        rows.append(
            (
                esc(load.name) + ("" if load.listed else not_listed),
                format_hours(load.capacity_hours) if load.capacity_hours is not None else "",
                f"{load.open_count} of {len(load.items)}",
                str(load.peak),
                _span(busiest.first, busiest.last) if busiest else "",
                _share(load, limits),
            )
        )
    return rows


def open_items(load: OwnerLoad, esc: Callable[[object], str]) -> str:
    """The owner's open items in one line ("nothing open" when none)."""
    items = [_item(i, esc) for i in load.items if i.open]
    return "; ".join(items) if items else "nothing open"


def markdown(loads: list[OwnerLoad], limits: Limits, esc: Callable[[object], str]) -> list[str]:
    """The section's lines (after its ``## Owners`` heading)."""
    if not loads:
        return [EMPTY]
    out = [about(limits), ""]
    out.append("| " + " | ".join(HEADER) + " |")
    out.append("| " + " | ".join("---:" if r else "---" for r in RIGHT) + " |")
    for cells in table_rows(loads, limits, esc, " *(not listed)*"):
        out.append("| " + " | ".join(cells) + " |")
    out += ["", ITEMS_INTRO, ""]
    for load in loads:
        out.append(f"- **{esc(load.name)}:** {open_items(load, esc)}")
    return out


def text(loads: list[OwnerLoad], limits: Limits) -> list[tuple[str, list[str]]]:
    """The text export's lines: (owner line, their open items) per owner; [] when none."""
    out: list[tuple[str, list[str]]] = []
    for load in loads:
        facts = []
        if load.capacity_hours is not None:
            facts.append(f"{format_hours(load.capacity_hours)} a week")
        facts.append(f"{load.open_count} of {len(load.items)} items open")
        busiest = load.peaks[0] if load.peaks else None
        if busiest is not None:
            facts.append(f"most at once {load.peak} ({_span(busiest.first, busiest.last)})")
        share = _share(load, limits)
        if share:
            facts.append(f"share {share}")
        if not load.listed:
            facts.append("not listed")
        items = [_item(i, _line) for i in load.items if i.open]
        out.append((f"{clean_line(load.name)}: {'; '.join(facts)}", items))
    return out


def computed(loads: list[OwnerLoad], limits: Limits) -> dict[str, Any]:
    """``computed.owners`` of the JSON export (dates as ``date``; ``dumps`` writes ISO)."""
    return {
        "limits": {
            "max_at_once": limits.max_at_once,
            "max_share": limits.max_share,
            "hours_per_item": HOURS_PER_ITEM,
        },
        "people": [
            {
                "name": clean_line(load.name),
                "id": clean_line(load.owner_id),
                "listed": load.listed,
                "capacity_hours": None
                if load.capacity_hours is None
                else float(load.capacity_hours),
                "open_items": load.open_count,
                "peak": load.peak,
                "peak_first": load.peaks[0].first if load.peaks else None,
                "peak_last": load.peaks[0].last if load.peaks else None,
                "share": _finite(load.share),
                "over": over(load, limits),
                "items": [
                    {
                        "kind": item.kind,
                        "id": clean_line(item.id),
                        "start": item.start,
                        "end": item.end,
                        "open": item.open,
                        "at_once": load.at_once(item.id),
                    }
                    for item in load.items
                ],
            }
            for load in loads
        ],
    }


def _line(value: object) -> str:
    return clean_line(str(value))


def _finite(share: float | None) -> float | None:
    """A share JSON can hold: an infinite one (0 hours) is written as null."""
    if share is None or share == float("inf"):
        return None
    return round(share, 4)


def csv_columns(loads: list[OwnerLoad]) -> dict[tuple[str, str], tuple[str, str]]:
    """(kind, id) of a map node ("map") or pilot -> (owner_at_once, owner_capacity_hours):
    the most of its owner's items running at once on its days, and its owner's weekly
    hours, as CSV cells ("" when unknown)."""
    out: dict[tuple[str, str], tuple[str, str]] = {}
    for load in loads:
        hours = f"{load.capacity_hours:g}" if load.capacity_hours is not None else ""
        for item in load.items:
            if item.kind == "question":
                continue
            at_once = load.at_once(item.id)
            kind = "map" if item.kind == "node" else "pilot"
            out.setdefault((kind, clean_line(item.id)), (str(at_once) if at_once else "", hours))
    return out
