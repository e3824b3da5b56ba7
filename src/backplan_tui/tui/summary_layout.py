"""The summary's blocks (``core/summary_doc.py``) laid out as lines of a given width.

One ``Line`` per terminal row: its kind (which the view styles: headings, table headers,
rules) and its text, a ``rich.text.Text`` built only from literal strings (``Text(str)`` and
``Text.append(str, style)`` never parse markup), so user text shows exactly as typed.

- Headings: a blank line before; the title is underlined with ``═``.
- Paragraphs wrap to the width; bullets (``•``) indent two cells per level, their wrapped and
  broken lines aligned under the bullet's text.
- Tables: columns as wide as their widest cell when that fits; otherwise each column keeps at
  least its header's longest word (headers are never cut) and a few cells, the rest of the
  room goes to the columns that want it most, and cells wrap within their column
  (a column keeps its longest word, a date or a number, up to MIN_CELL cells).  When even
  that does not fit, each row becomes a bullet of "Header: value" lines.

Nothing here touches Textual's DOM: ``lay_out`` runs in the screen's worker thread.  It
calls ``stop()`` every few hundred blocks and raises :class:`Stopped` when it says so.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from io import StringIO
from typing import Literal

from rich.console import Console
from rich.text import Text

from backplan_tui.core.summary_doc import CHECK_EVERY, Block, Heading, Para, Rule, Stopped, Table
from backplan_tui.core.textclean import cell_width

Kind = Literal["h1", "h2", "h3", "body", "th", "rule"]
Line = tuple[Kind, Text]

MIN_WIDTH = 20  # narrower views are laid out at this width (and cut)
GAP = 2  # cells between table columns
MIN_CELL = 12  # a squeezed table column keeps its longest word up to this many cells
STYLES = {"": "", "b": "bold", "i": "italic"}

__all__ = ["MIN_WIDTH", "Line", "Stopped", "lay_out"]


def _never() -> bool:
    return False


def _console() -> Console:
    """A console for measuring only (Text.wrap asks for one); nothing is printed."""
    return Console(file=StringIO(), width=200, color_system=None, legacy_windows=False)


def lay_out(blocks: Sequence[Block], width: int, stop: Callable[[], bool] = _never) -> list[Line]:
    """``blocks`` as lines of at most ``width`` cells (``MIN_WIDTH`` at least)."""
    width = max(MIN_WIDTH, width)
    console = _console()
    out: list[Line] = []
    previous: Block | None = None
    for index, block in enumerate(blocks):
        if index % CHECK_EVERY == 0 and stop():
            raise Stopped
        if out and _gap_before(previous, block):
            out.append(("body", Text()))
        if isinstance(block, Heading):
            _heading(out, block, width, console)
        elif isinstance(block, Para):
            _para(out, block, width, console)
        elif isinstance(block, Table):
            _table(out, block, width, console)
        elif isinstance(block, Rule):
            out.append(("rule", Text("─" * width)))
        previous = block
    return out


def _gap_before(previous: Block | None, block: Block) -> bool:
    """A blank line between blocks, except between the bullets of one list."""
    if isinstance(previous, Para) and isinstance(block, Para):
        return not (previous.depth and block.depth)
    return True


def _heading(out: list[Line], block: Heading, width: int, console: Console) -> None:
    kind: Kind = "h1" if block.level <= 1 else "h2" if block.level == 2 else "h3"
    lines = Text(block.text).wrap(console, width, overflow="fold")
    out.extend((kind, text) for text in lines)
    if block.level <= 1:
        underline = max((t.cell_len for t in lines), default=3)
        out.append(("h1", Text("═" * min(width, max(underline, 3)))))


def _indent(depth: int, width: int) -> int:
    """Cells before a bullet at list ``depth`` (1 = top level), capped to keep room."""
    return min(2 * max(depth - 1, 0), width // 2 - 2)


def _para(out: list[Line], block: Para, width: int, console: Console) -> None:
    text = Text()
    for part, style in block.spans:
        text.append(part, STYLES[style])
    if block.depth == 0:
        out.extend(("body", t) for t in text.wrap(console, width, overflow="fold"))
        return
    indent = _indent(block.depth, width)
    first = " " * indent + "• "
    rest = " " * (indent + 2)
    for n, wrapped in enumerate(text.wrap(console, width - indent - 2, overflow="fold")):
        out.append(("body", Text(first if n == 0 else rest) + wrapped))


def _table(out: list[Line], table: Table, width: int, console: Console) -> None:
    widths = column_widths(table, width)
    if widths is None:
        _stacked(out, table, width, console)
        return
    _row(out, "th", table.header, widths, (False,) * len(widths), console)
    rule = (" " * GAP).join("─" * w for w in widths)
    out.append(("rule", Text(rule)))
    for row in table.rows:
        _row(out, "body", row, widths, table.right, console)


def column_widths(table: Table, width: int) -> list[int] | None:
    """Each column's width at ``width`` cells, or None when the table cannot fit."""
    count = len(table.header)
    room = width - GAP * (count - 1)
    natural = [cell_width(h) for h in table.header]
    for row in table.rows:
        for i, value in enumerate(row):
            size = cell_width(value)
            if size > natural[i]:
                natural[i] = size
    if sum(natural) <= room:
        return natural
    # The least a column keeps: its header's longest word (never cut), and its longest word
    # (a date, a number) up to MIN_CELL cells; longer words are folded.
    least = [_longest_word(h) for h in table.header]
    for row in table.rows:
        for i, value in enumerate(row):
            if least[i] < MIN_CELL:
                least[i] = max(least[i], min(_longest_word(value), MIN_CELL))
    if sum(least) > room:
        return None
    widths = list(least)
    spare = room - sum(widths)
    want = [natural[i] - widths[i] for i in range(count)]
    total = sum(want)
    if total:
        for i in range(count):  # in proportion to what each column still wants
            widths[i] += min(want[i], spare * want[i] // total)
        spare = room - sum(widths)
        for i in sorted(range(count), key=lambda i: want[i], reverse=True):  # the remainder
            extra = min(spare, natural[i] - widths[i])
            widths[i] += extra
            spare -= extra
    return widths


def _longest_word(value: str) -> int:
    return max((cell_width(word) for word in value.split()), default=1)


def _row(
    out: list[Line],
    kind: Kind,
    cells: Sequence[str],
    widths: Sequence[int],
    right: Sequence[bool],
    console: Console,
) -> None:
    style = "bold" if kind == "th" else ""
    columns = [
        Text(value, style).wrap(console, w, overflow="fold") if value else [Text()]
        for value, w in zip(cells, widths, strict=False)
    ]
    for n in range(max(len(c) for c in columns)):
        text = Text()
        for i, (lines, w) in enumerate(zip(columns, widths, strict=False)):
            if i:
                text.append(" " * GAP)
            part = lines[n] if n < len(lines) else Text()
            pad = " " * (w - part.cell_len)
            if right[i]:
                text.append(pad)
                text.append_text(part)
            else:
                text.append_text(part)
                if i < len(widths) - 1:
                    text.append(pad)
        out.append((kind, text))


def _stacked(out: list[Line], table: Table, width: int, console: Console) -> None:
    """A table too wide for the view: one bullet per row, one "Header: value" per line."""
    for row in table.rows:
        spans = []
        for header, value in zip(table.header, row, strict=False):
            if value:
                spans += [("\n" if spans else "", ""), (f"{header}: ", "b"), (value, "")]
        _para(out, Para(tuple((t, s) for t, s in spans if t), 1), width, console)  # type: ignore[misc]
