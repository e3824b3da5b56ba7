"""A table of workshop items (outcomes, questions, pilots) with the item keys, the tree of
the reverse map, and the detail panel under them.

The keys call ``add_item`` / ``edit_item`` / ``delete_item`` / ``move_item`` on the screen,
so every step screen offers the same verbs.  Cells are literal ``Text`` (see tui/text.py).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Hashable, Mapping, Sequence
from typing import Any, NamedTuple

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.binding import Binding
from textual.cache import LRUCache
from textual.coordinate import Coordinate
from textual.geometry import Region
from textual.strip import Strip
from textual.visual import Visual, VisualType, visualize
from textual.widgets import DataTable, Static, Tree
from textual.widgets.data_table import RowDoesNotExist
from textual.widgets.tree import TreeNode

from backplan_tui.tui import compat
from backplan_tui.tui.widgets.fit import Flex, fit_cells


class OneStylePerPaint:
    """For a widget that paints line by line (DataTable, Tree): its styles worked out once
    per paint instead of once per line, and its component styles kept across a cursor move.

    Their ``render_line`` asks for ``self.rich_style`` on every line, and that walks the
    styles of every ancestor up to the app: on a cursor move that repaints 20 lines of a
    big table or map, a large share of each key (benchmarks/README.md, typing).  And each
    cursor move repaints a few lines with ``refresh(region)``, which also empties the cache
    of component styles (cursor, guides, zebra rows ...): rebuilt on the next paint, on every
    key, though a repaint of some lines cannot change them.  A CSS change still empties that
    cache (``notify_style_update``), and so does a refresh of the whole widget.  Mix in before
    the widget class.
    """

    _paint_style: Style | None = None

    def refresh(
        self,
        *regions: Region,
        repaint: bool = True,
        layout: bool = False,
        recompose: bool = False,
    ) -> Any:
        if not regions or layout or recompose:
            return super().refresh(  # type: ignore[misc]
                *regions, repaint=repaint, layout=layout, recompose=recompose
            )
        with compat.component_styles_kept(self):  # type: ignore[arg-type]
            return super().refresh(*regions, repaint=repaint)  # type: ignore[misc]

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


class FitTable(compat.QuietHoverCursor, OneStylePerPaint, DataTable[Text]):
    """A row table whose rows are replaced whole (``fill``) and whose free-text columns
    share the width the others leave (``flex``, see widgets/fit.py)."""

    def __init__(
        self,
        columns: Sequence[str],
        *,
        id: str | None = None,
        flex: Mapping[int, Flex] | None = None,
        squeeze: Mapping[int, int] | None = None,
    ) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self._columns = list(columns)
        # The free-text columns (by index) that share the width left by the others
        # (widgets/fit.py): the short columns are never cut.
        self._flex: Mapping[int, Flex] = flex or {}
        self._squeeze: Mapping[int, int] = squeeze or {}  # narrowed only when short of room
        self._source: list[tuple[str, Sequence[Text]]] = []
        self._fitted_to = -1

    def on_mount(self) -> None:
        # Text labels: a str label goes through rich's markup parser, whose emoji table
        # (about 3 MB) is then loaded for nothing.
        self.add_columns(*(Text(label) for label in self._columns))

    _rows_pending = False

    def watch_cursor_coordinate(self, old: Coordinate, new: Coordinate) -> None:
        super().watch_cursor_coordinate(old, new)
        if old != new and self.cursor_type == "row" and not self._rows_pending:
            self._rows_pending = True
            self.call_after_refresh(self._prepare_rows)

    def _prepare_rows(self) -> None:
        """After the paint, while the app is idle: render the rows the next cursor move
        paints (the row above or below with the cursor on it, this row without), as
        DataTable will render them, into its own caches.

        A row reached by the cursor is rendered again in the cursor's colours, cell by
        cell through rich, and that was the largest part
        of a cursor key in a long table; the move now finds it rendered.  What is shown
        cannot differ: DataTable renders the rows itself, and a key it does not find (the
        styles changed meanwhile) is simply rendered then, as before.
        """
        self._rows_pending = False
        if not self.is_attached or not self.show_cursor or self.cursor_type != "row":
            return
        row, column = self.cursor_coordinate
        if not 0 <= row < self.row_count:
            return
        base_style = self.rich_style  # what render_line passes
        hover = self.hover_coordinate
        for target in (row + 1, row - 1):
            if 0 <= target < self.row_count:
                cursor = Coordinate(target, column)
                for index in (target, row):
                    key = self.coordinate_to_cell_key(Coordinate(index, 0)).row_key
                    for line in range(self.rows[key].height):
                        compat.render_table_row_line(self, index, line, base_style, cursor, hover)

    def focus_key(self, key: str) -> None:
        """Focus the table with the cursor on the row ``key`` (left where it is if gone)."""
        self.focus()
        if key:
            with contextlib.suppress(RowDoesNotExist):
                self.move_cursor(row=self.get_row_index(key))

    def selected_key(self) -> str | None:
        if self.row_count == 0:
            return None
        return self.key_at(self.cursor_row)

    def key_at(self, row: int) -> str | None:
        """The key of the row at index ``row`` (None when there is no such row)."""
        if not 0 <= row < self.row_count or not self.columns:
            return None
        key = self.coordinate_to_cell_key(Coordinate(row, 0)).row_key
        return None if key.value is None else str(key.value)

    def room(self) -> int:
        """The cells the columns' text can take: the width less each cell's padding and a
        vertical scrollbar (reserved always, so that a new row does not cut a column)."""
        width = self.size.width - self.styles.scrollbar_size_vertical
        return width - 2 * self.cell_padding * len(self._columns)

    def on_resize(self) -> None:
        if self._flex and self.size.width != self._fitted_to and self._source:
            self.fill(self._source)

    def fill(self, rows: Sequence[tuple[str, Sequence[Text]]], select: str | None = None) -> None:
        """Replace every row, keeping the cursor on ``select`` (or where it was).

        The flex columns' cells are cut to the width they share (before the first layout,
        when the width is not known yet, they are not: ``on_resize`` fits them then)."""
        keep = select if select is not None else self.selected_key()
        old_row = self.cursor_row
        self._source = list(rows)
        cells_of: list[Sequence[Text]] = [cells for _, cells in rows]
        labels = [Text(label) for label in self._columns]
        if self._flex and self.size.width:
            self._fitted_to = self.size.width
            fitted, widths = fit_cells(
                cells_of, self._columns, self.room(), self._flex, self._squeeze
            )
            cells_of = list(fitted)
            for label, width in zip(labels, widths, strict=False):
                label.truncate(max(width, 1), overflow="ellipsis")
        self.clear()
        for column, label in zip(self.columns.values(), labels, strict=False):
            column.label = label  # clear() keeps the widths of wider rows: start again
            column.content_width = label.cell_len
        for (key, _), cells in zip(rows, cells_of, strict=True):
            self.add_row(*cells, key=key)
        if not rows:
            return
        keys = [key for key, _ in rows]
        row = keys.index(keep) if keep in keys else min(old_row, len(rows) - 1)
        self.move_cursor(row=max(row, 0))


class ItemTable(FitTable):
    """The items of a step (outcomes, questions, pilots) with the verbs every step shares."""

    BINDINGS = [
        Binding("a", "screen.add_item", "Add", id="items.add"),
        Binding("e", "screen.edit_item", "Edit", id="items.edit"),
        Binding("d,delete", "screen.delete_item", "Delete", id="items.delete"),
        Binding("ctrl+up", "screen.move_item(-1)", "Move up", id="items.up", show=False),
        Binding("ctrl+down", "screen.move_item(1)", "Move down", id="items.down", show=False),
    ]


class _Guides(NamedTuple):
    """The tree's guide styles for one paint, as Tree works them out: each a style and the
    guide strings drawn in it (space, vertical, terminator, cross)."""

    base: tuple[Style, tuple[str, str, str, str]]
    hover: tuple[Style, tuple[str, str, str, str]]
    selected: tuple[Style, tuple[str, str, str, str]]


class ItemTree(OneStylePerPaint, Tree[str]):
    """A Tree of items (the reverse map) that renders each label once.

    Its lines come from the public line API: ``render_line`` draws the line from what Tree
    says in public (``get_node_at_line``, ``cursor_node``, ``hover_line``, each node's
    ``parent``, ``is_last``, ``label``, ``is_expanded``, ``allow_expand``) exactly as Tree
    draws it (the guides, then ``render_label``: the same segments), but the label's
    segments are kept.  A cursor move repaints every line under the node it leaves and the
    node it reaches (their guides change colour), and rendering a label with its styled
    facts was most of that work: those lines now reuse their label
    and redraw only the guides.  The one label a move changes, the line the cursor reaches,
    is rendered ahead for the lines above and below the cursor after each paint, while the
    app is idle (``_prepare_labels``).
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # (node id, expandable, expanded, line style, label style)
        #   -> (the label drawn, its segments)
        self._label_cache: LRUCache[tuple[Any, ...], tuple[Text, list[Segment]]] = LRUCache(1024)
        # (line, node id, expandable, expanded, guides, line style, label style, width)
        #   -> (the label drawn, the line)
        self._strips: LRUCache[tuple[Any, ...], tuple[Text, Strip]] = LRUCache(1024)
        self._guides: _Guides | None = None

    def render_lines(self, crop: Region) -> list[Strip]:
        self._guides = None  # worked out again once per paint (the CSS may have changed)
        return super().render_lines(crop)

    def _guide_styles(self) -> _Guides:
        if self._guides is None:

            def guides(component: str, style: Style) -> tuple[Style, tuple[str, str, str, str]]:
                """The strings of Tree's guides (a transparent colour hides them)."""
                hidden = self.get_component_styles(component).color.a == 0
                if self.show_guides and not hidden:
                    lines = self.LINES["default"]
                    if style.bold:
                        lines = self.LINES["bold"]
                    elif style.underline2:
                        lines = self.LINES["double"]
                else:
                    lines = ("  ", "  ", "  ", "  ")
                depth = max(0, self.guide_depth - 2)
                a, b, c, d = (f"{chars[0]}{chars[1] * depth} " for chars in lines)
                return style, (a, b, c, d)

            base = self.get_component_rich_style("tree--guides", partial=True)
            hover = base + self.get_component_rich_style("tree--guides-hover", partial=True)
            selected = base + self.get_component_rich_style("tree--guides-selected", partial=True)
            self._guides = _Guides(
                guides("tree--guides", base),
                guides("tree--guides-hover", hover),
                guides("tree--guides-selected", selected),
            )
        return self._guides

    def _path(self, node: TreeNode[str]) -> list[TreeNode[str]]:
        """The nodes from the first one drawn (the root, if shown) down to ``node``."""
        path = [node]
        parent = node.parent
        while parent is not None:
            path.append(parent)
            parent = parent.parent
        if not self.show_root and len(path) > 1:
            path.pop()  # the root: its children are drawn at the left edge
        path.reverse()
        return path

    def _hover_node(self) -> TreeNode[str] | None:
        return self.get_node_at_line(self.hover_line) if self.hover_line >= 0 else None

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        width = self.size.width
        base_style = self.rich_style
        y += scroll_y
        node = self.get_node_at_line(y)
        if node is None:
            return Strip.blank(width, base_style)
        return self._draw_line(y, node, base_style).crop(scroll_x, scroll_x + width)

    def _draw_line(self, y: int, node: TreeNode[str], base_style: Style) -> Strip:
        path = self._path(node)
        hover_node = self._hover_node()
        cursor_node = self.cursor_node
        has_focus = self.has_focus
        guides = self._guide_styles()
        is_hover = hover_node is not None and any(n is hover_node for n in path)
        line_style = self._line_style(y, is_hover, base_style)

        # The guides: one segment each, styled as Text.render would (line style + guide's).
        parts: list[tuple[str, Style]] = []
        guide_style, strings = guides.base
        hover = path[0] is hover_node
        selected = path[0] is cursor_node and has_focus
        for step in path[1:]:
            guide_style, strings = guides.base
            if hover:
                guide_style, strings = guides.hover
            if selected:
                guide_style, strings = guides.selected
            if step is not node:
                parts.append((strings[0] if step.is_last else strings[1], line_style + guide_style))
            hover = hover or step is hover_node
            selected = (selected or step is cursor_node) and has_focus
        if len(path) > 1:
            parts.append((strings[2] if node.is_last else strings[3], line_style + guide_style))

        label_style = self._label_style(y, cursor=self.cursor_line == y)
        label = node.label
        width = max(self.virtual_size.width, self.size.width)
        key = (y, node.id, node.allow_expand, node.is_expanded, tuple(parts)) + (
            line_style,
            label_style,
            width,
        )
        cached = self._strips.get(key)
        if cached is not None and cached[0] is label:  # set_label makes a new Text
            return cached[1]  # the same line: Strip.crop finds it cropped before
        segments = [Segment(text, style) for text, style in parts]
        segments.extend(self._label_segments(node, line_style, label_style))
        pad = width - Segment.get_line_length(segments)
        if pad > 0:
            segments.append(Segment(" " * pad, line_style))
        strip = Strip(segments)
        if isinstance(label, Text):
            self._strips[key] = (label, strip)
        return strip

    def _line_style(self, y: int, is_hover: bool, base_style: Style) -> Style:
        if is_hover:
            line_style = self.get_component_rich_style("tree--highlight-line")
        else:
            line_style = base_style
        return line_style + Style(meta={"line": y})

    def _label_style(self, y: int, cursor: bool) -> Style:
        label_style = self.get_component_rich_style("tree--label", partial=True)
        if self.hover_line == y:
            label_style += self.get_component_rich_style("tree--highlight", partial=True)
        if cursor:
            label_style += self.get_component_rich_style("tree--cursor", partial=False)
        return label_style

    def _label_segments(
        self, node: TreeNode[str], line_style: Style, label_style: Style
    ) -> list[Segment]:
        """The label's segments: rendered once per look (label, cursor, hover, line)."""
        label = node.label
        key = (node.id, node.allow_expand, node.is_expanded, line_style, label_style)
        cached = self._label_cache.get(key)
        if cached is not None and cached[0] is label:  # set_label makes a new Text
            return cached[1]
        drawn = self.render_label(node, line_style, label_style).copy()
        drawn.stylize(Style(meta={"node": node.id}))
        text = Text(style=line_style)  # as if appended to the guides, whose style it is
        text.append(drawn)
        segments = list(text.render(self.app.console))
        if isinstance(label, Text):
            self._label_cache[key] = (label, segments)
        return segments

    def get_label_width(self, node: TreeNode[str]) -> int:
        """Tree's answer (the cell length of ``render_label``) without rendering the label:
        scrolling the cursor into view asks for it on every move."""
        if node.allow_expand:
            prefix = self.ICON_NODE_EXPANDED if node.is_expanded else self.ICON_NODE
        else:
            prefix = ""
        label = node.label
        return cell_len(prefix) + (label.cell_len if isinstance(label, Text) else cell_len(label))

    _labels_pending = False

    def watch_cursor_line(self, previous_line: int, line: int) -> None:
        super().watch_cursor_line(previous_line, line)
        if previous_line != line and not self._labels_pending:
            self._labels_pending = True
            self.call_after_refresh(self._prepare_labels)

    def _prepare_labels(self) -> None:
        """After the paint, while the app is idle: the labels of the lines above and below
        the cursor, in the cursor's colours, so the next move finds them rendered (the
        label of the line the cursor reaches was the one label a move had to render)."""
        self._labels_pending = False
        if not self.is_attached:
            return
        base_style = self.rich_style  # what render_line passes
        hover_node = self._hover_node()
        for y in (self.cursor_line + 1, self.cursor_line - 1):
            node = self.get_node_at_line(y) if y >= 0 else None
            if node is not None:
                is_hover = hover_node is not None and any(n is hover_node for n in self._path(node))
                line_style = self._line_style(y, is_hover, base_style)
                self._label_segments(node, line_style, self._label_style(y, True))


