"""Every private Textual name backplan uses, in this one module.

Written for textual 8.2.8 (``WRITTEN_FOR``), whose private names can change in any release.
tests/unit/test_textual_compat.py checks that each name used here still exists with the
shape used here, and fails naming the installed Textual version when one does not;
tests/unit/test_public_textual.py checks that no other module uses a private Textual name.

Each use is a speed-up of a cursor move or a detail panel (what it saves is said where it is
used, in tui/widgets/items.py); none changes what is shown.  If one breaks on a new Textual,
the way out is to drop the speed-up (the public path it stands in front of still works), not
to copy more of Textual.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from rich.style import Style
from textual.app import App
from textual.coordinate import Coordinate
from textual.geometry import Size
from textual.strip import Strip
from textual.widget import Widget, _RenderCache

if TYPE_CHECKING:  # DataTable's module is not loaded at start (the app imports this module)
    from textual.widgets import DataTable

WRITTEN_FOR = "8.2.8"


@contextmanager
def component_styles_kept(widget: Widget) -> Iterator[None]:
    """Keep ``widget``'s cache of component styles across what runs inside (a refresh of
    some regions empties it: ``Widget.refresh`` sets ``_rich_style_cache = {}``)."""
    kept = widget._rich_style_cache
    widget._rich_style_cache = {}
    try:
        yield
    finally:
        widget._rich_style_cache = kept


def render_table_row_line(
    table: DataTable[Any],
    row: int,
    line: int,
    base_style: Style,
    cursor: Coordinate,
    hover: Coordinate,
) -> None:
    """Render line ``line`` of the row at index ``row`` into DataTable's own caches, as its
    ``render_line`` would with the cursor at ``cursor`` (``DataTable._render_line_in_row``)."""
    key = table.coordinate_to_cell_key(Coordinate(row, 0)).row_key
    table._render_line_in_row(key, line, base_style, cursor, hover)


class QuietHoverCursor:
    """DataTable switches the mouse's hover cursor off on every cursor key and repaints the
    row under the mouse each time (``_set_hover_cursor``); only a switch (off -> on, on ->
    off) shows, so only a switch is passed on.  A mixin: put it before DataTable."""

    _show_hover_cursor: bool

    def _set_hover_cursor(self, active: bool) -> None:
        if active != self._show_hover_cursor:
            super()._set_hover_cursor(active)  # type: ignore[misc]


def lines_on_screen(widget: Widget) -> list[Strip] | None:
    """The lines ``widget`` last rendered, if they are what is on screen now (rendered at
    its current size and nothing marked dirty since); else None."""
    cache = widget._render_cache
    if cache.size != widget.size or widget._dirty_regions:
        return None
    return cache.lines


def forget_layout(widget: Widget) -> None:
    """Forget the visual ``widget`` measured for layout (after its content changed without
    a refresh): ``Widget._layout_cache``."""
    widget._layout_cache.clear()


class KeptLines(Widget):
    """A widget whose rendered lines can be handed over instead of rendered.

    ``Widget._render_content`` renders all the lines into ``_render_cache``; here it first
    asks :meth:`kept_lines` (None: render as usual, then :meth:`lines_rendered` is told).
    A mixin: put it before the widget class."""

    def kept_lines(self) -> list[Strip] | None:
        return None

    def lines_rendered(self, lines: list[Strip]) -> None:
        pass

    def _render_content(self) -> None:
        lines = self.kept_lines()
        if lines is None:
            super()._render_content()
            self.lines_rendered(self._render_cache.lines)
        else:
            self._render_cache = _RenderCache(self.size, lines)
            self._dirty_regions.clear()


def refresh_ansi_filter(app: App[Any]) -> None:
    """Map ANSI colours to the current theme's (light or dark) terminal palette, as setting
    ``App.theme`` does (``App._refresh_truecolor_filter``), for an app that chose its theme
    before it runs (BackplanApp._start_theme)."""
    app._refresh_truecolor_filter(app.ansi_theme)


def app_driver(app: App[Any]) -> Any:
    """The app's driver, or None (``App._driver``): the signal watchdog restores the
    terminal through it when the app's loop cannot (BackplanApp._restore_terminal)."""
    return app._driver


def update_scrollbars(widget: Widget, virtual_size: Size) -> None:
    """Update a widget's scrollbars for a new virtual size without laying out the screen
    (``Widget._scroll_update``, what ``_size_updated`` does with ``layout=False``): the home
    list's height changes on every filter key (SessionList._set_height)."""
    widget._scroll_update(virtual_size)


_steady_input: type[Any] | None = None


def steady_input_class() -> type[Any]:
    """An ``Input`` whose typing does not lay its screen out again (made on first use: the
    Input module is loaded when home's filter first opens).

    On every change ``Input._watch_value`` sets ``virtual_size = Size(content_width, 1)``,
    and a layout of the screen sets it back to the size the layout found: two values that
    differ, so every key lays the whole screen out again (about 20 ms a key on home with
    10,000 sessions, issue 21).  The size is set first here without its refresh
    (``set_reactive``), so the watcher finds it already as it wants it.  A one-line Input
    of a fixed width (home's compact filter) needs no layout when its text changes."""
    global _steady_input
    if _steady_input is None:
        from textual.widgets import Input

        class SteadyInput(Input):
            def _watch_value(self, value: str) -> None:
                self.set_reactive(Widget.virtual_size, Size(self.content_width, 1))
                super()._watch_value(value)

        _steady_input = SteadyInput
    return _steady_input
