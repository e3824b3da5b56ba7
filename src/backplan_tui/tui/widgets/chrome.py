"""The screen chrome: a one-line title bar, and a Footer that rebuilds only when it changes.

Both stand in for Textual's ``Header`` and ``Footer`` where start-up time counts (home):

- :class:`TitleBar` draws what ``Header(icon=...)`` draws (icon, then the screen's title and
  sub-title centred, ``App.format_title``) as one widget instead of four, and clicking the
  icon opens the command palette as the Header's does.
- :class:`Footer` shows the keys Textual's Footer shows, as one line.  Textual's mounts a
  widget per key (about 15, each styled: some 40 ms at start-up) and rebuilds them all on
  every "bindings updated" signal (a screen push, each focus change, each highlighted
  row); this one redraws its line at most once per refresh, when the keys shown change.
"""

from __future__ import annotations

from typing import Any

from rich.style import Style
from rich.text import Text
from textual.content import Content
from textual.events import Click, MouseDown
from textual.screen import Screen
from textual.widget import Widget

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


class Footer(Widget):
    """The keys of the screen's bindings on one line, drawn as one widget.

    It shows what Textual's Footer shows (each action's first key and its description, dim
    when the action is disabled, the command palette key on the right) and a click on a key
    presses it.  Textual's Footer mounts a widget per key and rebuilds them all on every
    "bindings updated" signal (each focus change, each highlighted row); this one redraws a
    line, at most once per refresh, and only when the keys shown have changed.
    """

    ALLOW_SELECT = False
    COMPONENT_CLASSES = {"footer--key", "footer--description"}
    DEFAULT_CSS = """
    Footer {
        dock: bottom;
        width: 1fr;
        height: 1;
        color: $footer-foreground;
        background: $footer-background;
        & > .footer--key {
            color: $footer-key-foreground;
            background: $footer-key-background;
            text-style: bold;
        }
        & > .footer--description {
            color: $footer-description-foreground;
            background: $footer-description-background;
        }
    }
    """

    def __init__(self, *, show_command_palette: bool = True, id: str | None = None) -> None:
        super().__init__(id=id)
        self.show_command_palette = show_command_palette
        self._pending = False
        self._shown: tuple[tuple[str, str, str, bool], ...] = ()
        self._palette: tuple[str, str] | None = None
        self._hits: list[tuple[int, int, str, bool]] = []  # (x from, x to, key, enabled)

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)
        self._update_keys()

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, screen: Screen[Any]) -> None:
        if self.is_attached and screen is self.screen and not self._pending:
            self._pending = True
            self.call_after_refresh(self._update_keys)

    def _update_keys(self) -> None:
        self._pending = False
        if not self.is_attached:
            return
        app = self.app
        seen: set[str] = set()
        shown: list[tuple[str, str, str, bool]] = []
        palette = None
        for key, (_, binding, enabled, _tip) in self.screen.active_bindings.items():
            if key == app.COMMAND_PALETTE_BINDING:
                if self.show_command_palette and app.ENABLE_COMMAND_PALETTE:
                    palette = (app.get_key_display(binding), binding.description)
                continue
            action = binding.action.removeprefix("app.")  # home's q and the app's ^q: Quit
            if not binding.show or action in seen:
                continue
            seen.add(action)
            shown.append((binding.key, app.get_key_display(binding), binding.description, enabled))
        keys = tuple(shown)
        if (keys, palette) != (self._shown, self._palette):
            self._shown, self._palette = keys, palette
            self.refresh()

    def render(self) -> Text:
        key_style = self.get_component_rich_style("footer--key")
        text_style = self.get_component_rich_style("footer--description")
        dim = Style(dim=True)
        line = Text(no_wrap=True, end="")
        hits = []
        for key, display, description, enabled in self._shown:
            start = line.cell_len
            line.append(f" {display} ", key_style if enabled else key_style + dim)
            if description:
                line.append(f"{description} ", text_style if enabled else text_style + dim)
            hits.append((start, line.cell_len, key, enabled))
        if self._palette is not None:
            display, description = self._palette
            right = Text.assemble(
                ("▏", Style(dim=True)), (f"{display}", key_style), (f" {description} ", text_style)
            )
            gap = self.size.width - line.cell_len - right.cell_len
            if gap < 0:  # too narrow: the keys are cut, the palette key stays
                line.truncate(max(self.size.width - right.cell_len, 0))
                hits = [h for h in hits if h[1] <= line.cell_len]
                gap = 0
            line.append(" " * gap)
            start = line.cell_len
            line.append_text(right)
            hits.append((start, line.cell_len, self.app.COMMAND_PALETTE_BINDING, True))
        self._hits = hits
        return line

    def on_mouse_down(self, event: MouseDown) -> None:
        for start, end, key, enabled in self._hits:
            if start <= event.x < end:
                if enabled:
                    self.app.simulate_key(key)
                else:
                    self.app.bell()
                return
