"""Themes: one TOML file each, turned into Textual ``Theme`` objects.

Built-in themes live in the package's data folder ``backplan_tui/themes/`` (one TOML file
each; the wheel ships it like any file of the package).
User themes live in ``<config dir>/themes/*.toml`` and use the same format::

    name = "ocean"                 # letters, digits, "-" or "_"
    dark = true                    # optional; guessed from the background when missing
    description = "Deep blue"      # optional, shown by `backplan themes` and the picker
    primary = "#3A86FF"            # the only colour Textual requires
    secondary = "#8338EC"          # optional: accent, foreground, background, surface,
                                   # panel, warning, error, success, boost
    [variables]                    # optional: backplan's own colours, see BACKPLAN_VARIABLES
    late = "#FF5D8F"

A user file that cannot be read, is not TOML, has no usable name or names a colour Textual
cannot parse is skipped with a one-line warning naming the file and the problem; loading
never raises.  Missing backplan variables are derived from the theme's own colours (see
:func:`theme_variable_defaults`), so a theme needs nothing beyond ``primary``.

Importing this module loads ``textual.theme`` / ``textual.color`` / ``textual.design`` but
not ``textual.app``, so the command line can list themes without starting Textual's app
machinery.

The built-in files are ours and tested (``tests/unit/test_themes.py`` builds every one with
Textual), so loading them skips Textual's check that a theme can be built; a user's file is
always checked.  The app starts with just the theme it shows (:func:`register_start_theme`)
and registers the others after its first screen is painted.

Why one long module: the theme file format, its checks (with messages naming the key) and
the contrast rules are one job: turning a file into a Theme, or saying why not.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from textual.color import Color, ColorParseError
from textual.design import ColorSystem
from textual.theme import BUILTIN_THEMES, Theme

if TYPE_CHECKING:
    from textual.app import App

__all__ = [
    "BACKPLAN_VARIABLES",
    "DEFAULT_THEME",
    "THEME_FIELDS",
    "ThemeFileError",
    "ThemeInfo",
    "apply_theme",
    "builtin_theme",
    "builtin_themes",
    "choose_theme",
    "contrast_ratio",
    "load_themes",
    "register_builtin_themes",
    "register_start_theme",
    "register_themes",
    "relative_luminance",
    "textual_theme_names",
    "theme_from_dict",
    "theme_infos",
    "theme_variable_defaults",
    "theme_variables",
    "themes_dir",
    "user_themes_dir",
]

DEFAULT_THEME = "backplan-dark"
THEME_FIELDS: tuple[str, ...] = (
    "primary",
    "secondary",
    "accent",
    "foreground",
    "background",
    "surface",
    "panel",
    "warning",
    "error",
    "success",
    "boost",
)
# backplan's own theme variables: usable in TCSS as ``$late`` etc.  name -> what it colours.
BACKPLAN_VARIABLES: dict[str, str] = {
    "healthy": "a healthy step or plan, a KPI on track",
    "warning-finding": "a coach warning: worth a look, not blocking",
    "problem": "a coach problem: something the plan is missing or gets wrong",
    "late": "a map item or pilot that is late or overdue",
    "timer-warning": "a timebox in its last minutes",
    "timer-overrun": "a timebox that has run out",
    "vote": "dot-vote marks and the ranking",
    "today": "the 'today' marker on the timeline",
}
# When a theme does not set a variable, it takes the first of these theme colours it has.
_DERIVED_FROM: dict[str, tuple[str, ...]] = {
    "healthy": ("success", "secondary", "primary"),
    "warning-finding": ("warning", "primary"),
    "problem": ("error", "secondary", "primary"),
    "late": ("error", "secondary", "primary"),
    "timer-warning": ("warning", "primary"),
    "timer-overrun": ("error", "secondary", "primary"),
    "vote": ("accent", "primary"),
    "today": ("primary",),
}
# With no theme at all (never the case inside the app): backplan-dark's values.
_STATIC_DEFAULTS: dict[str, str] = {
    "healthy": "#7BC47F",
    "warning-finding": "#F2B45A",
    "problem": "#F0706A",
    "late": "#F78FB3",
    "timer-warning": "#F2B45A",
    "timer-overrun": "#FF6B6B",
    "vote": "#C3A6FF",
    "today": "#6CCFF6",
}
_OPTIONAL_KEYS = ("dark", "description", "luminosity_spread", "text_alpha")
_KNOWN_KEYS = frozenset(("name", "variables", *THEME_FIELDS, *_OPTIONAL_KEYS))
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,47}")
_ALPHA_SUFFIX = re.compile(r"(\S+)\s+(\d{1,3})%")
_STYLE_WORDS = frozenset(
    "b blink bold dim i italic none not o overline reverse strike u underline uu".split()
)
MAX_THEME_BYTES = 64 * 1024
MAX_DESCRIPTION = 120


class ThemeFileError(ValueError):
    """A theme that cannot be used; ``str()`` is ``"<field>: <problem>"``."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        self.message = message
        super().__init__(f"{field}: {message}")


