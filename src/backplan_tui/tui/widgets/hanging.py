"""A list row with a hanging indent: a fixed-width head, then a body whose wrapped lines
start under the body, not at the row's left edge.

Content wraps every line back to column 0, so a long finding or theme description read as
a new row ("restart at column 2").  :class:`Hanging` renders the body at the width left
after the head and pads each further line by the head's width.
"""

from __future__ import annotations

from textual.content import Content
from textual.css.styles import RulesMap
from textual.strip import Strip
from textual.style import Style
from textual.visual import RenderOptions, Visual


class Hanging(Visual):
    """``head`` (cut or padded to ``indent`` cells) then ``body`` wrapped under itself."""

    def __init__(self, head: Content, body: Content, indent: int) -> None:
        self.head = head
        self.body = body
        self.indent = indent

    @property
    def plain(self) -> str:
        return self.head.plain + self.body.plain

    def _body_width(self, width: int) -> int:
        return max(width - self.indent, 1)

    def render_strips(
        self, width: int, height: int | None, style: Style, options: RenderOptions
    ) -> list[Strip]:
        if width <= self.indent:  # no room to hang: the two, one after the other
            return Content.assemble(self.head, self.body).render_strips(
                width, height, style, options
            )
        [head] = self.head.render_strips(self.indent, 1, style, options)[:1] or [Strip([])]
        head = head.crop_extend(0, self.indent, style.rich_style)
        blank = Strip.blank(self.indent, style.rich_style)
        lines = self.body.render_strips(self._body_width(width), None, style, options)
        rows = [Strip.join([head if i == 0 else blank, line]) for i, line in enumerate(lines)]
        return rows[:height] if height is not None else rows

    def get_optimal_width(self, rules: RulesMap, container_width: int) -> int:
        inner = self.body.get_optimal_width(rules, self._body_width(container_width))
        return self.indent + inner

    def get_height(self, rules: RulesMap, width: int) -> int:
        if width <= self.indent:
            return Content.assemble(self.head, self.body).get_height(rules, width)
        return self.body.get_height(rules, self._body_width(width))
