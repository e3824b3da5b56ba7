"""tui/compat.py holds every private Textual name backplan uses.  These tests fail, naming
the installed Textual version, when one of those names is gone or has changed shape (a new
Textual release); then fix compat.py (or drop the speed-up it stands for), not the callers.
"""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import Any

import pytest
import textual
from rich.style import Style
from rich.text import Text
from textual.app import App, ComposeResult
from textual.coordinate import Coordinate
from textual.geometry import Region
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import DataTable, Input, Static

from backplan_tui.core import paths
from backplan_tui.tui import compat
from backplan_tui.tui.app import create_app


def where() -> str:
    return (
        f"on textual {textual.__version__} (tui/compat.py was written for "
        f"textual {compat.WRITTEN_FOR})"
    )


def params(function: Any) -> list[str]:
    return list(inspect.signature(function).parameters)


# (class, private method, its parameters as compat.py calls it)
METHODS = [
    (Widget, "_render_content", ["self"]),
    (
        DataTable,
        "_render_line_in_row",
        ["self", "row_key", "line_no", "base_style", "cursor_location", "hover_location"],
    ),
    (DataTable, "_set_hover_cursor", ["self", "active"]),
    (App, "_refresh_truecolor_filter", ["self", "theme"]),
    (Widget, "_scroll_update", ["self", "virtual_size"]),
    (Input, "_watch_value", ["self", "value"]),
]


@pytest.mark.parametrize(("owner", "name", "expected"), METHODS)
def test_each_private_method_is_there_with_the_same_parameters(
    owner: type, name: str, expected: list[str]
) -> None:
    method = getattr(owner, name, None)
    assert callable(method), f"{owner.__name__}.{name} is gone {where()}"
    assert params(method) == expected, (
        f"{owner.__name__}.{name} takes {params(method)}, not {expected}, {where()}"
    )


def test_the_render_cache_is_a_size_and_its_lines() -> None:
    from textual import widget

    cache = getattr(widget, "_RenderCache", None)
    assert cache is not None, f"textual.widget._RenderCache is gone {where()}"
    assert cache._fields == ("size", "lines"), f"_RenderCache is {cache._fields} {where()}"


class Kept(compat.KeptLines, Static):
    """A Static whose lines are handed over (as Detail hands over the lines it drew)."""

    lines: list[Strip] | None = None

    def kept_lines(self) -> list[Strip] | None:
        return self.lines


class Probe(App[None]):
    def compose(self) -> ComposeResult:
        yield Static("one\ntwo", id="static")
        yield Kept("drawn by Static", id="kept")
        table: DataTable[str] = DataTable(id="table")
        table.add_columns("a", "b")
        for n in range(5):
            table.add_row(str(n), "x" * n, key=str(n))
        yield table


async def test_private_attributes_behave_as_compat_expects() -> None:
    app = Probe()
    async with app.run_test(size=(40, 20)) as pilot:
        await pilot.pause()
        static = app.query_one("#static", Static)
        for name in ("_rich_style_cache", "_render_cache", "_dirty_regions", "_layout_cache"):
            assert hasattr(static, name), f"Widget.{name} is gone {where()}"

        # A refresh of some lines empties the component styles; compat keeps them.
        entry: dict[tuple[str, ...], tuple[Style, Style]] = {
            ("probe",): (Style(bold=True), Style(bold=True))
        }
        static._rich_style_cache.update(entry)
        with compat.component_styles_kept(static):
            static.refresh(Region(0, 0, 4, 1))
        assert static._rich_style_cache == entry, f"component styles not kept {where()}"
        static.refresh(Region(0, 0, 4, 1))
        assert static._rich_style_cache == {}, (
            f"Widget.refresh(region) no longer empties _rich_style_cache {where()}: "
            "component_styles_kept may be dropped"
        )

        # What is on screen: the lines rendered last, None once something is dirty.
        static.render_line(0)  # renders what is dirty, as a paint does
        lines = compat.lines_on_screen(static)
        assert lines is not None, f"no rendered lines found {where()}"
        assert lines[0].text.startswith("one"), f"render cache holds {lines[0].text!r} {where()}"
        static.refresh()
        assert compat.lines_on_screen(static) is None, f"dirty regions not seen {where()}"
        static.update("three")
        compat.forget_layout(static)

        # KeptLines: lines handed over are the lines shown.
        kept_widget = app.query_one("#kept", Kept)
        width = kept_widget.size.width
        kept_widget.lines = [Strip.blank(width, Style(bold=True))] * kept_widget.size.height
        kept_widget.refresh()
        assert kept_widget.render_line(0) == kept_widget.lines[0], f"KeptLines ignored {where()}"

        # DataTable: a row rendered ahead is found by DataTable's own render.
        table = app.query_one("#table", DataTable)
        table.focus()
        await pilot.pause()
        assert isinstance(table._show_hover_cursor, bool), f"_show_hover_cursor {where()}"
        compat.render_table_row_line(
            table, 1, 0, table.rich_style, Coordinate(1, 0), Coordinate(0, 0)
        )


async def test_the_start_theme_matches_what_setting_app_theme_does(data_dir: Path) -> None:
    """BackplanApp starts in its theme without setting App.theme (see _start_theme): the
    classes, CSS variables and ANSI filter must be what App.theme's watcher makes."""
    paths.config_dir().mkdir(parents=True, exist_ok=True)
    (paths.config_dir() / "settings.toml").write_text('theme = "backplan-light"\n', "utf-8")
    app = create_app(data_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.theme == "backplan-light"

        def state() -> tuple[Any, ...]:
            filters = [
                getattr(f, "_terminal_theme", None)
                for f in getattr(app, "_filters", [])
                if type(f).__name__ == "ANSIToTruecolor"
            ]
            classes = sorted(c for c in app.classes if c.startswith("-"))
            return classes, app.get_css_variables(), filters

        started = state()
        app.theme = "backplan-dark"
        await pilot.pause()
        assert state() != started
        app.theme = "backplan-light"  # the public path, as Textual does it
        await pilot.pause()
        assert state() == started, f"the start theme differs from App.theme's {where()}"


def test_the_driver_is_where_compat_looks() -> None:
    app = App[None]()
    assert "_driver" in vars(app), f"App._driver is gone {where()}"
    assert compat.app_driver(app) is None


def test_the_tree_hooks_backplan_uses_are_public() -> None:
    """ItemTree uses only these public Tree/TreeNode names (no compat needed)."""
    from textual.widgets import Tree
    from textual.widgets.tree import TreeNode

    tree: Tree[str] = Tree(Text("root"))
    for name in ("render_label", "get_label_width", "get_node_at_line", "render_line"):
        assert callable(getattr(tree, name, None)), f"Tree.{name} is gone {where()}"
    for name in ("cursor_node", "cursor_line", "hover_line", "show_root", "show_guides"):
        assert hasattr(tree, name), f"Tree.{name} is gone {where()}"
    for name in ("parent", "is_last", "label", "is_expanded", "allow_expand", "id"):
        assert isinstance(getattr(TreeNode, name, None), property), f"TreeNode.{name} {where()}"


def test_compat_loads_no_widget_module_the_home_screen_does_not_need() -> None:
    """The app imports compat at start; DataTable's module (about 4 ms to import) waits for a step
    screen, as it did before compat existed."""
    import subprocess
    import sys

    code = (
        "import sys, backplan_tui.tui.compat, backplan_tui.tui.app; "
        "print('textual.widgets._data_table' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
