"""Control characters never reach a file, a widget or a terminal.

Stripped: C0 controls except tab and newline, DEL, and C1 controls.  A carriage return
pair (CRLF) becomes a newline.  Used on input (the app), on load (the codec) and before
printing (the CLI).
"""

from __future__ import annotations

import re

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_CONTROL_LINE = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def clean_text(value: str) -> str:
    """Multi-line text: keep tab and newline, drop every other control character."""
    if not value:
        return value
    value = value.replace("\r\n", "\n")
    return _CONTROL.sub("", value)


def clean_line(value: str) -> str:
    """Single-line text (titles, names): newlines and tabs become spaces, controls go."""
    if not value:
        return value
    value = value.replace("\r\n", " ").replace("\n", " ").replace("\t", " ")
    return _CONTROL_LINE.sub("", value)
