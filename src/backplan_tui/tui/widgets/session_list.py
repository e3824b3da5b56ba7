"""SessionList: home's list of sessions, drawn line by line.

A ``DataTable`` measures every cell of every row before its first paint (about 100 ms for
200 rows at start-up, which is why home used to show only the newest 200).  This widget
draws only the rows on screen: its columns have fixed widths, a row's cells are built the
first time the row is shown (by the screen's ``row_cells`` callback), and a 1,000-session
folder costs no more to show than a 20-session one.

- The first line is the column header; it stays put while the rows scroll under it.
- Columns that do not fit the width are left out, least important first (the screen's
  ``priority``); the first column takes the room left over, up to its ``max_width``.
- A cell too long for its column runs on into the empty cells after it in its row.
- Keys: up/down, page up/down, home/end move the cursor; enter posts ``Selected``.  A click
  moves the cursor; a click on the highlighted row opens it (``Selected``).
- Cells are ``rich.text.Text`` built by the screen through the safe-text seam
  (``tui.text.cell``): nothing here parses markup.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import zip_longest

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from backplan_tui.tui import compat

GAP = 2  # cells between columns (one each side, as DataTable's cell padding)


class TailedText(Text):
    """A cell whose ``tail`` stays whole when the cell is cut: "Retention pl… · retention-2"
    (the id that tells two sessions with one title apart)."""

    def __init__(self, head: Text, tail: Text) -> None:
        super().__init__()
        self.append_text(head)
        self.append_text(tail)
        self.head, self.tail = head, tail

    def cut(self, width: int) -> Text:
        head = self.head.copy()
        head.truncate(max(width - self.tail.cell_len, 1), overflow="ellipsis")
        head.append_text(self.tail)
        head.truncate(width, overflow="ellipsis")
        return head


@dataclass(frozen=True)
class Column:
    label: str
    width: int  # the first column: its minimum width
    priority: int  # kept before columns with a higher number when the width is short
    max_width: int = 0  # the first column grows up to this
    title_room: int = 0  # shown only while the first column keeps at least this many cells


class SessionList(ScrollView, can_focus=True):
    """Rows of ``Text`` cells keyed by session id; one cursor row."""

    COMPONENT_CLASSES = {
        "session-list--header",
        "session-list--cursor",
        "session-list--even-row",
    }

    DEFAULT_CSS = """
    SessionList {
        background: $surface;
        color: $foreground;
        height: 1fr;
        overflow-x: hidden;  /* the columns fit the width: no sideways scrolling */
        scrollbar-size-vertical: 1;
        &:focus {
            background-tint: $foreground 5%;
            & > .session-list--cursor {
                background: $block-cursor-background;
                color: $block-cursor-foreground;
                text-style: $block-cursor-text-style;
            }
            & > .session-list--header {
                background-tint: $foreground 5%;
            }
        }
        &:dark > .session-list--even-row {
            background: $surface-darken-1 40%;
        }
        & > .session-list--header {
            text-style: bold;
            background: $panel;
            color: $foreground;
        }
        &:ansi > .session-list--header {
            background: ansi_bright_blue;
            color: ansi_default;
        }
        & > .session-list--even-row {
            background: $surface-lighten-1 50%;
        }
        & > .session-list--cursor {
            background: $block-cursor-blurred-background;
            color: $block-cursor-blurred-foreground;
            text-style: $block-cursor-blurred-text-style;
        }
    }
    """

    BINDINGS = [
        Binding("up", "cursor_up", "Up", show=False),
        Binding("down", "cursor_down", "Down", show=False),
        Binding("pageup", "page_up", "Page up", show=False),
        Binding("pagedown", "page_down", "Page down", show=False),
        Binding("home", "first", "First", show=False),
        Binding("end", "last", "Last", show=False),
        Binding("enter", "select", "Open", show=False),
    ]

    class Highlighted(Message):
        """The cursor moved to another row (``key`` is None when the list is empty)."""

        def __init__(self, session_list: SessionList, key: str | None) -> None:
            super().__init__()
            self.session_list = session_list
            self.key = key

        @property
        def control(self) -> SessionList:
            return self.session_list

    class Selected(Highlighted):
        """Enter (or a click) on the highlighted row."""

    def __init__(
        self,
        columns: Sequence[Column],
        row_cells: Callable[[str], Sequence[Text]],
        *,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self.columns = tuple(columns)
        self._row_cells = row_cells
        self._keys: list[str] = []
        self._rows: dict[str, tuple[Text, ...]] = {}  # built when first shown
        self._index: dict[str, int] | None = None
        self._cursor = 0
        self._layout: tuple[int, tuple[tuple[int, int], ...]] = (-1, ())
        self._header = tuple(Text(column.label) for column in self.columns)
        # (row key, None for the header; width) -> the line's segments, unstyled by the row
        self._lines: dict[tuple[str | None, int], list[Segment]] = {}
        self._base_style: Style | None = None  # rich_style walks the ancestors: once a paint

    # --- data --------------------------------------------------------------------------------

    def set_rows(
        self, keys: Sequence[str], select: str | None = None, *, same_rows: bool = False
    ) -> None:
        """Show ``keys`` (in this order); keep the cursor on ``select`` when it is there.
        ``same_rows``: each key's cells are as before (a filter changed, not the sessions),
        so the rows and lines built so far are kept, and only the lines on screen whose row
        changed are painted again (a filter key that leaves the rows on screen as they were
        paints none of them)."""
        shown = self._shown_rows() if same_rows else None
        self._keys = list(keys)
        if not same_rows:
            self._rows.clear()
            self._lines.clear()
        self._index = None
        row = None
        if select is not None:  # one look-up: no need for the index of every key
            try:
                row = self._keys.index(select)
            except ValueError:
                row = None
        self._cursor = min(row if row is not None else 0, max(len(self._keys) - 1, 0))
        self._set_height(len(self._keys) + 1)
        self._scroll_cursor_into_view()
        after = self._shown_rows()
        if shown is None or shown[0] != after[0] or shown[1] != after[1]:
            self.refresh()  # new rows, or scrolled: every line
        else:
            for y, (old, new) in enumerate(zip_longest(shown[2], after[2]), start=1):
                if old != new:
                    self.refresh_lines(y)
            if shown[3] != after[3]:  # the cursor's key moved to another line
                self._refresh_row(shown[3])
                self._refresh_row(after[3])
        self.post_message(self.Highlighted(self, self.cursor_key))

    def _shown_rows(self) -> tuple[int, int, list[str], int]:
        """(scroll offset, lines under the header, their rows' keys, the cursor's row): what a
        change of rows compares to repaint only the lines that changed."""
        top = self.scroll_offset.y
        height = max(self.scrollable_content_region.height - 1, 0)
        return top, height, self._keys[top : top + height], self._cursor

    def _set_height(self, height: int) -> None:
        """The scrollable height, without a layout of the screen when it changes (a filter
        key would otherwise lay out every widget again): as Textual's own ``_size_updated``
        does with ``layout=False``, the scrollbars are updated (and shown or hidden, which
        does lay out) by ``compat.update_scrollbars``."""
        size = Size(1, height)
        if size == self.virtual_size:
            return
        if not self.is_mounted or not self.size.height:
            self.virtual_size = size
            return
        self.set_reactive(SessionList.virtual_size, size)
        compat.update_scrollbars(self, size)

    @property
    def row_count(self) -> int:
        return len(self._keys)

    @property
    def keys(self) -> list[str]:
        return list(self._keys)

    @property
    def cursor_row(self) -> int:
        return self._cursor

    @property
    def cursor_key(self) -> str | None:
        return self._keys[self._cursor] if self._keys else None

    def get_row_index(self, key: str) -> int | None:
        if self._index is None:
            self._index = {k: i for i, k in enumerate(self._keys)}
        return self._index.get(key)

    def cells(self, row: int) -> tuple[Text, ...]:
        """The cells of ``row`` as shown (built on first use)."""
        key = self._keys[row]
        cells = self._rows.get(key)
        if cells is None:
            cells = self._rows[key] = tuple(self._row_cells(key))
        return cells

    # --- cursor ------------------------------------------------------------------------------

    def move_cursor(self, row: int) -> None:
        if not self._keys:
            return
        row = max(0, min(row, len(self._keys) - 1))
        if row == self._cursor:
            return
        old = self._cursor
        self._cursor = row
        self._scroll_cursor_into_view()
        self._refresh_row(old)
        self._refresh_row(row)
        self.post_message(self.Highlighted(self, self.cursor_key))

    def _page(self) -> int:
        return max(self.scrollable_content_region.height - 2, 1)

    def action_cursor_up(self) -> None:
        self.move_cursor(self._cursor - 1)

    def action_cursor_down(self) -> None:
        self.move_cursor(self._cursor + 1)

    def action_page_up(self) -> None:
        self.move_cursor(self._cursor - self._page())

    def action_page_down(self) -> None:
        self.move_cursor(self._cursor + self._page())

    def action_first(self) -> None:
        self.move_cursor(0)

    def action_last(self) -> None:
        self.move_cursor(len(self._keys) - 1)

    def action_select(self) -> None:
        if self._keys:
            self.post_message(self.Selected(self, self.cursor_key))

    def on_click(self, event: events.Click) -> None:
        """A click on a row moves the cursor there; a click on the cursor's row opens it.
        (A public handler: Widget's own click handling, @click links, still runs.)"""
        row = self.scroll_offset.y + event.y - 1
        if event.y < 1 or not 0 <= row < len(self._keys):
            return
        if row == self._cursor:
            self.action_select()
        else:
            self.move_cursor(row)

    def _scroll_cursor_into_view(self) -> None:
        rows = max(self.scrollable_content_region.height - 1, 1)  # under the header
        top = self.scroll_offset.y
        if self._cursor < top:
            self.scroll_to(y=self._cursor, animate=False, immediate=True)
        elif self._cursor >= top + rows:
            self.scroll_to(y=self._cursor - rows + 1, animate=False, immediate=True)

    def _refresh_row(self, row: int) -> None:
        y = row - self.scroll_offset.y + 1
        if y >= 1:
            self.refresh_lines(y)

    # --- layout ------------------------------------------------------------------------------

    def on_resize(self) -> None:
        self._scroll_cursor_into_view()

    _hidden: frozenset[int] = frozenset()

    def hide_columns(self, indexes: Sequence[int]) -> None:
        """Leave these columns out whatever the width (a column no row has anything in)."""
        hidden = frozenset(indexes)
        if hidden != self._hidden:
            self._hidden = hidden
            self._layout = (-1, ())
            self._lines.clear()
            self.refresh()

    def layout_for(self, width: int) -> tuple[tuple[int, int], ...]:
        """(column index, width) of the columns shown at ``width`` cells, in column order."""
        if self._layout[0] == width:
            return self._layout[1]
        first = self.columns[0]
        used = first.width + GAP
        kept: set[int] = set()
        shown = [i for i in range(1, len(self.columns)) if i not in self._hidden]
        for index in sorted(shown, key=lambda i: self.columns[i].priority):
            need = self.columns[index].width + GAP
            reserve = max(self.columns[index].title_room - first.width, 0)
            if used + need + reserve > width:
                break  # in priority order: a less important column never takes its place
            kept.add(index)
            used += need
        spare = max(width - used, 0)
        first_width = min(first.width + spare, max(first.max_width, first.width))
        layout = ((0, first_width),) + tuple(
            (i, self.columns[i].width) for i in range(1, len(self.columns)) if i in kept
        )
        self._layout = (width, layout)
        return layout

    # --- drawing -----------------------------------------------------------------------------

    def notify_style_update(self) -> None:
        self._base_style = None
        super().notify_style_update()

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        base = self._base_style
        if base is None:
            base = self._base_style = self.rich_style
        if y == 0:
            style = base + self.get_component_rich_style("session-list--header")
            return self._strip(None, self._header, width, style)
        row = self.scroll_offset.y + y - 1
        if row >= len(self._keys):
            return Strip.blank(width, base)
        if row == self._cursor:  # over the cells' own colours, as DataTable draws its cursor
            cursor = self.get_component_rich_style("session-list--cursor")
            return self._strip(self._keys[row], self.cells(row), width, base, over=cursor)
        if row % 2 == 0:  # zebra stripes, as DataTable draws them
            base += self.get_component_rich_style("session-list--even-row")
        return self._strip(self._keys[row], self.cells(row), width, base)

    def _strip(
        self,
        key: str | None,
        cells: Sequence[Text],
        width: int,
        style: Style,
        over: Style | None = None,
    ) -> Strip:
        return Strip(Segment.apply_style(self._line(key, cells, width), style, over), width)

    def _line(self, key: str | None, cells: Sequence[Text], width: int) -> list[Segment]:
        """The row's cells cut or padded to their columns, unstyled by the row (cached per
        row and width until ``set_rows``: a cursor move only restyles two cached lines)."""
        cached = self._lines.get((key, width))
        if cached is not None:
            return cached
        console = self.app.console
        segments: list[Segment] = []
        used = 0
        layout = self.layout_for(width)
        skip = 0
        for position, (index, cell_width) in enumerate(layout):
            if skip:
                skip -= 1
                continue
            text = cells[index] if index < len(cells) else Text()
            if key is not None and text.cell_len > cell_width:
                # A long title runs on into the empty cells after it (no Next due yet)
                for after, after_width in layout[position + 1 :]:
                    if text.cell_len <= cell_width or (
                        after < len(cells) and cells[after].cell_len
                    ):
                        break
                    cell_width += after_width + GAP
                    skip += 1
            if isinstance(text, TailedText) and text.cell_len > cell_width:
                text = text.cut(cell_width)
            elif text.cell_len > cell_width:
                text = text.copy()
                text.truncate(cell_width, overflow="ellipsis")
            segments.append(Segment(" "))
            segments.extend(text.render(console))
            segments.append(Segment(" " * (cell_width - text.cell_len + 1)))
            used += cell_width + GAP
        if used < width:
            segments.append(Segment(" " * (width - used)))
        elif used > width:
            segments = Segment.adjust_line_length(segments, width)
        self._lines[key, width] = segments
        return segments
