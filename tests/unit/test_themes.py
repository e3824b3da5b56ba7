"""Themes: the built-in files, user themes, contrast, and the variables the TCSS relies on."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from textual.app import App, ComposeResult
from textual.color import Color
from textual.theme import BUILTIN_THEMES, Theme
from textual.widgets import Static

import backplan_tui
from backplan_tui.tui import themes
from backplan_tui.tui.themes import contrast_ratio

THEMES_DIR = Path(__file__).resolve().parents[2] / "src" / "backplan_tui" / "themes"
EXPECTED = {
    "backplan-dark": True,
    "backplan-light": False,
    "backplan-high-contrast": True,
    "backplan-projector": False,
    "backplan-sunrise": False,
}
STRICT = {"backplan-high-contrast", "backplan-projector"}  # 7:1 text
REQUIRED_VARIABLES = {"healthy", "warning-finding", "problem", "late", "timer-overrun"}
STATUS = ("healthy", "warning-finding", "problem", "late")
COLOUR_FIELDS = {
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
}
FILES = sorted(THEMES_DIR.glob("*.toml"))


def read(path: Path) -> dict:
    with path.open("rb") as handle:
        return tomllib.load(handle)


def write_theme(config: Path, file_name: str, text: str) -> Path:
    folder = config / "themes"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / file_name
    path.write_text(text, encoding="utf-8")
    return path


GOOD = """\
name = "ocean"
primary = "#3A86FF"
background = "#0B1D33"
foreground = "#E8F1FF"
description = "Deep blue"

[variables]
late = "#FF5D8F"
"""


# --- the contrast formula, checked against known pairs -----------------------------------------


def test_contrast_black_on_white_is_21():
    assert contrast_ratio("#000000", "#FFFFFF") == pytest.approx(21.0)
    assert contrast_ratio("#FFFFFF", "#000000") == pytest.approx(21.0)


def test_contrast_known_greys():
    # #777777 fails AA on white (4.48); #767676 is the lightest grey that passes (4.54).
    assert contrast_ratio("#777777", "#FFFFFF") == pytest.approx(4.48, abs=0.01)
    assert contrast_ratio("#767676", "#FFFFFF") == pytest.approx(4.54, abs=0.01)


def test_contrast_same_colour_is_1():
    assert contrast_ratio("#4FA3D9", "#4fa3d9") == pytest.approx(1.0)


def test_contrast_pure_red_on_black():
    # L(red) = 0.2126, so (0.2126 + 0.05) / 0.05 = 5.252
    assert contrast_ratio("#FF0000", "#000000") == pytest.approx(5.252, abs=0.001)


def test_contrast_blends_a_translucent_foreground():
    # Black at 50% over white is #7F7F7F (or #808080): about 3.95-4.0 against white.
    assert contrast_ratio("#00000080", "#FFFFFF") == pytest.approx(3.97, abs=0.05)


# --- the built-in files ------------------------------------------------------------------------


def test_the_built_in_themes_are_the_expected_ones():
    names = {read(path)["name"]: read(path)["dark"] for path in FILES}
    assert names == EXPECTED
    for path in FILES:
        assert path.stem == read(path)["name"], "file name and theme name differ"


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_built_in_file_sets_every_colour_and_variable(path):
    data = read(path)
    assert COLOUR_FIELDS <= set(data)
    assert REQUIRED_VARIABLES <= set(data["variables"])
    assert set(themes.BACKPLAN_VARIABLES) <= set(data["variables"])


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_body_text_contrast(path):
    data = read(path)
    need = 7.0 if data["name"] in STRICT else 4.5
    for where in ("background", "surface", "panel"):
        ratio = contrast_ratio(data["foreground"], data[where])
        assert ratio >= need, f"foreground on {where}: {ratio:.2f} < {need}"


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_status_colour_contrast(path):
    data = read(path)
    strict = data["name"] in STRICT
    for name in STATUS:
        colour = data["variables"][name]
        ratio = contrast_ratio(colour, data["background"])
        need = 7.0 if strict else 3.0
        assert ratio >= need, f"{name} on background: {ratio:.2f} < {need}"
        for where in ("surface", "panel"):  # the step bar and dialogs
            ratio = contrast_ratio(colour, data[where])
            need = 4.5 if strict else 3.0
            assert ratio >= need, f"{name} on {where}: {ratio:.2f} < {need}"
    ratio = contrast_ratio(data["variables"]["timer-overrun"], data["background"])
    assert ratio >= (7.0 if strict else 3.0), f"timer-overrun: {ratio:.2f}"


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_muted_text_and_cursor_row_stay_readable(path):
    """$text-muted (prompts, labels) and the table cursor row, as Textual computes them."""
    data = read(path)
    generated = themes.theme_from_dict(data).to_color_system().generate()
    for where in ("background", "surface", "panel"):
        base = Color.parse(data[where])
        muted = generated["text-muted"]
        if muted.startswith("auto"):  # "auto 60%": black or white at 60% over the base
            colour = base + base.get_contrast_text(int(muted.split()[1].rstrip("%")) / 100)
        else:
            colour = Color.parse(muted)
        ratio = contrast_ratio(colour, base)
        assert ratio >= 4.5, f"text-muted on {where}: {ratio:.2f}"
    primary = Color.parse(data["primary"])
    cursor_text = primary + primary.get_contrast_text(0.87)  # $block-cursor-foreground
    assert contrast_ratio(cursor_text, primary) >= 4.5


def test_loader_reads_every_built_in_without_warnings():
    loaded, warnings = themes.load_themes(None)
    assert warnings == []
    assert {theme.name: theme.dark for theme in loaded} == EXPECTED
    dark = next(theme for theme in loaded if theme.name == "backplan-dark")
    assert dark.primary == "#4FA3D9"
    assert dark.variables["late"] == "#F78FB3"
    assert dark.variables["boost"] == "#FFFFFF0A"  # Textual ignores Theme.boost beside panel


def test_builtin_themes_and_default():
    assert themes.DEFAULT_THEME == "backplan-dark"
    assert "backplan-dark" in {theme.name for theme in themes.builtin_themes()}


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_every_built_in_builds_in_textual(path):
    """Loading skips Textual's build of a built-in theme (it costs each start): this is it."""
    theme = themes.builtin_theme(path.stem)
    assert theme is not None and theme.name == path.stem
    generated = theme.to_color_system().generate()
    built, wanted = Color.parse(generated["primary"]), Color.parse(read(path)["primary"])
    assert max(abs(x - y) for x, y in zip(built.rgb, wanted.rgb, strict=True)) <= 1  # rounding
    assert theme == {t.name: t for t in themes.load_themes(None)[0]}[path.stem]


