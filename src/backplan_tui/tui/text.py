"""The one way user text becomes something Textual renders.

Anything a person typed, or that came from a session file, is untrusted.  Textual parses
plain strings as content markup (``[b]``, ``[@click=app.quit]``) and crashes on ``[/]``;
``escape()`` is not enough (Textual issue #6525).  So user text reaches a widget only through
the helpers below, which strip control characters and build literal ``Content`` /
``rich.text.Text`` objects.  Markup written by us (never containing user text directly) goes
through :func:`fmt`, whose variables are inserted literally.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.content import Content
from textual.notifications import SeverityLevel

from backplan_tui.core.textclean import clean_line, clean_text, shorten


def safe(value: object, style: str = "") -> Content:
    """One line of user text as literal Content (newlines folded to spaces)."""
    text = clean_line("" if value is None else str(value))
    return Content.styled(text, style) if style else Content(text)


def safe_block(value: object, style: str = "") -> Content:
    """Multi-line user text as literal Content."""
    text = clean_text("" if value is None else str(value))
    return Content.styled(text, style) if style else Content(text)


def cell(value: object, style: str = "", width: int | None = None) -> Text:
    """A literal rich Text, for DataTable cells and Tree labels (which parse ``str`` as markup).

    With ``width``, longer text is cut with an ellipsis so a table fits 80 columns.
    """
    text = clean_line("" if value is None else str(value))
    if width is not None:
        text = shorten(text, width)
    return Text(text, style=style)


def fmt(template: str, **values: object) -> Content:
    """Our own markup with user values inserted literally: ``fmt("Saved [b]$name", name=t)``."""
    cleaned = {k: clean_line("" if v is None else str(v)) for k, v in values.items()}
    return Content.from_markup(template, **cleaned)


def plain(value: object) -> str:
    """User text cleaned for places that take a literal str (Input.value, TextArea.text,
    notification titles, Header titles, which Textual renders literally)."""
    return clean_line("" if value is None else str(value))


def toast(
    node: Any,
    message: str,
    *,
    title: str = "",
    severity: SeverityLevel = "information",
    timeout: float | None = None,
) -> None:
    """A notification whose message (which may hold user text) is shown literally."""
    node.notify(
        clean_text(message),
        title=clean_line(title),
        severity=severity,
        timeout=timeout,
        markup=False,
    )
