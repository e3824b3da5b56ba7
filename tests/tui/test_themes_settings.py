"""Themes and settings in the running app: pick, preview, persist, fall back, never clobber."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

import pytest
from textual.app import App
from textual.theme import ThemeProvider
from textual.widgets import Input

from backplan_tui.core import paths, templates
from backplan_tui.core.storage import SessionStore
from backplan_tui.tui import app as app_module
from backplan_tui.tui.app import BackplanApp
from helpers import settle, wait_until

BACKPLAN_THEMES = {
    "backplan-dark",
    "backplan-light",
    "backplan-high-contrast",
    "backplan-projector",
    "backplan-sunrise",
}


def config_dir() -> Path:
    return paths.config_dir()  # under the test's XDG_CONFIG_HOME (tests/conftest.py)


def saved_settings() -> dict:
    return tomllib.loads((config_dir() / "settings.toml").read_text("utf-8"))


async def test_picker_previews_cancels_keeps_and_the_choice_survives_a_restart(
    make_app,
) -> None:
    assert "XDG_CONFIG_HOME" in os.environ and str(config_dir()).startswith(
        os.environ["XDG_CONFIG_HOME"]
    )
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        assert app.theme == "backplan-dark"
        await pilot.press("t")
        await settle(pilot)
        await pilot.press("down")
        await settle(pilot)
        previewed = app.theme
        assert previewed != "backplan-dark"  # the preview is live
        await pilot.press("escape")
        await settle(pilot)
        assert app.theme == "backplan-dark"  # cancel goes back
        assert not (config_dir() / "settings.toml").exists()  # a preview is never saved
        await pilot.press("t")
        await settle(pilot)
        await pilot.press("down", "down")
        await settle(pilot)
        chosen = app.theme
        await pilot.press("enter")
        await settle(pilot)
        assert app.theme == chosen
    assert saved_settings()["theme"] == chosen
    again = make_app()
    async with again.run_test(size=(100, 30)):
        assert again.theme == chosen


async def test_unknown_saved_theme_falls_back_with_a_toast(make_app) -> None:
    config_dir().mkdir(parents=True, exist_ok=True)
    (config_dir() / "settings.toml").write_text('theme = "no-such-theme"\n', "utf-8")
    app = make_app()
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await settle(pilot)
        assert app.theme == "backplan-dark"
        assert any("no-such-theme" in n.message for n in app._notifications)


async def test_a_bad_settings_file_is_reported_and_not_overwritten_until_saved(
    make_app,
) -> None:
    config_dir().mkdir(parents=True, exist_ok=True)
    bad = config_dir() / "settings.toml"
    bad.write_text("votes_per_person = [\n", "utf-8")
    before = bad.read_bytes()
    app = make_app()
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await settle(pilot)
        assert any(n.title == "Settings" for n in app._notifications)
        app.theme = "backplan-light"  # a theme change does not write over the bad file
        await settle(pilot)
        assert bad.read_bytes() == before
        await pilot.press("s")  # the settings form: an explicit save may replace it
        await settle(pilot)
        app.screen.query_one("#field-votes_per_person", Input).value = "5"
        await pilot.press("ctrl+s")
        await settle(pilot)
    data = saved_settings()
    assert data["votes_per_person"] == 5
    assert data["theme"] == "backplan-light"


async def test_user_themes_load_and_a_bad_one_is_skipped_with_a_warning(
    make_app,
) -> None:
    folder = config_dir() / "themes"
    folder.mkdir(parents=True)
    (folder / "harbour.toml").write_text(
        'name = "harbour"\nprimary = "#4DA3FF"\nbackground = "#0C1726"\n', "utf-8"
    )
    (folder / "broken.toml").write_text('name = "broken"\nprimary = "not-a-colour"\n', "utf-8")
    app = make_app(theme="harbour")
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await settle(pilot)
        assert app.theme == "harbour"
        assert "broken" not in app.available_themes
        warnings = [n.message for n in app._notifications if n.title == "Theme skipped"]
        assert any("broken.toml" in w for w in warnings)


async def test_settings_defaults_flow_into_a_new_session(data_dir: Path, make_app) -> None:
    config_dir().mkdir(parents=True, exist_ok=True)
    (config_dir() / "settings.toml").write_text(
        'facilitator = "Dana"\nvotes_per_person = 5\n\n[timebox_minutes]\nreverse_map = 55\n',
        "utf-8",
    )
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("n")
        await settle(pilot)
        assert app.screen.query_one("#field-facilitator", Input).value == "Dana"
        app.screen.query_one("#field-title", Input).value = "Settings flow"
        await pilot.press("enter")
        await settle(pilot)
        assert app.session.facilitation.votes_per_person == 5
        assert app.session.facilitation.timebox_minutes["reverse_map"] == 55
        await pilot.press("ctrl+q")
    [entry] = SessionStore(data_dir).list()
    assert SessionStore(data_dir).load(entry.id).facilitator == "Dana"
    assert templates.DEMO_ID != entry.id


# --- the themes not shown at start are registered after the first paint ------------------------


def registered(app: BackplanApp) -> set[str]:
    """The themes registered so far (``App.available_themes`` would register the rest)."""
    return set(App.available_themes.fget(app))  # type: ignore[attr-defined]


@pytest.fixture
def late_themes_wait(monkeypatch: pytest.MonkeyPatch) -> None:
    """The late themes are not registered by the timer during the test."""
    monkeypatch.setattr(app_module, "LATE_THEMES_DELAY", 60.0)


async def test_only_the_theme_shown_is_registered_before_the_first_paint(
    make_app, late_themes_wait: None
) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)):
        assert app.theme == "backplan-dark"
        assert registered(app) & BACKPLAN_THEMES == {"backplan-dark"}
        assert BACKPLAN_THEMES <= set(app.available_themes)  # asking registers the rest
        assert BACKPLAN_THEMES <= registered(app)


async def test_the_late_themes_and_their_warnings_come_after_the_first_paint(
    make_app, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(app_module, "LATE_THEMES_DELAY", 0.05)
    folder = config_dir() / "themes"
    folder.mkdir(parents=True)
    (folder / "harbour.toml").write_text('name = "harbour"\nprimary = "#4DA3FF"\n', "utf-8")
    (folder / "broken.toml").write_text('name = "broken"\nprimary = "not-a-colour"\n', "utf-8")
    app = make_app()
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await wait_until(pilot, lambda: "harbour" in registered(app), "the late themes")
        assert BACKPLAN_THEMES | {"harbour"} <= registered(app)
        assert "broken" not in registered(app)
        warnings = [n.message for n in app._notifications if n.title == "Theme skipped"]
        assert warnings == [
            f"{folder / 'broken.toml'}: primary: 'not-a-colour' is not a colour "
            "(use #RRGGBB, rgb(...) or a colour name); theme skipped"
        ]
        assert app.theme == "backplan-dark"


async def test_the_palette_and_app_theme_see_every_theme_before_the_late_ones(
    make_app, late_themes_wait: None
) -> None:
    folder = config_dir() / "themes"
    folder.mkdir(parents=True)
    (folder / "harbour.toml").write_text('name = "harbour"\nprimary = "#4DA3FF"\n', "utf-8")
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        assert "harbour" not in registered(app)
        listed = {name for name, _ in ThemeProvider(app.screen).commands}
        assert BACKPLAN_THEMES | {"harbour", "nord", "textual-light"} <= listed
        app.theme = "harbour"
        await pilot.pause()
        assert app.theme == "harbour"


async def test_the_picker_previews_a_late_theme_right_after_start(
    make_app, late_themes_wait: None
) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        assert "backplan-high-contrast" not in registered(app)
        await pilot.press("t")
        await settle(pilot)
        await pilot.press("down")  # the picker lists backplan-dark, then backplan-high-contrast
        await settle(pilot)
        assert app.theme == "backplan-high-contrast"
        await pilot.press("escape")
        await settle(pilot)
        assert app.theme == "backplan-dark"


def test_run_freezes_what_start_up_made_then_runs(
    make_app, monkeypatch: pytest.MonkeyPatch
) -> None:
    import gc

    calls: list[object] = []
    monkeypatch.setattr(gc, "freeze", lambda: calls.append("freeze"))
    monkeypatch.setattr(App, "run", lambda self, **kwargs: calls.append(("run", kwargs)))
    make_app().run(headless=True, size=(80, 24))
    assert calls == ["freeze", ("run", {"headless": True, "size": (80, 24)})]
