"""Control characters never reach a file, a widget or a terminal.

Stripped: C0 controls except tab and newline, DEL, and C1 controls.  A carriage return
pair (CRLF) becomes a newline.  Used on input (the app), on load (the codec) and before
printing (the CLI).

Bidirectional override and isolate characters (U+202A-U+202E, U+2066-U+2069) are not
dropped silently and not left to reorder the text around them ("Trojan source"): each one is
replaced by a visible marker such as ``⟨U+202E⟩`` so a reader sees that it was there.
The marker contains no such character, so cleaning twice gives the same text.

Also here, because the command line and the exports both need them and this module loads
nothing: cutting text (``shorten``), its width in terminal cells (``cell_width``) and a UTC
time stamp (``stamp``).
"""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, datetime


class _Patterns:
    """The regular expressions, compiled on first use, not at import: the app's start-up,
    whose text is printable, needs none of them."""

    def __init__(self) -> None:
        self.control = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
        self.control_line = re.compile(r"[\x00-\x1f\x7f-\x9f]")
        self.bidi = re.compile("[\u202a-\u202e\u2066-\u2069]")
        # Anything ``clean_text`` would change (a CR is in \x0b-\x1f).
        self.text_changes = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
        # Below U+0300 every character takes one cell: no combining marks, no wide characters.
        self.maybe_not_one_cell = re.compile("[^\x00-\u02ff]")


_compiled: _Patterns | None = None


def _patterns() -> _Patterns:
    global _compiled
    if _compiled is None:
        _compiled = _Patterns()
    return _compiled


def bidi_marker(char: str) -> str:
    """The visible stand-in for one bidi control character: ``⟨U+202E⟩``."""
    return f"\u27e8U+{ord(char):04X}\u27e9"


def show_bidi(value: str) -> str:
    """Replace each bidi override/isolate character with its visible marker."""
    if not value:
        return value
    return _patterns().bidi.sub(lambda match: bidi_marker(match.group()), value)


def clean_text(value: str) -> str:
    """Multi-line text: keep tab and newline, drop every other control character,
    show bidi overrides as markers."""
    # Every character changed below is not printable (nor are tab and newline, which stay).
    if not value or value.isprintable():
        return value
    patterns = _patterns()
    if not patterns.text_changes.search(value):
        return value
    value = value.replace("\r\n", "\n")
    return show_bidi(patterns.control.sub("", value))


def clean_line(value: str) -> str:
    """Single-line text (titles, names): newlines and tabs become spaces, controls go,
    bidi overrides are shown as markers."""
    # Every character changed below (C0, DEL, C1, bidi controls) is not printable.
    if not value or value.isprintable():
        return value
    value = value.replace("\r\n", " ").replace("\n", " ").replace("\t", " ")
    return show_bidi(_patterns().control_line.sub("", value))


def shorten(text: str, width: int) -> str:
    """``text`` cut to ``width`` characters, ending in "…" when it was longer."""
    return text if len(text) <= width else text[: max(width - 1, 0)].rstrip() + "…"


def stamp(value: datetime | None) -> str:
    """A timestamp in UTC to the minute: "2026-11-22 14:10 UTC"."""
    if value is None:
        return ""
    if value.tzinfo is not None:
        try:
            value = value.astimezone(UTC)
        except OverflowError:  # near year 1 or 9999 (a forged index): shown with its offset
            return value.isoformat(" ", "minutes")
    if value.year >= 1000:  # four digits: isoformat's text, a third of strftime's time
        return f"{value.isoformat(' ', 'minutes')[:16]} UTC"
    return value.strftime("%Y-%m-%d %H:%M UTC")


def split_names(value: str) -> list[str]:
    """ "Dana, Lee,, dana" -> ["Dana", "Lee", "dana"]: trimmed, blanks and repeats dropped."""
    names = (clean_line(part).strip() for part in value.split(","))
    return list(dict.fromkeys(name for name in names if name))


def char_width(char: str) -> int:
    """How many terminal cells one character takes: 0 (combining), 2 (wide) or 1."""
    if unicodedata.combining(char):
        return 0
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def cell_width(text: str) -> int:
    """How many terminal cells ``text`` takes (wide East Asian characters count as two,
    combining marks as zero); only characters from U+0300 up are looked at one by one."""
    if text.isascii():
        return len(text)
    wide = _patterns().maybe_not_one_cell.findall(text)
    return len(text) + sum(char_width(c) - 1 for c in wide)
