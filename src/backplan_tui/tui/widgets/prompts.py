"""The guiding prompts above a step: as many *whole* prompts as fit, never half a sentence.

The block is capped by its CSS ``max-height`` (3 lines normally, more in presenter view,
see app.tcss ``.prompts``).  A plain Static would cut the last prompt mid-sentence at that
line; this widget leaves out the prompts that do not fit instead, recomputed for the width
it is given and for the current cap (the presenter class changes it).
"""

from __future__ import annotations

from collections.abc import Sequence

from textual.app import RenderResult
from textual.content import Content
from textual.css.scalar import Unit
from textual.geometry import Size
from textual.widget import Widget


class Prompts(Widget):
    """Blocks of literal Content (one per prompt), shown whole or not at all.

    The first block is always shown, even when it alone is taller than the cap.
    """

    def __init__(
        self, blocks: Sequence[Content], *, id: str | None = None, classes: str | None = None
    ) -> None:
        super().__init__(id=id, classes=classes)
        self.blocks = list(blocks)

    def update(self, blocks: Sequence[Content]) -> None:
        self.blocks = list(blocks)
        self.refresh(layout=True)

    def _max_lines(self) -> int | None:
        cap = self.styles.max_height
        if cap is None or cap.unit != Unit.CELLS:
            return None
        return int(cap.value)

    def fitting(self, width: int) -> Content:
        """The blocks that fit in ``width`` cells and the height cap, joined by newlines."""
        budget = self._max_lines()
        shown: list[Content] = []
        used = 0
        for block in self.blocks:
            lines = len(block.wrap(max(width, 1)))
            if shown and budget is not None and used + lines > budget:
                break
            shown.append(block)
            used += lines
        return Content("\n").join(shown)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        if not width:
            return 0
        return len(self.fitting(width).wrap(width))

    def render(self) -> RenderResult:
        return self.fitting(self.content_size.width)
