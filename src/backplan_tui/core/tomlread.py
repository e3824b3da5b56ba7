"""Reading a TOML file that may be hostile: the one reader of sessions, settings and themes.

``parse`` is ``tomllib.loads`` that refuses tables and arrays nested more than ``MAX_DEPTH``
deep, cleanly: without it, arrays or inline tables nested a thousand deep end in a
``RecursionError`` (in tomllib, or later in whatever walks the data), and a dotted key of
20,000 parts takes tomllib half a minute.  No Textual here, and nothing heavier than
``tomllib`` (imported when first used): the settings are read at every start.
"""

from __future__ import annotations

import json
import re
from itertools import repeat
from typing import Any

__all__ = ["MAX_DEPTH", "NestingError", "check_depth", "has_long_dotted_key", "parse"]

MAX_DEPTH = 32  # tables and arrays inside each other; a session needs about 6


class NestingError(ValueError):
    """Data nested too deep; ``field`` is ``"(toml)"`` or the top-level key that holds it."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        self.message = message
        super().__init__(f"{field}: {message}")


_SIMPLE_KEY = re.compile(r"[A-Za-z0-9_-]+")

# A dotted key (``a.b.c = 1``) or table header (``[a.b.c]``) of many parts: tomllib takes
# time quadratic in the number of parts (20,000 parts: half a minute), so such keys are
# refused before parsing.  Possessive quantifiers and the look-behind keep this scan linear.
_KEY_PART = r"""(?:[A-Za-z0-9_-]++|"(?:[^"\\\n]|\\.)*+"|'[^'\n]*+')"""
_DOTTED_KEY = re.compile(rf"(?<![A-Za-z0-9_-]){_KEY_PART}(?:[ \t]*+\.[ \t]*+{_KEY_PART})++")


def has_long_dotted_key(text: str) -> bool:
    """Whether a key of more than ``MAX_DEPTH`` dotted parts is followed by ``=`` or ``]``.

    Such a key lies on one line (none of its parts can hold a newline) with ``MAX_DEPTH``
    dots or more, so only lines with that many dots are scanned -- in a session file, none.
    """
    if text.count(".") < MAX_DEPTH:
        return False
    lines = text.split("\n")
    if max(map(str.count, lines, repeat("."))) < MAX_DEPTH:
        return False
    for line in lines:
        if line.count(".") < MAX_DEPTH:
            continue
        for match in _DOTTED_KEY.finditer(line):
            if match.group().count(".") >= MAX_DEPTH:
                follows = line[match.end() : match.end() + 80].lstrip(" \t")[:1]
                if follows in ("=", "]"):
                    return True
    return False


def check_depth(data: dict[str, Any]) -> None:
    """Refuse tables/arrays nested more than ``MAX_DEPTH`` deep, without recursing.

    The root table is level 1; the ``NestingError`` names the top-level key that holds the
    nesting.
    """
    stack: list[tuple[Any, int, str]] = [(value, 2, str(key)) for key, value in data.items()]
    while stack:
        value, depth, top = stack.pop()
        if isinstance(value, dict):
            children: Any = value.values()
        elif isinstance(value, list):
            children = value
        else:
            continue
        if depth > MAX_DEPTH:
            field = top if _SIMPLE_KEY.fullmatch(top) else json.dumps(top)
            raise NestingError(field, f"nested more than {MAX_DEPTH} levels deep")
        stack.extend((child, depth + 1, top) for child in children)


def parse(text: str, *, check: bool = True) -> dict[str, Any]:
    """``tomllib.loads(text)``, refusing deep nesting.  ``check=False`` leaves the
    ``check_depth`` of the parsed data to the caller (the codec checks it with the rest).

    Raises ``tomllib.TOMLDecodeError`` (a ``ValueError``) for bad TOML and ``NestingError``
    (a ``ValueError`` too) for nesting deeper than ``MAX_DEPTH``; never ``RecursionError``.
    """
    if has_long_dotted_key(text):
        raise NestingError("(toml)", f"a dotted key nested more than {MAX_DEPTH} levels deep")
    import tomllib

    try:
        data = tomllib.loads(text)
    except RecursionError:  # arrays or inline tables nested hundreds deep
        raise NestingError("(toml)", f"nested more than {MAX_DEPTH} levels deep") from None
    if check:
        check_depth(data)
    return data
