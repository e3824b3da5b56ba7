"""Conflicts on screen: the mark on an item's row and the lines in its detail.

A merge that met two edits of one field keeps ours in place and theirs as a conflict
(``core.conflicts``).  The step screens mark such an item ("⚠" before its name: a word-like
sign, not a colour) and its detail says whose value waits and what it is; ``!`` opens the
Conflicts dialog (``screens/conflicts.py``), where one key settles each.  User text goes
through the safe-text helpers (``tui/text.py``).
"""

from __future__ import annotations

from rich.text import Text
from textual.content import Content

from backplan_tui.core import conflicts
from backplan_tui.core.model import Session
from backplan_tui.tui.text import cell, safe

MARK = "⚠ "
NOTE_STYLE = "b $warning"


def conflicted_ids(session: Session, where: str) -> set[str]:
    """The ids of the items in ``where`` ("questions", "map", ...) that have a conflict."""
    return {c.item for c in session.conflicts if c.where == where and c.item}


def marked(value: object, conflicted: bool, width: int | None = None, style: str = "") -> Text:
    """A table cell or tree label with "⚠ " in front when the item has a conflict (the
    text cut two cells shorter then, so the column keeps its width)."""
    if not conflicted:
        return cell(value, style, width)
    text = Text(MARK, style="bold")
    text.append_text(cell(value, style, None if width is None else max(width - len(MARK), 1)))
    return text


def notes(session: Session, where: str, item_id: str) -> list[Content]:
    """The detail's lines for an item: "⚠ Ben also changed prompt: <their value> (! to
    resolve)", one per conflict on it."""
    return [
        Content.assemble(safe(MARK + conflicts.note(c), NOTE_STYLE), ("  ! resolves", "dim"))
        for c in session.conflicts
        if c.where == where and c.item == item_id
    ]