def test_builtin_theme_by_name():
    light = themes.builtin_theme("backplan-light")
    assert light is not None
    assert (light.primary, light.dark) == ("#0B5FA5", False)
    assert themes.builtin_theme("nord") is None  # Textual's own
    assert themes.builtin_theme("no-such-theme") is None
    assert themes.builtin_theme("../themes/backplan-dark") is None
    assert themes.builtin_theme("") is None


# --- user themes -------------------------------------------------------------------------------


def test_good_user_theme_is_loaded(tmp_path):
    path = write_theme(tmp_path, "ocean.toml", GOOD)
    loaded, warnings = themes.load_themes(tmp_path)
    assert warnings == []
    ocean = {theme.name: theme for theme in loaded}["ocean"]
    assert ocean.primary == "#3A86FF"
    assert ocean.dark is True  # guessed from the dark background
    assert ocean.variables == {"late": "#FF5D8F"}
    infos, _ = themes.theme_infos(tmp_path)
    info = {i.name: i for i in infos}["ocean"]
    assert (info.source, info.path, info.description) == ("user", path, "Deep blue")


def test_user_theme_dark_is_guessed_light_from_a_light_background(tmp_path):
    write_theme(
        tmp_path, "paper.toml", 'name = "paper"\nprimary = "#004488"\nbackground = "#FAFAF0"\n'
    )
    loaded, warnings = themes.load_themes(tmp_path)
    assert warnings == []
    assert {t.name: t.dark for t in loaded}["paper"] is False


