"""Settings and theme files nested a thousand deep (issue 22.6): reported, never a crash.

The session reader already refused deep nesting; ``settings.toml`` and user themes went
straight to ``tomllib`` and the app (and `backplan themes`) died with RecursionError.  Now
all three go through ``core.tomlread.parse``: a deep settings file means defaults and a
toast, and is left untouched; a deep theme file is skipped with a warning.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from backplan_tui.cli import main
from backplan_tui.core import paths
from backplan_tui.core.settings import DEFAULT_THEME, Settings, load_settings
from backplan_tui.tui import app as app_module
from backplan_tui.tui.app import create_app
from backplan_tui.tui.screens.home import HomeScreen
from backplan_tui.tui.themes import load_themes
from helpers import wait_until

DEEP = {
    "arrays": b"x = " + b"[" * 1000 + b"]" * 1000 + b"\n",
    "inline-tables": b"x = " + b"{a = " * 1000 + b"1" + b"}" * 1000 + b"\n",
    "dotted-key": b"x" + b".a" * 5000 + b" = 1\n",
    "table-header": b"[" + b".".join([b"t"] * 1000) + b"]\nk = 1\n",
    # 20 + 20 levels: no one key is long, the tables are (found after parsing)
    "table-40-deep": b"[" + b".".join([b"t"] * 20) + b"]\n" + b".".join([b"k"] * 20) + b" = 1\n",
}
# The reason each one is refused with (the field part of "<path>: <field>: <problem>").
REASONS = {
    "arrays": "(toml): nested more than 32 levels deep",
    "inline-tables": "(toml): nested more than 32 levels deep",
    "dotted-key": "(toml): a dotted key nested more than 32 levels deep",
    "table-header": "(toml): a dotted key nested more than 32 levels deep",
    "table-40-deep": "t: nested more than 32 levels deep",
}


def write_settings(kind: str) -> tuple[Path, bytes]:
    path = paths.config_dir() / "settings.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    content = b'theme = "backplan-light"\nvotes_per_person = 5\n' + DEEP[kind]
    path.write_bytes(content)
    return path, content


def write_theme(kind: str) -> tuple[Path, bytes]:
    folder = paths.config_dir() / "themes"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "harbour.toml").write_text('name = "harbour"\nprimary = "#4DA3FF"\n', "utf-8")
    path = folder / "deep.toml"
    content = b'name = "deep"\nprimary = "#FF0000"\n' + DEEP[kind]
    path.write_bytes(content)
    return path, content


@pytest.mark.parametrize("kind", list(DEEP))
def test_a_deep_settings_file_means_defaults_and_a_problem(kind: str) -> None:
    path, _ = write_settings(kind)
    settings, problem = load_settings(path)
    assert settings == Settings()  # every field the default, the file's values too
    assert settings.from_file_ok is False  # never saved over on its own
    assert problem == f"{path}: {REASONS[kind]}; using defaults"


@pytest.mark.parametrize("kind", list(DEEP))
def test_a_deep_theme_file_is_skipped_with_a_warning(kind: str) -> None:
    path, _ = write_theme(kind)
    themes, warnings = load_themes(paths.config_dir())
    names = {theme.name for theme in themes}
    assert "harbour" in names and "deep" not in names
    assert f"{path}: {REASONS[kind]}; theme skipped" in warnings


@pytest.mark.parametrize("kind", ["arrays", "inline-tables", "dotted-key"])
def test_backplan_themes_reports_deep_files_and_lists_the_rest(
    kind: str, capsys: pytest.CaptureFixture[str]
) -> None:
    settings_file, settings_bytes = write_settings(kind)
    theme_file, theme_bytes = write_theme(kind)
    code = main(["themes"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "Traceback" not in err
    assert err.splitlines() == [
        f"backplan: warning: {settings_file}: {REASONS[kind]}; using defaults",
        f"backplan: warning: {theme_file}: {REASONS[kind]}; theme skipped",
    ]
    rows = {
        line.split()[0] if not line.startswith("*") else line.split()[1]: line
        for line in out.splitlines()[1:]
    }
    assert "harbour" in rows and "deep" not in rows
    assert rows[DEFAULT_THEME].startswith("*")  # the default theme: the file's is not used
    assert settings_file.read_bytes() == settings_bytes
    assert theme_file.read_bytes() == theme_bytes


@pytest.mark.parametrize("kind", ["arrays", "inline-tables", "dotted-key"])
async def test_the_app_starts_with_a_deep_settings_file(data_dir: Path, kind: str) -> None:
    path, content = write_settings(kind)
    app = create_app(data_dir, autosave_delay=0.05)
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        toasts = [n for n in app._notifications if n.title == "Settings"]
        assert [n.message for n in toasts] == [f"{path}: {REASONS[kind]}; using defaults"]
        assert app.theme == DEFAULT_THEME and app.settings.votes_per_person == 3
        app.theme = "backplan-light"  # a theme change does not write over the file
        await pilot.pause()
    assert path.read_bytes() == content


@pytest.mark.parametrize("kind", ["arrays", "inline-tables", "dotted-key"])
async def test_the_app_starts_with_a_deep_theme_file(
    data_dir: Path, kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(app_module, "LATE_THEMES_DELAY", 0.05)
    path, content = write_theme(kind)
    app = create_app(data_dir, autosave_delay=0.05)
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        # the late themes are registered after LATE_THEMES_DELAY; each kind is skipped, aloud
        skipped = lambda: any(n.title == "Theme skipped" for n in app._notifications)  # noqa: E731
        await wait_until(pilot, skipped, "the late themes")
        assert isinstance(app.screen, HomeScreen)
        assert "harbour" in app.available_themes and "deep" not in app.available_themes
        warnings = [n.message for n in app._notifications if n.title == "Theme skipped"]
        assert warnings == [f"{path}: {REASONS[kind]}; theme skipped"]
    assert path.read_bytes() == content