class ThemeInfo(NamedTuple):
    """What the picker and ``backplan themes`` show about one theme.  (A NamedTuple: a
    frozen dataclass is slower to define, and this module is read at every start.)"""

    name: str
    source: str  # "backplan" (built-in), "user" or "textual"
    dark: bool
    description: str = ""
    path: Path | None = None


# --- folders ---------------------------------------------------------------------------------


def themes_dir() -> Path:
    """The built-in themes: the package's ``backplan_tui/themes/`` data folder."""
    return Path(__file__).resolve().parent.parent / "themes"


def user_themes_dir(config_dir: Path) -> Path:
    """Where user themes go: ``<config dir>/themes`` (not created here)."""
    return Path(config_dir) / "themes"


# --- colours ---------------------------------------------------------------------------------


def _parse_colour(value: str) -> Color:
    return Color.parse(value.strip())


def relative_luminance(colour: str | Color) -> float:
    """WCAG 2.x relative luminance of an opaque sRGB colour (0 = black, 1 = white)."""
    parsed = colour if isinstance(colour, Color) else _parse_colour(colour)

    def linear(channel: int) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    return 0.2126 * linear(parsed.r) + 0.7152 * linear(parsed.g) + 0.0722 * linear(parsed.b)


def contrast_ratio(fg_hex: str | Color, bg_hex: str | Color) -> float:
    """WCAG 2.x contrast ratio of text ``fg`` on ``bg`` (1.0 to 21.0).

    Any colour Textual can parse is accepted.  A translucent foreground is first blended over
    the background, as the terminal would show it; the background is taken as opaque.
    """
    fg = fg_hex if isinstance(fg_hex, Color) else _parse_colour(fg_hex)
    bg = bg_hex if isinstance(bg_hex, Color) else _parse_colour(bg_hex)
    bg = bg.with_alpha(1.0)
    if fg.a < 1.0:
        fg = bg + fg
    lighter, darker = sorted((relative_luminance(fg), relative_luminance(bg)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


@lru_cache(maxsize=1)
def _textual_variable_kinds() -> dict[str, str]:
    """Textual's own theme variables -> the kind of value each takes.

    ``colour`` (a plain colour), ``text`` (a colour or ``auto``, optionally ``NN%``),
    ``style`` (text-style words) or ``initial`` (a colour or ``initial``).
    """
    kinds: dict[str, str] = {}
    for name, value in ColorSystem(primary="#000000", dark=True).generate().items():
        # Style words, "initial" and "auto NN%" are not colours: Color.parse would say so
        # only after a spelling suggestion over every colour name (at each start, for each of
        # Textual's ~20 such variables).
        words = set(value.split())
        try:
            if words <= _STYLE_WORDS | {"initial"} or value.startswith("auto"):
                raise ColorParseError(value)
            Color.parse(value)
        except ColorParseError:
            if name.endswith("style"):
                kinds[name] = "style"
            elif value.endswith("%"):
                kinds[name] = "text"
            else:
                kinds[name] = "initial"
        else:
            kinds[name] = "colour"
    return kinds


def _colour_value(field: str, value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ThemeFileError(field, 'must be a colour in quotes, e.g. "#3A86FF"')
    try:
        _parse_colour(value)
    except ColorParseError:
        raise ThemeFileError(
            field, f"{value[:40]!r} is not a colour (use #RRGGBB, rgb(...) or a colour name)"
        ) from None
    return value.strip()


def _variable_value(name: str, value: Any, kind: str) -> str:
    field = f"variables.{name}"
    if kind == "colour":
        # Normalised to hex so that TCSS such as ``background: $late 30%`` always parses.
        return _parse_colour(_colour_value(field, value)).hex
    if not isinstance(value, str) or not value.strip():
        raise ThemeFileError(field, "must be a string in quotes")
    text = " ".join(value.split())
    if kind == "style":
        words = text.lower().split()
        if not words or any(word not in _STYLE_WORDS for word in words):
            raise ThemeFileError(field, f'{text[:40]!r} is not a text style (e.g. "bold")')
        return " ".join(words)
    if kind == "initial" and text == "initial":
        return text
    colour, percent = text, ""
    match = _ALPHA_SUFFIX.fullmatch(text)
    if match and kind == "text":
        colour, percent = match.group(1), match.group(2)
        if int(percent) > 100:
            raise ThemeFileError(field, f"{percent}% is more than 100%")
    if colour == "auto" and kind == "text":
        return text
    return _parse_colour(_colour_value(field, colour)).hex + (f" {percent}%" if percent else "")


# --- one theme -------------------------------------------------------------------------------


def _parse_theme(data: Mapping[str, Any], check: bool = True) -> tuple[Theme, str, list[str]]:
    """A validated Theme, its description and notes about ignored keys.  ``ThemeFileError``.

    ``check=False`` (a built-in file) skips asking Textual to build the theme (at every
    start, for every theme); the tests build every built-in one instead."""
    notes: list[str] = []
    name = data.get("name")
    if name is None:
        raise ThemeFileError("name", 'missing; every theme needs a name, e.g. name = "ocean"')
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise ThemeFileError(
            "name", "use 1-48 letters, digits, '-' or '_', starting with a letter or digit"
        )
    if "primary" not in data:
        raise ThemeFileError("primary", "missing; every theme needs a primary colour")
    colours = {key: _colour_value(key, data[key]) for key in THEME_FIELDS if key in data}

    dark = data.get("dark")
    if dark is None:
        background = colours.get("background")
        dark = True if background is None else _parse_colour(background).brightness < 0.5
    elif not isinstance(dark, bool):
        raise ThemeFileError("dark", "must be true or false")

    description = data.get("description", "")
    if not isinstance(description, str):
        raise ThemeFileError("description", "must be a string in quotes")
    description = " ".join(description.split())[:MAX_DESCRIPTION]
    description = "".join(ch for ch in description if ch.isprintable())

    numbers: dict[str, float] = {}
    for key in ("luminosity_spread", "text_alpha"):
        if key in data:
            value = data[key]
            if (
                isinstance(value, bool)
                or not isinstance(value, int | float)
                or not math.isfinite(value)
                or not 0 <= value <= 1
            ):
                raise ThemeFileError(key, "must be a number from 0 to 1")
            numbers[key] = float(value)

    variables: dict[str, str] = {}
    table = data.get("variables", {})
    if not isinstance(table, dict):
        raise ThemeFileError("variables", "must be a table: [variables] on its own line")
    for var, value in table.items():
        if var in BACKPLAN_VARIABLES:
            variables[var] = _variable_value(var, value, "colour")
        elif var in _textual_variable_kinds():  # worked out once, and only when needed
            variables[var] = _variable_value(var, value, _textual_variable_kinds()[var])
        else:
            notes.append(f"variables.{var}: unknown variable, ignored")
    # Textual ignores ``boost`` when ``panel`` is set (and in light themes); as a variable
    # it always reaches ``$boost``.
    if "boost" in colours and "boost" not in variables:
        variables["boost"] = _parse_colour(colours["boost"]).hex

    for key in data:
        if key not in _KNOWN_KEYS:
            notes.append(f"{key}: unknown key, ignored")

    theme = Theme(name=name, primary=colours.pop("primary"), dark=dark, variables=variables)
    for key, colour in colours.items():
        setattr(theme, key, colour)
    for key, number in numbers.items():
        setattr(theme, key, number)
    if not check:
        return theme, description, notes
    try:
        theme.to_color_system().generate()
    except Exception as error:  # any failure here means Textual cannot use the theme
        raise ThemeFileError("(theme)", f"Textual cannot build it: {error}") from None
    return theme, description, notes


def theme_from_dict(data: dict[str, Any]) -> Theme:
    """A Theme from a parsed theme file; ``ThemeFileError`` (a ValueError) names the field."""
    return _parse_theme(data)[0]


def _read_theme_file(path: Path, builtin: bool = False) -> tuple[Theme, str, list[str]]:
    """Parse one file; ``ThemeFileError`` for anything wrong with it.  A ``builtin`` file is
    not given to Textual to build (see ``_parse_theme``)."""
    try:
        size = path.stat().st_size
        if size > MAX_THEME_BYTES:
            raise ThemeFileError("(file)", f"too large ({size} bytes; at most {MAX_THEME_BYTES})")
        raw = path.read_bytes()
    except OSError as error:
        raise ThemeFileError("(file)", f"cannot be read: {error.strerror or error}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ThemeFileError("(file)", "is not UTF-8 text") from None
    import tomllib  # loaded with the first theme file read

    from backplan_tui.core import tomlread

    try:
        data = tomlread.parse(text)  # nesting a thousand deep is refused, not a RecursionError
    except tomllib.TOMLDecodeError as error:
        raise ThemeFileError("(toml)", str(error)) from None
    except tomlread.NestingError as error:
        raise ThemeFileError(error.field, error.message) from None
    return _parse_theme(data, check=not builtin)


# --- all themes ------------------------------------------------------------------------------


def _load(config_dir: Path | None) -> tuple[list[tuple[Theme, ThemeInfo]], list[str]]:
    loaded: list[tuple[Theme, ThemeInfo]] = []
    warnings: list[str] = []
    taken = set(BUILTIN_THEMES)

    def scan(folder: Path, source: str) -> None:
        try:
            paths = sorted(p for p in folder.glob("*.toml") if p.is_file())
        except OSError as error:
            warnings.append(f"{folder}: cannot list themes: {error.strerror or error}")
            return
        for path in paths:
            try:
                theme, description, notes = _read_theme_file(path, builtin=source == "backplan")
            except ThemeFileError as error:
                warnings.append(f"{path}: {error}; theme skipped")
                continue
            if theme.name in taken:
                warnings.append(
                    f"{path}: name: {theme.name!r} is already a theme; rename it; theme skipped"
                )
                continue
            taken.add(theme.name)
            warnings.extend(f"{path}: {note}" for note in notes)
            info = ThemeInfo(theme.name, source, theme.dark, description, path)
            loaded.append((theme, info))

    builtin = themes_dir()
    if builtin.is_dir():
        scan(builtin, "backplan")
    else:
        warnings.append(f"{builtin}: built-in themes folder is missing")
    if config_dir is not None:
        folder = user_themes_dir(config_dir)
        if folder.is_dir():
            scan(folder, "user")
    return loaded, warnings


def load_themes(config_dir: Path | None) -> tuple[list[Theme], list[str]]:
    """Built-in themes, then the user's from ``<config_dir>/themes/*.toml``, and warnings.

    ``config_dir=None`` loads the built-ins only.  Never raises: a bad user file, or a user
    theme whose name is taken (by a built-in, a Textual theme or an earlier file), is left
    out with a warning ``"<path>: <field>: <problem>; theme skipped"``.
    """
    loaded, warnings = _load(config_dir)
    return [theme for theme, _ in loaded], warnings


def builtin_themes() -> list[Theme]:
    """backplan's own themes (a broken built-in file is left out)."""
    return load_themes(None)[0]


def textual_theme_names() -> list[str]:
    """Textual's own theme names, sorted (read from a copy; Textual's dict is left alone)."""
    return sorted(dict(BUILTIN_THEMES))


def theme_infos(config_dir: Path | None) -> tuple[list[ThemeInfo], list[str]]:
    """Every theme a user can pick: backplan's, the user's, then Textual's; and warnings."""
    loaded, warnings = _load(config_dir)
    infos = [info for _, info in loaded]
    for name in textual_theme_names():
        infos.append(ThemeInfo(name, "textual", bool(BUILTIN_THEMES[name].dark)))
    return infos, warnings


# --- variables -------------------------------------------------------------------------------


def theme_variable_defaults(theme: Theme | None = None) -> dict[str, str]:
    """Defaults for backplan's ``$variables`` (see :data:`BACKPLAN_VARIABLES`).

    With a theme, each comes from that theme's own colours (``$late`` from its ``error``,
    ``$healthy`` from its ``success`` ...), so Textual's built-in themes and minimal user
    themes get readable values; a theme's ``[variables]`` still win over these.  The app
    wires it as::

        def get_theme_variable_defaults(self) -> dict[str, str]:
            return themes.theme_variable_defaults(self.current_theme)
    """
    if theme is None:
        return dict(_STATIC_DEFAULTS)
    defaults: dict[str, str] = {}
    for name, sources in _DERIVED_FROM.items():
        value = next((getattr(theme, s) for s in sources if getattr(theme, s, None)), None)
        defaults[name] = value or _STATIC_DEFAULTS[name]
    return defaults


def theme_variables(theme: Theme) -> dict[str, str]:
    """backplan's variables as the app will resolve them for ``theme`` (for previews/tests)."""
    resolved = theme_variable_defaults(theme)
    resolved.update({k: v for k, v in theme.variables.items() if k in BACKPLAN_VARIABLES})
    return resolved


# --- the app ---------------------------------------------------------------------------------


def register_themes(app: App[Any], config_dir: Path | None) -> list[str]:
    """Register the built-in and user themes with ``app``; return the warnings for a toast.

    Does not change ``app.theme``: use :func:`apply_theme` for that.
    """
    themes, warnings = load_themes(config_dir)
    for theme in themes:
        app.register_theme(theme)
    return warnings


def builtin_theme(name: str) -> Theme | None:
    """backplan's built-in theme ``name``, read from its own file ``<name>.toml`` (the file
    and the theme share a name; a test checks it); None when there is no such usable file."""
    if not _NAME.fullmatch(name) or name in BUILTIN_THEMES:
        return None  # (Textual's names win over a file, as in load_themes)
    path = themes_dir() / f"{name}.toml"
    try:
        if not path.is_file():
            return None
        theme = _read_theme_file(path, builtin=True)[0]
    except (OSError, ThemeFileError):
        return None
    return theme if theme.name == name else None


def register_start_theme(
    app: App[Any], name: str | None, config_dir: Path | None
) -> tuple[bool, list[str]]:
    """Register what ``app`` needs to start in ``name`` (empty: :data:`DEFAULT_THEME`), as
    cheaply as possible.  Returns (every theme registered?, warnings for a toast).

    A theme ``app`` has already (Textual's own) needs nothing, and a built-in one is read from
    its own file: (False, []), and :func:`register_themes` registers the rest later.  Any other
    name may be a user's theme, in any file of theirs, so then every theme is registered now,
    as :func:`register_themes` does: (True, its warnings).
    """
    wanted = name or DEFAULT_THEME
    if wanted in BUILTIN_THEMES:
        return False, []
    theme = builtin_theme(wanted)
    if theme is not None:
        app.register_theme(theme)
        return False, []
    return True, register_themes(app, config_dir)


def _registered(app: App[Any], name: str) -> bool:
    """``name in app.available_themes``, asked through ``App.get_theme``: an app that
    registers most of its themes late (BackplanApp) answers for its own theme at once."""
    theme = app.get_theme(name)
    return theme is not None and theme.name == name


def choose_theme(app: App[Any], name: str | None) -> tuple[str | None, str | None]:
    """(the theme to use for ``name``, a warning or None): ``name`` when it is registered,
    else :data:`DEFAULT_THEME`; no theme (keep the current one) when neither is."""
    message = None
    if name and not _registered(app, name):
        message = f"Theme {name!r} is not installed; using {DEFAULT_THEME!r}"
        name = None
    name = name or DEFAULT_THEME
    if not _registered(app, name):
        return None, f"Theme {DEFAULT_THEME!r} is not registered; keeping {app.theme!r}"
    return name, message


def apply_theme(app: App[Any], name: str | None) -> str | None:
    """Set ``app.theme`` to ``name``; when that theme is unknown, use :data:`DEFAULT_THEME`.

    Returns ``None`` when ``name`` was applied (or is empty), else a one-line message for a
    warning toast.  Never raises.
    """
    theme, message = choose_theme(app, name)
    if theme is not None:
        app.theme = theme
    return message


def register_builtin_themes(app: App[Any]) -> None:
    """Register backplan's built-in themes and switch to :data:`DEFAULT_THEME`."""
    for theme in builtin_themes():
        app.register_theme(theme)
    if DEFAULT_THEME in app.available_themes:
        app.theme = DEFAULT_THEME