def test_bad_colour_skips_the_file_with_a_warning(tmp_path):
    path = write_theme(tmp_path, "bad.toml", 'name = "bad"\nprimary = "blurple"\n')
    write_theme(tmp_path, "ocean.toml", GOOD)
    loaded, warnings = themes.load_themes(tmp_path)
    names = {theme.name for theme in loaded}
    assert "bad" not in names and "ocean" in names
    assert len(warnings) == 1
    assert str(path) in warnings[0]
    assert "primary" in warnings[0] and "blurple" in warnings[0]
    assert "skipped" in warnings[0]


def test_bad_variable_colour_skips_the_file(tmp_path):
    write_theme(tmp_path, "v.toml", 'name = "v"\nprimary = "#123456"\n[variables]\nlate = "nope"\n')
    loaded, warnings = themes.load_themes(tmp_path)
    assert "v" not in {theme.name for theme in loaded}
    assert len(warnings) == 1 and "variables.late" in warnings[0]


def test_bad_toml_skips_the_file(tmp_path):
    path = write_theme(tmp_path, "broken.toml", 'name = "broken"\nprimary = "#123456\n')
    loaded, warnings = themes.load_themes(tmp_path)
    assert len(loaded) == len(EXPECTED)
    assert len(warnings) == 1
    assert warnings[0].startswith(f"{path}: (toml): ")


def test_missing_name_and_missing_primary(tmp_path):
    no_name = write_theme(tmp_path, "a.toml", 'primary = "#123456"\n')
    no_primary = write_theme(tmp_path, "b.toml", 'name = "b"\nbackground = "#000000"\n')
    bad_name = write_theme(tmp_path, "c.toml", 'name = "my theme [b]"\nprimary = "#123456"\n')
    loaded, warnings = themes.load_themes(tmp_path)
    assert len(loaded) == len(EXPECTED)
    assert warnings[0].startswith(f"{no_name}: name: missing")
    assert warnings[1].startswith(f"{no_primary}: primary: missing")
    assert warnings[2].startswith(f"{bad_name}: name: ")


def test_wrong_types_are_reported(tmp_path):
    write_theme(tmp_path, "a.toml", 'name = "a"\nprimary = 12\n')
    write_theme(tmp_path, "b.toml", 'name = "b"\nprimary = "#123456"\ndark = "yes"\n')
    write_theme(tmp_path, "c.toml", 'name = "c"\nprimary = "#123456"\nvariables = "x"\n')
    write_theme(tmp_path, "d.toml", 'name = "d"\nprimary = "#123456"\ntext_alpha = 3\n')
    loaded, warnings = themes.load_themes(tmp_path)
    assert len(loaded) == len(EXPECTED)
    fields = [warning.split(": ")[1] for warning in warnings]
    assert fields == ["primary", "dark", "variables", "text_alpha"]


def test_a_taken_name_is_skipped(tmp_path):
    write_theme(tmp_path, "a.toml", 'name = "backplan-dark"\nprimary = "#FF0000"\n')
    write_theme(tmp_path, "b.toml", 'name = "nord"\nprimary = "#FF0000"\n')
    write_theme(tmp_path, "c.toml", GOOD)
    write_theme(tmp_path, "d.toml", GOOD.replace("#3A86FF", "#000000"))
    loaded, warnings = themes.load_themes(tmp_path)
    by_name = {theme.name: theme for theme in loaded}
    assert by_name["backplan-dark"].primary == "#4FA3D9"  # the built-in is untouched
    assert by_name["ocean"].primary == "#3A86FF"  # the first file wins
    assert len(warnings) == 3
    assert all("already a theme" in warning for warning in warnings)


def test_unknown_keys_and_variables_are_ignored_with_a_note(tmp_path):
    write_theme(
        tmp_path,
        "n.toml",
        'name = "n"\nprimary = "#123456"\nprimry = "#000000"\n[variables]\nsparkle = "#FFF"\n',
    )
    loaded, warnings = themes.load_themes(tmp_path)
    assert "n" in {theme.name for theme in loaded}
    assert len(warnings) == 2
    assert any("variables.sparkle: unknown variable" in w for w in warnings)
    assert any("primry: unknown key" in w for w in warnings)


