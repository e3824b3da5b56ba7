"""Small rooms: a source file longer than about 500 lines says at its top why it is one
module (the rest are split)."""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src" / "backplan_tui"
LIMIT = 600  # "about 500"
REASON = "Why one long module"


def unexplained(root: Path) -> list[str]:
    """The modules under ``root`` over ``LIMIT`` lines whose docstring gives no reason."""
    found = []
    for path in sorted(root.rglob("*.py")):
        text = path.read_text("utf-8")
        lines = text.count("\n")
        if lines > LIMIT and REASON not in (ast.get_docstring(ast.parse(text)) or ""):
            found.append(f"{path.relative_to(root)} ({lines} lines)")
    return found


def test_long_modules_say_why() -> None:
    assert unexplained(SRC) == []


def test_the_check_finds_a_long_module_without_a_reason(tmp_path: Path) -> None:
    body = "x = 1\n" * (LIMIT + 1)
    (tmp_path / "long.py").write_text('"""A module."""\n' + body, "utf-8")
    (tmp_path / "ok.py").write_text(f'"""A module.\n\n{REASON}: one job."""\n' + body, "utf-8")
    (tmp_path / "short.py").write_text('"""Short."""\nx = 1\n', "utf-8")
    assert unexplained(tmp_path) == [f"long.py ({LIMIT + 2} lines)"]
