"""``backplan_tui.core`` never imports Textual, not even indirectly."""

from __future__ import annotations

import os
import pkgutil
import subprocess
import sys
from pathlib import Path

import backplan_tui
import backplan_tui.core

SRC = str(Path(backplan_tui.__file__).resolve().parent.parent)


def core_modules() -> list[str]:
    names = ["backplan_tui.core"]
    for info in pkgutil.walk_packages(backplan_tui.core.__path__, prefix="backplan_tui.core."):
        names.append(info.name)
    return sorted(names)


MODULES = core_modules()

# One process imports every core module in turn.  Whatever an import loads stays loaded, so
# the module whose import first brings Textual in is the one that imports it (directly or
# through another core module); a module imported afterwards can add nothing, and the one
# named is the one to fix first.
CHECK = (
    "import importlib, sys\n"
    "def textual():\n"
    "    return sorted(m for m in sys.modules if m == 'textual' or m.startswith('textual.'))\n"
    "for name in sys.argv[1:]:\n"
    "    importlib.import_module(name)\n"
    "    if textual():\n"
    "        sys.exit(f'{name} imported {textual()[:3]}')\n"
    "print(len(sys.argv) - 1)\n"
)


def test_discovery_finds_the_core_modules():
    for name in (
        "backplan_tui.core.model",
        "backplan_tui.core.codec",
        "backplan_tui.core.storage.store",
    ):
        assert name in MODULES


def run_check(modules: list[str]) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (SRC, env.get("PYTHONPATH", "")) if p)
    return subprocess.run(
        [sys.executable, "-c", CHECK, *modules],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )


def test_no_core_module_imports_textual():
    result = run_check(MODULES)
    assert result.returncode == 0, f"core pulled in textual:\n{result.stderr[-2000:]}"
    assert result.stdout.split() == [str(len(MODULES))]  # every module was imported


def test_the_check_names_a_module_that_imports_textual():
    result = run_check([*MODULES[:3], "backplan_tui.tui.text", *MODULES[3:]])
    assert result.returncode != 0
    assert "backplan_tui.tui.text imported ['textual" in result.stderr