def test_textual_variables_can_be_overridden(tmp_path):
    write_theme(
        tmp_path,
        "t.toml",
        'name = "t"\nprimary = "#123456"\n[variables]\n'
        'text-muted = "auto 70%"\nblock-cursor-text-style = "bold underline"\n'
        'footer-key-foreground = "red"\n',
    )
    loaded, warnings = themes.load_themes(tmp_path)
    assert warnings == []
    theme = {t.name: t for t in loaded}["t"]
    assert theme.variables == {
        "text-muted": "auto 70%",
        "block-cursor-text-style": "bold underline",
        "footer-key-foreground": "#FF0000",
    }


def test_bad_text_style_skips_the_file(tmp_path):
    write_theme(
        tmp_path, "s.toml", 'name = "s"\nprimary = "#123456"\n[variables]\nlink-style = "wavy"\n'
    )
    loaded, warnings = themes.load_themes(tmp_path)
    assert "s" not in {t.name for t in loaded}
    assert "variables.link-style" in warnings[0]


def test_unreadable_files_never_raise(tmp_path):
    write_theme(tmp_path, "latin1.toml", "")
    (tmp_path / "themes" / "latin1.toml").write_bytes(b'name = "caf\xe9"\nprimary = "#123"\n')
    write_theme(tmp_path, "huge.toml", "# " + "x" * (themes.MAX_THEME_BYTES + 10) + "\n")
    (tmp_path / "themes" / "folder.toml").mkdir()
    write_theme(tmp_path, "notes.md", "not a theme")
    loaded, warnings = themes.load_themes(tmp_path)
    assert len(loaded) == len(EXPECTED)
    assert len(warnings) == 2
    assert "huge.toml: (file): too large" in warnings[0]
    assert "latin1.toml: (file): is not UTF-8" in warnings[1]


def test_no_user_themes_folder_is_fine(tmp_path):
    loaded, warnings = themes.load_themes(tmp_path / "nowhere")
    assert warnings == [] and len(loaded) == len(EXPECTED)


# --- variables ---------------------------------------------------------------------------------


def test_variable_defaults_without_a_theme_cover_every_variable():
    defaults = themes.theme_variable_defaults()
    assert set(defaults) == set(themes.BACKPLAN_VARIABLES)
    assert REQUIRED_VARIABLES <= set(defaults)


def test_variable_defaults_follow_a_textual_theme():
    nord = BUILTIN_THEMES["nord"]
    defaults = themes.theme_variable_defaults(nord)
    assert defaults["healthy"] == nord.success
    assert defaults["problem"] == nord.error
    assert defaults["late"] == nord.error
    assert defaults["warning-finding"] == nord.warning


def test_variable_defaults_fall_back_to_primary():
    defaults = themes.theme_variable_defaults(Theme(name="x", primary="#123456"))
    assert set(defaults.values()) == {"#123456"}


def test_textual_theme_names_are_a_copy():
    before = dict(BUILTIN_THEMES)
    names = themes.textual_theme_names()
    names.clear()
    assert dict(BUILTIN_THEMES) == before
    assert "textual-dark" in themes.textual_theme_names()


def test_theme_infos_list_backplan_user_and_textual(tmp_path):
    write_theme(tmp_path, "ocean.toml", GOOD)
    infos, warnings = themes.theme_infos(tmp_path)
    assert warnings == []
    sources = {info.name: info.source for info in infos}
    assert sources["backplan-projector"] == "backplan"
    assert sources["ocean"] == "user"
    assert sources["textual-light"] == "textual"
    assert len(infos) == len(EXPECTED) + 1 + len(BUILTIN_THEMES)


# --- inside an app -----------------------------------------------------------------------------


class VariablesApp(App[None]):
    """Uses every backplan variable, plain and with an alpha, as the real TCSS will."""

    CSS = "\n".join(
        f"#v-{name} {{ color: ${name}; background: ${name} 20%; }}"
        for name in themes.BACKPLAN_VARIABLES
    )

    def get_theme_variable_defaults(self) -> dict[str, str]:
        return themes.theme_variable_defaults(self.current_theme)

    def compose(self) -> ComposeResult:
        for name in themes.BACKPLAN_VARIABLES:
            yield Static(name, id=f"v-{name}")


