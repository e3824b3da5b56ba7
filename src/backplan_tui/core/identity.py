"""Who is at this keyboard: the name shown to the room and kept on what they add.

One rule everywhere (presence, items added, the adjustments log, git commits): the name given
with ``--as NAME``, else the name in settings, else the login.  A name is one line of at most
``MAX_NAME`` characters with control characters removed; an empty result falls back to the
next source.
"""

from __future__ import annotations

import getpass
import os

from backplan_tui.core.textclean import clean_line

MAX_NAME = 60


def login() -> str:
    """The login of this process, or its uid when there is no name to be found."""
    try:
        name = getpass.getuser()
    except Exception:  # no LOGNAME/USER and no passwd entry (a container, a service)
        name = ""
    if name:
        return name
    return str(os.getuid()) if hasattr(os, "getuid") else "user"


def clean_name(value: object) -> str:
    """A name as it may be shown and stored: one line, trimmed, at most ``MAX_NAME`` chars."""
    if not isinstance(value, str):
        return ""
    return " ".join(clean_line(value).split())[:MAX_NAME].strip()


def resolve(given: str | None = None, settings_name: str | None = None) -> str:
    """``--as NAME``, else the settings' name, else the login."""
    for candidate in (given, settings_name):
        name = clean_name(candidate)
        if name:
            return name
    return clean_name(login()) or "user"


def same_person(a: str, b: str) -> bool:
    """Names typed by hand match without case or surrounding spaces ("Priya" is "priya ")."""
    return clean_name(a).casefold() == clean_name(b).casefold()
