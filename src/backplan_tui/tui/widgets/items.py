"""A table of workshop items (outcomes, questions, pilots) with the item keys.

The keys call ``add_item`` / ``edit_item`` / ``delete_item`` / ``move_item`` on the screen,
so every step screen offers the same verbs.  Cells are literal ``Text`` (see tui/text.py).
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence

from rich.style import Style
from rich.text import Text
from textual.binding import Binding
from textual.geometry import Region
from textual.strip import Strip
from textual.visual import VisualType
from textual.widgets import DataTable, Static
from textual.widgets.data_table import RowDoesNotExist


class OneStylePerPaint:
    """For a widget that paints line by line (DataTable, Tree): its ``rich_style`` worked
    out once per paint instead of once per line.

    Their ``render_line`` asks for ``self.rich_style`` on every line, and that walks the
    styles of every ancestor up to the app (about 50 µs): on a cursor move that repaints
    20 lines of a big table or map, about 1 ms of each key.  Mix in before the widget class.
    """

    _paint_style: Style | None = None

    def render_lines(self, crop: Region) -> list[Strip]:
        self._paint_style = None
        self._paint_style = self.rich_style
        try:
            return super().render_lines(crop)  # type: ignore[misc,no-any-return]
        finally:
            self._paint_style = None

    @property
    def rich_style(self) -> Style:
        if self._paint_style is not None:
            return self._paint_style
        return super().rich_style  # type: ignore[misc,no-any-return]


class ItemTable(OneStylePerPaint, DataTable[Text]):
    BINDINGS = [
        Binding("a", "screen.add_item", "Add", id="items.add"),
        Binding("e", "screen.edit_item", "Edit", id="items.edit"),
        Binding("d,delete", "screen.delete_item", "Delete", id="items.delete"),
        Binding("ctrl+up", "screen.move_item(-1)", "Move up", id="items.up", show=False),
        Binding("ctrl+down", "screen.move_item(1)", "Move down", id="items.down", show=False),
    ]

    def __init__(self, columns: Sequence[str], *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self._columns = list(columns)

    def on_mount(self) -> None:
        # Text labels: a str label goes through rich's markup parser, whose emoji table
        # (about 3 MB) is then loaded for nothing.
        self.add_columns(*(Text(label) for label in self._columns))

    def focus_key(self, key: str) -> None:
        """Focus the table with the cursor on the row ``key`` (left where it is if gone)."""
        self.focus()
        if key:
            with contextlib.suppress(RowDoesNotExist):
                self.move_cursor(row=self.get_row_index(key))

    def selected_key(self) -> str | None:
        if self.row_count == 0:
            return None
        key = self.coordinate_to_cell_key(self.cursor_coordinate).row_key
        return None if key.value is None else str(key.value)

    def fill(self, rows: Sequence[tuple[str, Sequence[Text]]], select: str | None = None) -> None:
        """Replace every row, keeping the cursor on ``select`` (or where it was)."""
        keep = select if select is not None else self.selected_key()
        old_row = self.cursor_row
        self.clear()
        for key, cells in rows:
            self.add_row(*cells, key=key)
        if not rows:
            return
        keys = [key for key, _ in rows]
        row = keys.index(keep) if keep in keys else min(old_row, len(rows) - 1)
        self.move_cursor(row=max(row, 0))


class Detail(Static):
    """The detail panel under a list: a fixed height (app.tcss ``.detail``), so updating its
    text never re-lays-out the screen (a cursor move stays one paint)."""

    def update(self, content: VisualType = "", *, layout: bool = False) -> None:
        super().update(content, layout=layout)