async def test_every_theme_applies_and_resolves_the_variables(tmp_path):
    write_theme(tmp_path, "ocean.toml", GOOD)
    app = VariablesApp()
    async with app.run_test(size=(40, 12)) as pilot:
        assert themes.register_themes(app, tmp_path) == []
        names = [*EXPECTED, "ocean", *themes.textual_theme_names()]
        for name in names:
            assert themes.apply_theme(app, name) is None
            await pilot.pause()
            assert app.theme == name
            expected = themes.theme_variables(app.current_theme)["late"]
            assert app.theme_variables["late"] == expected
        app.theme = "backplan-projector"
        await pilot.pause()
        late = app.query_one("#v-late").styles.color
        assert late == Color.parse("#990057")
        app.theme = "ocean"
        await pilot.pause()
        assert app.query_one("#v-late").styles.color == Color.parse("#FF5D8F")


async def test_apply_theme_falls_back_to_the_default():
    app = VariablesApp()
    async with app.run_test(size=(40, 12)) as pilot:
        themes.register_themes(app, None)
        message = themes.apply_theme(app, "no-such-theme")
        await pilot.pause()
        assert app.theme == "backplan-dark"
        assert message is not None and "no-such-theme" in message
        assert themes.apply_theme(app, "") is None
        assert app.theme == "backplan-dark"


def registered(app: App[None]) -> set[str]:
    return set(App.available_themes.fget(app))  # type: ignore[attr-defined]


def test_register_start_theme_reads_only_the_theme_shown(tmp_path):
    write_theme(tmp_path, "ocean.toml", GOOD)
    textual_only = registered(App())
    app: App[None] = App()
    assert themes.register_start_theme(app, None, tmp_path) == (False, [])
    assert registered(app) == textual_only | {"backplan-dark"}
    app = App()
    assert themes.register_start_theme(app, "backplan-sunrise", tmp_path) == (False, [])
    assert registered(app) == textual_only | {"backplan-sunrise"}
    app = App()
    assert themes.register_start_theme(app, "nord", tmp_path) == (False, [])
    assert registered(app) == textual_only


@pytest.mark.parametrize("name", ["ocean", "no-such-theme"])
def test_register_start_theme_registers_everything_for_another_name(tmp_path, name):
    write_theme(tmp_path, "ocean.toml", GOOD)
    write_theme(tmp_path, "bad.toml", 'name = "bad"\nprimary = "not-a-colour"\n')
    app: App[None] = App()
    complete, warnings = themes.register_start_theme(app, name, tmp_path)
    assert complete is True
    assert [w.split(": ", 1)[1] for w in warnings] == [
        "primary: 'not-a-colour' is not a colour (use #RRGGBB, rgb(...) or a colour name); "
        "theme skipped"
    ]
    assert registered(app) >= set(EXPECTED) | {"ocean"}


async def test_register_builtin_themes_still_selects_the_default():
    app = VariablesApp()
    async with app.run_test(size=(40, 12)) as pilot:
        themes.register_builtin_themes(app)
        await pilot.pause()
        assert app.theme == "backplan-dark"
        assert set(EXPECTED) <= set(app.available_themes)


def test_importing_themes_does_not_load_textual_app():
    src = str(Path(backplan_tui.__file__).resolve().parent.parent)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (src, env.get("PYTHONPATH", "")) if p)
    code = (
        "import sys, backplan_tui.tui.themes as t\n"
        "t.theme_infos(None)\n"
        "assert 'textual.app' not in sys.modules, 'textual.app was imported'\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60
    )
    assert result.returncode == 0, result.stderr[-2000:]


def test_the_built_in_themes_are_package_data() -> None:
    """The theme files live inside the package (``backplan_tui/themes/``), so a wheel ships
    them like any other file of the package, with no build-time copying."""
    package = Path(backplan_tui.__file__).resolve().parent
    assert themes.themes_dir() == package / "themes" == THEMES_DIR.resolve()
    assert [p.stem for p in FILES] == [
        "backplan-dark",
        "backplan-high-contrast",
        "backplan-light",
        "backplan-projector",
        "backplan-sunrise",
    ]
    pyproject = tomllib.loads((package.parents[1] / "pyproject.toml").read_text("utf-8"))
    assert "force-include" not in pyproject["tool"]["hatch"]["build"]["targets"]["wheel"]
