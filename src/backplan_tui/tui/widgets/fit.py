"""Columns that share the width a table has.

A table's short columns (dates, numbers, a status word, a verdict) keep their natural
width, so they are never cut; the columns of free text (a title, a metric, an owner) are
``Flex`` columns and share what is left, in proportion to their weight and never below
their minimum.  A flex column never takes more than its widest cell needs: what it does not
need goes to the others.  At 120 columns a title shows whole; at 80 it is cut with "…", and
the date beside it still shows whole.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from rich.text import Text


@dataclass(frozen=True)
class Flex:
    weight: int = 1
    minimum: int = 8


def share_widths(
    room: int,
    natural: Sequence[int],
    flex: Mapping[int, Flex],
    squeeze: Mapping[int, int] | None = None,
) -> list[int]:
    """The width of each column, the columns taking ``room`` cells in all (padding left out).

    Columns not in ``flex`` keep their ``natural`` width.  The flex columns share the rest
    by weight (water-filling: a column that needs less than its share gives the rest back).
    Only when that still does not fit (a 60-column terminal) are the ``squeeze`` columns
    (index -> minimum) narrowed, in the order given.
    """
    widths = list(natural)
    left = room - sum(w for i, w in enumerate(natural) if i not in flex)
    pending = sorted(
        (i for i in flex if 0 <= i < len(natural)),
        key=lambda i: natural[i] / max(flex[i].weight, 1),
    )
    while pending:
        weights = sum(max(flex[i].weight, 1) for i in pending)
        index = pending.pop(0)
        share = left * max(flex[index].weight, 1) // max(weights, 1)
        width = min(natural[index], max(flex[index].minimum, share))
        widths[index] = width
        left -= width
    over = sum(widths) - room
    for index, minimum in (squeeze or {}).items():
        if over <= 0:
            break
        if 0 <= index < len(widths):
            cut = min(over, max(widths[index] - minimum, 0))
            widths[index] -= cut
            over -= cut
    return widths


def fit_cells(
    rows: Sequence[Sequence[Text]],
    labels: Sequence[str],
    room: int,
    flex: Mapping[int, Flex],
    squeeze: Mapping[int, int] | None = None,
) -> tuple[list[list[Text]], list[int]]:
    """``rows`` with the cells cut (with "…") to the widths the columns share, and those
    widths (a label wider than its column is cut by the caller)."""
    natural = [len(label) for label in labels]
    for cells in rows:
        for index, text in enumerate(cells[: len(natural)]):
            natural[index] = max(natural[index], text.cell_len)
    widths = share_widths(room, natural, flex, squeeze)
    fitted: list[list[Text]] = []
    for cells in rows:
        out = []
        for index, text in enumerate(cells):
            if index < len(widths) and text.cell_len > widths[index]:
                text = text.copy()
                text.truncate(widths[index], overflow="ellipsis")
            out.append(text)
        fitted.append(out)
    return fitted, widths
