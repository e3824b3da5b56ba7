"""SummaryView: the Summary screen's text, drawn line by line.

Textual's Markdown widget made a widget per block (thousands for a big plan: 20 s and 330 MB
at 500 map items, nothing after two minutes at 5,000).  This widget holds the summary as
ready-made lines (``tui/summary_layout.py``) and draws only the rows on screen; a line's
segments are made the first time it is shown and kept until the lines, the width or the
styles change.

- While the screen builds the lines (in a worker) the view says so ("Building summary…").
- The lines are laid out for one width; when the view's width changes it posts
  :class:`SummaryView.Relayout` and the screen lays the blocks out again (until then the old
  lines are cut or padded to the new width).
- Keys: the scroll keys of any scrollable view (up/down, page up/down, home/end).
- Headings, table headers and rules take their styles from component classes (the headings
  from the theme's ``$markdown-h*`` variables, as the Markdown widget did).
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from backplan_tui.tui.summary_layout import MIN_WIDTH, Line

BUILDING = "Building summary…"
CACHE_LINES = 1000  # strips kept; more than any screen shows, cleared when full


class SummaryView(ScrollView, can_focus=True):
    COMPONENT_CLASSES = {
        "summary-view--h1",
        "summary-view--h2",
        "summary-view--h3",
        "summary-view--th",
        "summary-view--rule",
        "summary-view--building",
    }

    DEFAULT_CSS = """
    SummaryView {
        height: 1fr;
        background: $surface;
        color: $foreground;
        padding: 0 1;
        overflow-x: hidden;  /* the lines fit the width */
        scrollbar-gutter: stable;  /* the width does not change when the scrollbar appears */
        &:focus {
            background-tint: $foreground 5%;
        }
        & > .summary-view--h1 {
            color: $markdown-h1-color;
            text-style: $markdown-h1-text-style;
        }
        & > .summary-view--h2 {
            color: $markdown-h2-color;
            text-style: bold $markdown-h2-text-style;
        }
        & > .summary-view--h3 {
            color: $markdown-h3-color;
            text-style: bold;
        }
        & > .summary-view--th {
            text-style: bold;
        }
        & > .summary-view--rule {
            color: $foreground-muted;
        }
        & > .summary-view--building {
            color: $foreground-muted;
            text-style: italic;
        }
    }
    """

    class Relayout(Message):
        """The view's width changed: its lines should be laid out again at ``width``."""

        def __init__(self, view: SummaryView, width: int) -> None:
            super().__init__()
            self.view = view
            self.width = width

        @property
        def control(self) -> SummaryView:
            return self.view

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._lines: list[Line] = []
        self._width = 0  # the width the lines were laid out for (0: none yet)
        self._building = True
        self._strips: dict[int, Strip] = {}
        self._base_style: Style | None = None

    # --- content -----------------------------------------------------------------------------

    @property
    def building(self) -> bool:
        return self._building

    @property
    def laid_out_width(self) -> int:
        return self._width

    @property
    def line_count(self) -> int:
        return len(self._lines)

    def content_width(self) -> int:
        """The cells a line may take (0 before the first layout of the view)."""
        return self.scrollable_content_region.width

    def show_building(self) -> None:
        """Say that the summary is being built (the lines shown so far stay, if any)."""
        self._building = True
        if not self._lines:
            self.refresh()

    def show(self, lines: Sequence[Line], width: int) -> None:
        """Show ``lines``, laid out for ``width`` cells; the scroll position is kept."""
        self._lines = list(lines)
        self._width = width
        self._building = False
        self._strips.clear()
        self.virtual_size = Size(width, len(self._lines))
        self.refresh()

    def text(self) -> str:
        """Everything shown, as plain text (one line per row)."""
        return "\n".join(line.plain.rstrip() for line in self._lines)

    # --- events ------------------------------------------------------------------------------

    def on_resize(self, event: events.Resize) -> None:
        self._strips.clear()
        width = self.content_width()
        if self._width and width and max(width, MIN_WIDTH) != max(self._width, MIN_WIDTH):
            self.post_message(self.Relayout(self, width))

    def notify_style_update(self) -> None:
        self._base_style = None
        self._strips.clear()
        super().notify_style_update()

    # --- drawing -----------------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        width = self.content_width()
        base = self._base_style
        if base is None:
            base = self._base_style = self.rich_style
        row = self.scroll_offset.y + y
        if not self._lines:
            if y == 0 and self._building:
                style = base + self.get_component_rich_style("summary-view--building")
                return Strip([Segment(BUILDING, style)]).adjust_cell_length(width, base)
            return Strip.blank(width, base)
        if row >= len(self._lines):
            return Strip.blank(width, base)
        strip = self._strips.get(row)
        if strip is None or strip.cell_length != width:
            if len(self._strips) >= CACHE_LINES:
                self._strips.clear()
            line = self._lines[row]
            style = base
            if line.kind != "body":
                style = base + self.get_component_rich_style(f"summary-view--{line.kind}")
            segments = Segment.apply_style(line.text().render(self.app.console), style)
            strip = self._strips[row] = Strip(segments).adjust_cell_length(width, base)
        return strip
