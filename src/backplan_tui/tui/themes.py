"""Built-in themes: one TOML file each in the ``themes/`` folder, turned into Theme objects.

The folder ships inside the wheel as ``backplan_tui/themes``; from a source checkout it is
the repository's top-level ``themes/``.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from textual.app import App
from textual.theme import Theme

DEFAULT_THEME = "backplan-dark"
_FIELDS = (
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


def themes_dir() -> Path:
    packaged = Path(__file__).resolve().parent.parent / "themes"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[3] / "themes"


def theme_from_dict(data: dict[str, Any]) -> Theme:
    name = data.get("name")
    if not isinstance(name, str) or not name:
        raise ValueError("name: a theme needs a name")
    if not isinstance(data.get("primary"), str):
        raise ValueError("primary: a theme needs a primary colour")
    colours = {key: data[key] for key in _FIELDS if isinstance(data.get(key), str)}
    return Theme(name=name, dark=bool(data.get("dark", True)), **colours)


def builtin_themes() -> list[Theme]:
    found: list[Theme] = []
    folder = themes_dir()
    for path in sorted(folder.glob("*.toml")) if folder.is_dir() else []:
        with path.open("rb") as handle:
            found.append(theme_from_dict(tomllib.load(handle)))
    return found


def register_builtin_themes(app: App[Any]) -> None:
    for theme in builtin_themes():
        app.register_theme(theme)
    if DEFAULT_THEME in app.available_themes:
        app.theme = DEFAULT_THEME