class Detail(compat.KeptLines, Static):
    """The detail panel under a list: a fixed height (app.tcss ``.detail``), so updating its
    text never re-lays-out the screen (a cursor move stays one paint).

    Drawing the panel (wrapping and styling its lines) was the largest cost of a cursor
    move, so :meth:`show` names what it shows with a key (the item and the session's edit
    mark) and the panel keeps the lines it drew per key:

    - an item shown before, or drawn ahead by :meth:`prepare_later` (the screens ask for
      the items either side of the cursor: drawn after the paint, while the app is idle),
      is only swapped in;
    - only the lines that differ from what is on screen are repainted.
    """

    CACHED = 64  # items remembered: a screenful of rows either side of the cursor

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._markup: bool = kwargs.get("markup", True)  # as Static reads its content
        self._key: Hashable = None
        self._contents: LRUCache[Hashable, VisualType] = LRUCache(self.CACHED)
        self._drawn: LRUCache[Hashable, list[Strip]] = LRUCache(self.CACHED)
        self._changed_lines: list[int] | None = None
        self._pending: list[tuple[Hashable, Callable[[], VisualType]]] = []
        self._prepare_scheduled = False

    @property
    def key(self) -> Hashable:
        """The key of what is shown (None after a plain :meth:`update`)."""
        return self._key

    def update(self, content: VisualType = "", *, layout: bool = False) -> None:
        self._key = None
        super().update(content, layout=layout)

    def show(self, key: Hashable, build: Callable[[], VisualType]) -> None:
        """Show what ``build`` makes for ``key``: built and drawn the first time only."""
        if key is None:
            self.update(build())
            return
        if key == self._key:
            return
        content = self._content_for(key, build)
        old = compat.lines_on_screen(self)
        new = self._draw(key, build)
        self._changed_lines = None
        if new is not None and old is not None and len(old) == len(new):
            pairs = zip(old, new, strict=True)
            self._changed_lines = [y for y, (a, b) in enumerate(pairs) if a != b]
        super().update(content, layout=False)  # calls refresh(): see there
        self._key = key

    def refresh(
        self,
        *regions: Region,
        repaint: bool = True,
        layout: bool = False,
        recompose: bool = False,
    ) -> Any:
        """From :meth:`show`: repaint the lines that changed only (the border never does)."""
        lines, self._changed_lines = self._changed_lines, None
        if lines is not None and not (regions or layout or recompose):
            if not lines:  # the same lines: nothing to paint, but forget the old visual
                compat.forget_layout(self)
                return self
            width = self.size.width
            regions = tuple(Region(0, y, width, 1) for y in lines)
        return super().refresh(*regions, repaint=repaint, layout=layout, recompose=recompose)

    def prepare_later(self, items: Sequence[tuple[Hashable, Callable[[], VisualType]]]) -> None:
        """Build and draw ``items`` (key, build) after the next paint, while the app is idle:
        the next cursor move then only swaps lines in."""
        self._pending = list(items)
        if self._pending and not self._prepare_scheduled:
            self._prepare_scheduled = True
            self.call_after_refresh(self._prepare_pending)

    def _prepare_pending(self) -> None:
        self._prepare_scheduled = False
        pending, self._pending = self._pending, []
        for key, build in pending:
            self._draw(key, build)

    def _draw(self, key: Hashable, build: Callable[[], VisualType]) -> list[Strip] | None:
        """The lines for ``key`` at the current size (None when they cannot be drawn yet)."""
        width, height = self.size
        if not width or not self.is_attached or self.text_selection is not None:
            return None
        drawn_key = self._drawn_key(key)
        strips = self._drawn.get(drawn_key)
        if strips is None:
            visual = visualize(self, self._content_for(key, build), markup=self._markup)
            strips = Visual.to_strips(self, visual, width, height, self.visual_style)
            self._drawn[drawn_key] = strips
        return strips

    def _content_for(self, key: Hashable, build: Callable[[], VisualType]) -> VisualType:
        content = self._contents.get(key)
        if content is None:
            content = self._contents[key] = build()
        return content

    def _drawn_key(self, key: Hashable) -> Hashable:
        # The lines depend on the size, the panel's colours and the theme's variables.
        return (key, self.size, self.visual_style, self.app.theme)

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._drawn.clear()

    def kept_lines(self) -> list[Strip] | None:
        """The lines kept for what is shown (compat.KeptLines asks before rendering them);
        not while text is selected: the selection is drawn into them."""
        if self._key is None or self.text_selection is not None:
            return None
        return self._drawn.get(self._drawn_key(self._key))

    def lines_rendered(self, lines: list[Strip]) -> None:
        if self._key is not None and self.text_selection is None:
            self._drawn[self._drawn_key(self._key)] = lines
