"""``core.storage``: small rooms, one job each, no import cycle, and no import of the domain's
summaries (the index is given a summarizer instead; see ``core.wiring``)."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

import backplan_tui
from backplan_tui.core.model import Session
from backplan_tui.core.storage import SessionStore

SRC = Path(backplan_tui.__file__).resolve().parent.parent
STORAGE = SRC / "backplan_tui" / "core" / "storage"
PACKAGE = "backplan_tui.core.storage"
FORBIDDEN = {f"backplan_tui.core.{name}" for name in ("glance", "coach", "progress", "schedule")}


def _modules() -> dict[str, Path]:
    return {
        (PACKAGE if path.stem == "__init__" else f"{PACKAGE}.{path.stem}"): path
        for path in sorted(STORAGE.glob("*.py"))
    }


def _imports(module: str, path: Path) -> set[str]:
    """Every module ``module`` imports, anywhere in it (at the top, in a function, under
    ``TYPE_CHECKING``), absolute names; ``from a import b`` counts as ``a`` and ``a.b``."""
    package = PACKAGE if module == PACKAGE else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                parts = parts[: len(parts) - node.level + 1]
                base = ".".join([*parts, base] if base else parts)
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


MODULES = _modules()


def test_the_rooms_are_there():
    assert {name.rpartition(".")[2] for name in MODULES} >= {
        "errors",
        "layout",
        "fileio",
        "index",
        "backups",
        "lock",
        "store",
    }


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_storage_module_imports_the_domains_summaries(module):
    imported = _imports(module, MODULES[module])
    bad = sorted(
        name for name in imported if any(name == f or name.startswith(f"{f}.") for f in FORBIDDEN)
    )
    assert bad == [], f"{module} imports {bad}"


def test_the_checker_sees_every_kind_of_import(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from backplan_tui.core.glance import Glance\n"
        "def f():\n    from backplan_tui.core import coach\n    import backplan_tui.core.schedule\n"
        "from .. import progress\n",
        "utf-8",
    )
    found = _imports(f"{PACKAGE}.sample", sample)
    assert FORBIDDEN <= found


def test_no_import_cycle_between_the_rooms():
    graph = {
        module: {
            name
            for name in _imports(module, path)
            if name in MODULES and name not in (module, PACKAGE)
        }
        for module, path in MODULES.items()
    }
    done: set[str] = set()

    def visit(module: str, path: list[str]) -> None:
        if module in path:
            cycle = path[path.index(module) :] + [module]
            pytest.fail("import cycle: " + " -> ".join(cycle))
        if module in done:
            return
        for name in sorted(graph[module]):
            visit(name, [*path, module])
        done.add(module)

    for module in sorted(graph):
        visit(module, [])
    assert not graph[f"{PACKAGE}.errors"]  # imported by all, importing none


class FakeSummarizer:
    """A summarizer of the storage's protocol that is not the glance."""

    start = "<"

    def prefix(self, day: date) -> str:
        return f"<{day.isoformat()}>"

    def text(self, session: Session, today: date) -> str:
        return f"<{today.isoformat()}>{session.title.upper()}"

    def brief(self, text: str) -> list[str]:
        return [text[-3:]]

    def read(self, record: object) -> object:
        return record.partition(">")[2] if isinstance(record, str) else None

    def stale(self, record: object, today: date) -> bool:
        return not (isinstance(record, str) and record.startswith(self.prefix(today)))


def test_a_store_lists_with_the_summarizer_it_is_given(data_dir):
    day = date(2026, 12, 2)
    store = SessionStore(data_dir, summarizer=FakeSummarizer())
    store.create(Session(id="plan-0001", title="Plan", updated=datetime(2026, 1, 1, tzinfo=UTC)))
    for _ in range(2):  # parsed, then from the index
        (entry,) = store.list(today=day)
        assert entry.glance == "PLAN"
        assert entry.brief == ["LAN"]  # the summarizer's brief, kept in the record
        assert entry.glance_stale(day) is False
        assert entry.glance_stale(date(2026, 12, 3)) is True
    # the same index read by a store with the app's summarizer: not its text, parsed again
    (entry,) = SessionStore(data_dir).list(today=day)
    assert entry.glance is not None and entry.glance.as_of == day


PROBE = """\
import sys
from datetime import date
from pathlib import Path
from backplan_tui.core.storage import SessionStore
sys.path.insert(0, sys.argv[2])
from test_storage_rooms import FakeSummarizer
store = SessionStore(Path(sys.argv[1]), summarizer=FakeSummarizer())
[entry] = store.list(today=date(2026, 12, 2))
assert entry.glance == "PLAN", entry.glance
print(" ".join(sorted(sys.modules)))
"""


def test_a_store_with_its_own_summarizer_never_imports_the_domains(data_dir):
    SessionStore(data_dir, summarizer=FakeSummarizer()).create(Session(id="p-1", title="Plan"))
    env = dict(os.environ, PYTHONPATH=str(SRC))
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(data_dir), str(Path(__file__).parent)],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    loaded = set(done.stdout.split())
    assert "backplan_tui.core.storage.index" in loaded
    assert sorted(FORBIDDEN & loaded) == []
