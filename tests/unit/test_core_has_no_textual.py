"""``backplan_tui.core`` never imports Textual, not even indirectly."""

from __future__ import annotations

import os
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import backplan_tui
import backplan_tui.core

SRC = str(Path(backplan_tui.__file__).resolve().parent.parent)


def core_modules() -> list[str]:
    names = ["backplan_tui.core"]
    for info in pkgutil.walk_packages(backplan_tui.core.__path__, prefix="backplan_tui.core."):
        names.append(info.name)
    return sorted(names)


MODULES = core_modules()

CHECK = (
    "import importlib, sys\n"
    "importlib.import_module(sys.argv[1])\n"
    "bad = sorted(m for m in sys.modules if m == 'textual' or m.startswith('textual.'))\n"
    "assert not bad, f'{sys.argv[1]} imported {bad[:3]}'\n"
)


def test_discovery_finds_the_core_modules():
    for name in (
        "backplan_tui.core.model",
        "backplan_tui.core.codec",
        "backplan_tui.core.storage.store",
    ):
        assert name in MODULES


@pytest.mark.parametrize("module", MODULES)
def test_module_does_not_import_textual(module):
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (SRC, env.get("PYTHONPATH", "")) if p)
    result = subprocess.run(
        [sys.executable, "-c", CHECK, module],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert result.returncode == 0, f"{module} pulled in textual:\n{result.stderr[-2000:]}"
