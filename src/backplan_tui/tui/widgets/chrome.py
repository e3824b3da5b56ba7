"""The screen chrome: a one-line title bar, and a Footer that rebuilds only when it changes.

Both stand in for Textual's ``Header`` and ``Footer`` where start-up time counts (home):

- :class:`TitleBar` draws what ``Header(icon=...)`` draws (icon, then the screen's title and
  sub-title centred, ``App.format_title``) as one widget instead of four, and clicking the
  icon opens the command palette as the Header's does.
- :class:`Footer` is Textual's Footer.  Textual's rebuilds every key (removes and mounts
  ~15 widgets, each styled) on every "bindings updated" signal: a screen push, each focus
  change, each highlighted row.  Opening home sent seven of them (about 130 ms); this one
  rebuilds once per refresh at most, and only when the keys it shows have changed.
"""

from __future__ import annotations

from typing import Any

from textual.content import Content
from textual.events import Click
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Footer as TextualFooter

ICON_WIDTH = 8  # Header's icon cell (padding 0 1)
CLOCK_SPACE = 10  # Header keeps this much free on the right for its clock


class TitleBar(Widget):
    """One line: the icon, then the screen's title and sub-title, centred."""

    DEFAULT_CSS = """
    TitleBar {
        dock: top;
        width: 100%;
        height: 1;
        background: $panel;
        color: $foreground;
    }
    """

    def __init__(self, icon: str = "◎", *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.icon = icon

    def on_mount(self) -> None:
        for node in (self.app, self.screen):
            self.watch(node, "title", self._title_changed, init=False)
            self.watch(node, "sub_title", self._title_changed, init=False)

    def _title_changed(self) -> None:
        self.refresh()

    def render(self) -> Content:
        screen = self.screen
        title = screen.title if screen.title is not None else self.app.title
        sub_title = screen.sub_title if screen.sub_title is not None else self.app.sub_title
        text = self.app.format_title(title, sub_title)
        room = max(self.size.width - ICON_WIDTH - CLOCK_SPACE, 0)
        text = text.truncate(room, ellipsis=True)
        left = (room - text.cell_length) // 2
        return Content.assemble(f" {self.icon}".ljust(ICON_WIDTH), " " * left, text)

    def on_click(self, event: Click) -> None:
        if event.x < ICON_WIDTH and self.app.ENABLE_COMMAND_PALETTE:
            event.stop()
            self.app.action_command_palette()


class Footer(TextualFooter):
    """Textual's Footer (every binding shown), rebuilt only when the shown keys change."""

    _pending = False
    _shown: tuple[Any, ...] | None = None

    def bindings_changed(self, screen: Screen[Any]) -> None:
        self._bindings_ready = True
        if not screen.app.app_focus:
            return
        if self.is_attached and screen is self.screen and not self._pending:
            self._pending = True
            self.call_after_refresh(self._rebuild)

    def _keys_shown(self) -> tuple[Any, ...]:
        app = self.app
        return (
            self.show_command_palette,
            self.compact,
            tuple(
                (key, binding.action, binding.description, app.get_key_display(binding))
                + (enabled, tooltip)
                for key, (_, binding, enabled, tooltip) in self.screen.active_bindings.items()
                if binding.show or key == app.COMMAND_PALETTE_BINDING
            ),
        )

    async def _rebuild(self) -> None:
        self._pending = False
        if not self.is_attached:
            return
        shown = self._keys_shown()
        if shown != self._shown:
            self._shown = shown
            await self.recompose()
