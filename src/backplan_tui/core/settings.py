"""The user's settings: ``<config dir>/settings.toml``.  No Textual here.

A missing file means defaults.  A file that cannot be read or parsed means defaults for
everything; a file with some bad values means defaults for those fields only.  Either way
:func:`load_settings` returns a one-line problem naming the field, and the returned
``Settings.from_file_ok`` is False: the app must not write over that file on its own (say,
when the theme changes) until the user saves the settings explicitly.

Saving is atomic (temp file in the same folder, fsync, ``os.replace``, 0600; folders 0700)
and keeps keys this version does not know about.

The TOML reader and writer and the atomic writer are imported where they are first
needed: the app's start-up without a settings file needs none.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from backplan_tui.core.basics import DEFAULT_TIMEBOXES
from backplan_tui.core.paths import config_dir, ensure_dir
from backplan_tui.core.textclean import clean_line

if TYPE_CHECKING:
    from backplan_tui.core.owners import Limits

__all__ = [
    "AUTOSAVE_RANGE",
    "AT_ONCE_RANGE",
    "DEFAULT_THEME",
    "FILE_NAME",
    "TIMEBOX_RANGE",
    "VOTES_RANGE",
    "TEAM_SYNC",
    "SHARE_RANGE",
    "Settings",
    "load_settings",
    "save_settings",
    "settings_path",
]

FILE_NAME = "settings.toml"
FILE_MODE = 0o600
MAX_SETTINGS_BYTES = 1024 * 1024
DEFAULT_THEME = "backplan-dark"
TIMEBOX_RANGE = (1, 120)  # minutes
VOTES_RANGE = (1, 12)
AUTOSAVE_RANGE = (0.2, 10.0)  # seconds
AT_ONCE_RANGE = (1, 20)  # items an owner may have running at once before the coach says so
SHARE_RANGE = (10, 500)  # percent of an owner's weekly hours (core.owners: time share)
MAX_FACILITATOR = 200
_THEME_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,47}")
_STEP_KEY = re.compile(r"[a-z][a-z0-9_]{0,39}")
MAX_FOLDER = 4096
_KNOWN = (
    "theme",
    "name",
    "facilitator",
    "votes_per_person",
    "autosave_delay",
    "timebox_minutes",
    "export_folder",
    "team_sync",
    "owner_max_at_once",
    "owner_max_share",
)
TEAM_SYNC = ("ask", "always", "never")
"""In a team folder (git): ask to sync on open and quit, sync without asking, or never."""


@dataclass
class Settings:
    theme: str = DEFAULT_THEME
    name: str = ""
    """Who is at this keyboard (``core.identity``): shown to the room and kept on what they
    add; "" means the login.  ``--as NAME`` on the command line wins over it."""
    facilitator: str = ""
    timebox_minutes: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_TIMEBOXES))
    votes_per_person: int = 3
    autosave_delay: float = 1.0
    export_folder: str = ""
    """The folder of the last export from the app ("" before the first one)."""
    team_sync: str = "ask"
    """One of ``TEAM_SYNC``: what the app does on open and quit in a team folder."""
    owner_max_at_once: int = 3
    """The coach flags a listed owner with more items than this running at once."""
    owner_max_share: int = 100
    """... or whose items need more than this percent of their weekly hours."""
    extra: dict[str, Any] = field(default_factory=dict)
    """Top-level keys this version does not know; written back unchanged."""
    from_file_ok: bool = field(default=True, compare=False)
    """False when the file on disk was unreadable or had bad values: do not save over it
    automatically; an explicit save by the user is fine (and sets it back to True)."""

    def owner_limit_values(self) -> tuple[int, float]:
        """(max at once, max share of the week as a fraction): ``owners.Limits``'s fields,
        without loading the session modules (the app's start does not)."""
        return (self.owner_max_at_once, self.owner_max_share / 100)

    def owner_limits(self) -> Limits:
        """The coach's ``owners.Limits`` from these settings."""
        from backplan_tui.core.owners import Limits

        return Limits(*self.owner_limit_values())

    def validate(self) -> None:
        """``ValueError("<field>: <problem>")`` for the first value out of range."""
        for key in _KNOWN:
            _check(key, getattr(self, key))


class _Problem(ValueError):
    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(f"{field_name}: {message}")


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _check(key: str, value: Any) -> Any:
    """The cleaned value of one known field; ``_Problem`` when it is not acceptable."""
    if key == "theme":
        if not isinstance(value, str) or not _THEME_NAME.fullmatch(value):
            raise _Problem(key, "must be a theme name (letters, digits, '-' or '_')")
        return value
    if key == "name":
        from backplan_tui.core.identity import MAX_NAME, clean_name

        if not isinstance(value, str):
            raise _Problem(key, "must be text in quotes")
        if len(" ".join(clean_line(value).split())) > MAX_NAME:
            raise _Problem(key, f"is longer than {MAX_NAME} characters")
        return clean_name(value)
    if key == "facilitator":
        if not isinstance(value, str):
            raise _Problem(key, "must be text in quotes")
        cleaned = clean_line(value).strip()
        if len(cleaned) > MAX_FACILITATOR:
            raise _Problem(key, f"is longer than {MAX_FACILITATOR} characters")
        return cleaned
    if key == "export_folder":
        if not isinstance(value, str) or len(value) > MAX_FOLDER or "\x00" in value:
            raise _Problem(key, "must be a folder path in quotes")
        return value
    if key == "team_sync":
        if value not in TEAM_SYNC:
            raise _Problem(key, "must be one of " + ", ".join(f'"{v}"' for v in TEAM_SYNC))
        return value
    if key == "votes_per_person":
        v_low, v_high = VOTES_RANGE
        if not isinstance(value, int) or isinstance(value, bool) or not v_low <= value <= v_high:
            raise _Problem(key, f"must be a whole number from {v_low} to {v_high}")
        return value
    if key in ("owner_max_at_once", "owner_max_share"):
        low, high = AT_ONCE_RANGE if key == "owner_max_at_once" else SHARE_RANGE
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            raise _Problem(key, f"must be a whole number from {low} to {high}")
        return value
    if key == "autosave_delay":
        a_low, a_high = AUTOSAVE_RANGE
        if not _is_number(value) or not math.isfinite(value) or not a_low <= value <= a_high:
            raise _Problem(key, f"must be a number of seconds from {a_low:g} to {a_high:g}")
        return float(value)
    if key == "timebox_minutes":
        if not isinstance(value, dict):
            raise _Problem(key, "must be a table: [timebox_minutes] with one line per step")
        low, high = TIMEBOX_RANGE
        minutes = dict(DEFAULT_TIMEBOXES)
        for step, amount in value.items():
            where = f"{key}.{step}"
            if not isinstance(step, str) or not _STEP_KEY.fullmatch(step):
                raise _Problem(where, "is not a step name")
            if not isinstance(amount, int) or isinstance(amount, bool):
                raise _Problem(where, f"must be a whole number of minutes from {low} to {high}")
            if not low <= amount <= high:
                raise _Problem(where, f"must be from {low} to {high} minutes (not {amount})")
            minutes[step] = amount
        return minutes
    raise _Problem(key, "unknown setting")  # pragma: no cover - only called with _KNOWN


def settings_path() -> Path:
    """``<config dir>/settings.toml`` (platformdirs; honours ``XDG_CONFIG_HOME``)."""
    return config_dir() / FILE_NAME


def load_settings(path: Path) -> tuple[Settings, str | None]:
    """The settings in ``path`` and ``None``, or usable settings and a one-line problem.

    Never raises.  A missing file gives defaults and no problem.
    """
    path = Path(path)
    bad = Settings(from_file_ok=False)
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        return Settings(), None
    except OSError as error:
        return bad, f"{path}: cannot be read: {error.strerror or error}; using defaults"
    if not path.is_file():
        return bad, f"{path}: is not a file; using defaults"
    if size > MAX_SETTINGS_BYTES:
        return bad, f"{path}: too large ({size} bytes); using defaults"
    try:
        raw = path.read_bytes()
    except OSError as error:
        return bad, f"{path}: cannot be read: {error.strerror or error}; using defaults"
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return bad, f"{path}: is not UTF-8 text; using defaults"
    import tomllib  # only when there is a settings file

    from backplan_tui.core import tomlread

    try:
        data = tomlread.parse(text)  # nesting a thousand deep is refused, not a RecursionError
    except tomllib.TOMLDecodeError as error:
        return bad, f"{path}: (toml): {error}; using defaults"
    except tomlread.NestingError as error:
        return bad, f"{path}: {error}; using defaults"

    settings = Settings()
    problems: list[str] = []
    for key in _KNOWN:
        if key in data:
            try:
                setattr(settings, key, _check(key, data[key]))
            except _Problem as problem:
                problems.append(str(problem))
    settings.extra = {k: v for k, v in data.items() if k not in _KNOWN}
    if not problems:
        return settings, None
    settings.from_file_ok = False
    more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
    return settings, f"{path}: {problems[0]}{more}; using the default there"


def _to_dict(settings: Settings) -> dict[str, Any]:
    data: dict[str, Any] = {
        "theme": _check("theme", settings.theme),
        **({"name": name} if (name := _check("name", settings.name)) else {}),
        "facilitator": _check("facilitator", settings.facilitator),
        "votes_per_person": _check("votes_per_person", settings.votes_per_person),
        "autosave_delay": _check("autosave_delay", settings.autosave_delay),
        "owner_max_at_once": _check("owner_max_at_once", settings.owner_max_at_once),
        "owner_max_share": _check("owner_max_share", settings.owner_max_share),
    }
    if settings.export_folder:
        data["export_folder"] = _check("export_folder", settings.export_folder)
    if settings.team_sync != "ask":
        data["team_sync"] = _check("team_sync", settings.team_sync)
    extra_tables: dict[str, Any] = {}
    for key, value in settings.extra.items():
        if key in _KNOWN:
            continue
        (extra_tables if isinstance(value, dict) else data)[key] = value
    data["timebox_minutes"] = _check("timebox_minutes", settings.timebox_minutes)
    data.update(extra_tables)
    return data


def save_settings(path: Path, settings: Settings) -> None:
    """Write ``settings`` to ``path`` atomically (0600; missing folders made 0700).

    ``ValueError("<field>: <problem>")`` for a value out of range (nothing is written);
    ``OSError`` when the disk refuses.  On success ``settings.from_file_ok`` becomes True.
    """
    import tomli_w

    from backplan_tui.core.storage.fileio import write_atomic

    path = Path(path)
    try:
        text = tomli_w.dumps(_to_dict(settings))
    except _Problem as problem:
        raise ValueError(str(problem)) from None
    ensure_dir(path.parent)
    write_atomic(path, text)
    settings.from_file_ok = True
