"""Only tui/compat.py may use Textual's private names (see its docstring and
tests/unit/test_textual_compat.py): every other module uses Textual's public API, so a new
Textual release breaks at most that one module.  This test reads the source."""

from __future__ import annotations

import re
from pathlib import Path

import textual

SRC = Path(__file__).resolve().parents[2] / "src" / "backplan_tui"
COMPAT = SRC / "tui" / "compat.py"
TEXTUAL = Path(textual.__file__).parent

# Private Textual modules, attributes and methods (names a review found or Textual keeps
# private and backplan has been tempted by).  A line that is only a comment is not checked.
PRIVATE = [
    r"\bfrom\s+textual(\.\w+)*\._\w+",  # from textual._segment_tools import ...
    r"\bimport\s+textual(\.\w+)*\._\w+",
    r"\btextual(\.\w+)*\._[a-z]\w*",  # textual._compositor.X, textual.widget._RenderCache
    r"\._bindings\b",
    r"_render_cache\b",
    r"_rich_style_cache\b",
    r"_dirty_regions\b",
    r"_layout_cache\b",
    r"_tree_lines\b",
    r"_row_locations\b",
    r"_render_line_in_row\b",
    r"\b_render_line\b",
    r"\b_render_content\b",
    r"\b_RenderCache\b",
    r"_segment_tools\b",
    r"_show_hover_cursor\b",
    r"_set_hover_cursor\b",
    r"_render_markup\b",
    r"_refresh_truecolor_filter\b",
    r"\._driver\b",
    r"_css_update_count\b",
    r"_pseudo_class_state\b",
    r"_scroll_update\b",
    r"\._(hover|selected|updates|allow_expand|expanded)\b",  # TreeNode internals
    r"\bnode\._(id|label|line|children|parent)\b",
]


def textual_private_handlers() -> set[str]:
    """Textual's own private handlers and watchers (``_on_click``, ``_watch_theme`` ...):
    a class of ours defining one of these names overrides Textual's, dropping what it did."""
    names: set[str] = set()
    pattern = re.compile(r"def (_(?:on|watch|validate|compute)_\w+)\(")
    for path in TEXTUAL.rglob("*.py"):
        names.update(pattern.findall(path.read_text("utf-8")))
    return names


def code_lines(path: Path) -> list[tuple[int, str]]:
    return [
        (n, line)
        for n, line in enumerate(path.read_text("utf-8").splitlines(), 1)
        if not line.lstrip().startswith("#")
    ]


def test_no_module_but_compat_uses_private_textual_names() -> None:
    private = re.compile("|".join(f"(?:{p})" for p in PRIVATE))
    handlers = textual_private_handlers()
    assert "_on_click" in handlers and "_watch_theme" in handlers  # the scan itself works
    defines = re.compile(r"\bdef (_\w+)\(")
    found = []
    for path in sorted(SRC.rglob("*.py")):
        if path == COMPAT:
            continue
        for n, line in code_lines(path):
            where = f"{path.relative_to(SRC.parent)}:{n}: {line.strip()}"
            if private.search(line):
                found.append(where)
            for name in defines.findall(line):
                if name in handlers:
                    found.append(f"{where}  (overrides Textual's {name})")
    assert not found, (
        "private Textual names outside tui/compat.py (move them there, with a check in "
        "tests/unit/test_textual_compat.py, or use the public API):\n" + "\n".join(found)
    )


def test_the_scan_would_see_what_the_review_found() -> None:
    """The patterns match the uses the review found (so the test above can fail)."""
    private = re.compile("|".join(f"(?:{p})" for p in PRIVATE))
    for line in (
        "from textual._segment_tools import line_pad",
        "from textual.widget import _RenderCache",
        "self._bindings.bind(key, action)",
        "old = self._render_cache",
        "kept = self._rich_style_cache",
        "if not self._dirty_regions:",
        "key = self._row_locations.get_key(index)",
        "self._render_line_in_row(key, line, style, cursor, hover)",
        "tree_lines = self._tree_lines",
        "self._refresh_truecolor_filter(self.ansi_theme)",
        "hover = any(node._hover for node in path)",
    ):
        assert private.search(line), line
    for line in ("self._bindings_changed()", "self.theme_changed_signal", "node.label"):
        assert not private.search(line), line
