"""The summary's blocks (``core/summary_doc.py``) laid out as lines of a given width.

One :class:`Line` per terminal row: its kind (which the view styles: headings, table
headers, rules), an indent or bullet, and where it starts and ends in its paragraph's spans.
Its ``rich.text.Text`` is made only when the line is drawn (``Line.text()``), from literal
strings (``Text.append(str, style)`` never parses markup), so user text shows exactly as
typed; laying out 5,000 map items only finds where the lines break.

- Headings: a blank line before; the title is underlined with ``═``.
- Paragraphs wrap to the width at spaces (a word longer than a line is broken); bullets
  (``•``) indent two cells per level, their wrapped and broken lines aligned under the
  bullet's text.
- Tables: columns as wide as their widest cell when that fits; otherwise each column keeps at
  least its header's longest word (headers are never cut) and its own longest word (a date,
  a number) up to ``MIN_CELL`` cells, the rest of the room goes to the columns that want it
  most, and cells wrap within their column.  When even that does not fit, each row becomes
  a bullet of "Header: value" lines.

Nothing here touches Textual's DOM: ``lay_out`` runs in the screen's worker thread.  It
calls ``stop()`` every few hundred blocks and raises :class:`Stopped` when it says so.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Literal, NamedTuple

from rich.text import Text

from backplan_tui.core.summary_doc import (
    CHECK_EVERY,
    Block,
    Heading,
    Para,
    Rule,
    Span,
    Stopped,
    Style,
    Table,
)
from backplan_tui.core.textclean import cell_width, char_width

Kind = Literal["h1", "h2", "h3", "body", "th", "rule"]

MIN_WIDTH = 20  # narrower views are laid out at this width (and cut)
GAP = 2  # cells between table columns
MIN_CELL = 12  # a squeezed table column keeps its longest word up to this many cells
STYLES = {"": "", "b": "bold", "i": "italic"}

__all__ = ["MIN_WIDTH", "Line", "Stopped", "lay_out"]

_WORD = re.compile(r"\S+")


class Line(NamedTuple):
    """One row: ``prefix`` (spaces, a bullet) then characters ``start:end`` of ``spans``
    (a paragraph's spans, shared by its lines: the styled text is made when drawn)."""

    kind: Kind
    prefix: str
    spans: tuple[Span, ...]
    start: int
    end: int

    @property
    def plain(self) -> str:
        return self.prefix + "".join(text for text, _ in self.spans)[self.start : self.end]

    def text(self) -> Text:
        """The row as literal rich Text (``Text.append`` never parses markup)."""
        out = Text(self.prefix)
        position = 0
        for part, style in self.spans:
            end = position + len(part)
            if end > self.start and position < self.end:
                piece = part[max(self.start - position, 0) : self.end - position]
                out.append(piece, STYLES[style])
            position = end
            if position >= self.end:
                break
        return out


def _whole(kind: Kind, text: str, style: Style = "") -> Line:
    return Line(kind, "", ((text, style),), 0, len(text))


def _never() -> bool:
    return False


def lay_out(blocks: Sequence[Block], width: int, stop: Callable[[], bool] = _never) -> list[Line]:
    """``blocks`` as lines of at most ``width`` cells (``MIN_WIDTH`` at least)."""
    width = max(MIN_WIDTH, width)
    out: list[Line] = []
    previous: Block | None = None
    for index, block in enumerate(blocks):
        if index % CHECK_EVERY == 0 and stop():
            raise Stopped
        if out and _gap_before(previous, block):
            out.append(_whole("body", ""))
        if isinstance(block, Heading):
            _heading(out, block, width)
        elif isinstance(block, Para):
            _para(out, block, width)
        elif isinstance(block, Table):
            _table(out, block, width, stop)
        elif isinstance(block, Rule):
            out.append(_whole("rule", "─" * width))
        previous = block
    return out


def _gap_before(previous: Block | None, block: Block) -> bool:
    """A blank line between blocks, except between the bullets of one list."""
    if isinstance(previous, Para) and isinstance(block, Para):
        return not (previous.depth and block.depth)
    return True


def breaks(plain: str, width: int) -> list[tuple[int, int]]:
    """(start, end) of each line of ``plain`` wrapped greedily at ``width`` cells: at
    spaces, at each "\\n", inside a word only when the word is longer than a line.
    The spaces where a line breaks belong to no line."""
    width = max(width, 1)
    out: list[tuple[int, int]] = []
    offset = 0
    for segment in plain.split("\n"):
        if segment.isascii():
            _ascii_breaks(out, segment, offset, width)
            offset += len(segment) + 1
            continue
        start = end = -1  # the current line (-1: nothing on it yet)
        used = 0
        for match in _WORD.finditer(segment):
            w_start, w_end = match.start() + offset, match.end() + offset
            size = cell_width(match.group())
            if start >= 0:
                gap = w_start - end
                if used + gap + size <= width:
                    end, used = w_end, used + gap + size
                    continue
                out.append((start, end))
            if size <= width:
                start, end, used = w_start, w_end, size
                continue
            # A word longer than a line: cut it in pieces of at most ``width`` cells.
            piece, used = w_start, 0
            for position in range(w_start, w_end):
                cells = char_width(plain[position])
                if used + cells > width:
                    out.append((piece, position))
                    piece, used = position, 0
                used += cells
            start, end = piece, w_end
        out.append((start, end) if start >= 0 else (offset, offset))
        offset += len(segment) + 1
    return out


def _ascii_breaks(out: list[tuple[int, int]], segment: str, offset: int, width: int) -> None:
    """``breaks`` of one line of ASCII text (a character is a cell): line by line, the last
    space within reach, not word by word."""
    size = len(segment)
    start = 0
    while start < size and segment[start] == " ":
        start += 1
    while size - start > width:
        cut = segment.rfind(" ", start, start + width + 1)
        if cut <= start:  # a word longer than a line: break it
            out.append((offset + start, offset + start + width))
            start += width
            continue
        end = cut
        while segment[end - 1] == " ":
            end -= 1
        out.append((offset + start, offset + end))
        start = cut + 1
        while start < size and segment[start] == " ":
            start += 1
    end = size
    while end > start and segment[end - 1] == " ":
        end -= 1
    out.append((offset + start, offset + end))


def _heading(out: list[Line], block: Heading, width: int) -> None:
    kind: Kind = "h1" if block.level <= 1 else "h2" if block.level == 2 else "h3"
    spans: tuple[Span, ...] = ((block.text, ""),)
    lines = breaks(block.text, width)
    out.extend(Line(kind, "", spans, start, end) for start, end in lines)
    if block.level <= 1:
        longest = max(cell_width(block.text[start:end]) for start, end in lines)
        out.append(_whole("h1", "═" * min(width, max(longest, 3))))


def _indent(depth: int, width: int) -> int:
    """Cells before a bullet at list ``depth`` (1 = top level), capped to keep room."""
    return min(2 * max(depth - 1, 0), width // 2 - 2)


_PREFIXES: dict[int, tuple[str, str]] = {}


def _prefixes(indent: int) -> tuple[str, str]:
    """A bullet's first-line and following-line prefixes (one pair of strings per indent,
    shared by every line that has it)."""
    pair = _PREFIXES.get(indent)
    if pair is None:
        pair = _PREFIXES[indent] = (" " * indent + "• ", " " * (indent + 2))
    return pair


def _para(out: list[Line], block: Para, width: int) -> None:
    spans = block.spans
    plain = "".join(text for text, _ in spans)
    if block.depth == 0:
        out.extend(Line("body", "", spans, s, e) for s, e in breaks(plain, width))
        return
    indent = _indent(block.depth, width)
    first, rest = _prefixes(indent)
    for n, (start, end) in enumerate(breaks(plain, width - indent - 2)):
        out.append(Line("body", first if n == 0 else rest, spans, start, end))


def _table(out: list[Line], table: Table, width: int, stop: Callable[[], bool]) -> None:
    widths = column_widths(table, width)
    if widths is None:
        _stacked(out, table, width, stop)
        return
    _row(out, "th", table.header, widths, (False,) * len(widths))
    rule = (" " * GAP).join("─" * w for w in widths)
    out.append(_whole("rule", rule))
    for index, row in enumerate(table.rows):
        if index % CHECK_EVERY == CHECK_EVERY - 1 and stop():
            raise Stopped
        _row(out, "body", row, widths, table.right)


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
    # (a date, a number) up to MIN_CELL cells; longer words are broken.
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
) -> None:
    """One table row, its cells wrapped within their columns (built whole: a row's line
    takes a piece of every cell)."""
    style: Style = "b" if kind == "th" else ""
    columns = [
        [value[s:e] for s, e in breaks(value, w)] for value, w in zip(cells, widths, strict=False)
    ]
    last = len(widths) - 1
    for n in range(max(len(c) for c in columns)):
        parts: list[str] = []
        for i, (lines, w) in enumerate(zip(columns, widths, strict=False)):
            part = lines[n] if n < len(lines) else ""
            pad = " " * (w - cell_width(part))
            if right[i]:
                parts.append(pad + part)
            else:
                parts.append(part if i == last else part + pad)
        out.append(_whole(kind, (" " * GAP).join(parts).rstrip(), style))


def _stacked(out: list[Line], table: Table, width: int, stop: Callable[[], bool]) -> None:
    """A table too wide for the view: one bullet per row, one "Header: value" per line."""
    for index, row in enumerate(table.rows):
        if index % CHECK_EVERY == CHECK_EVERY - 1 and stop():
            raise Stopped
        spans: list[Span] = []
        for header, value in zip(table.header, row, strict=False):
            if value:
                spans += [("\n" if spans else "", ""), (f"{header}: ", "b"), (value, "")]
        _para(out, Para(tuple((t, s) for t, s in spans if t), 1), width)
