"""Shared fixtures.  Every test runs with its own data/config dirs, never the real ones."""

from __future__ import annotations

import gc
import os
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from backplan_tui.core import templates
from backplan_tui.core.model import AnyStep, Session
from backplan_tui.core.storage import SessionStore
from backplan_tui.tui.app import BackplanApp, create_app
from helpers import TODAY

# --- how the suite runs (pytest-xdist, `make test`) ---------------------------------------------


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """``-n auto``: three workers per core (PYTEST_XDIST_AUTO_NUM_WORKERS overrides: this
    hook runs before xdist's own, which reads it).  A Pilot test sleeps at least 20 ms after
    every key while Textual waits for the app to go idle, and others wait on the processes
    they start or on a browser: with two workers per core the cores were still idle a sixth
    of the time; with three they are busy to the end, and four took no less time."""
    override = os.environ.get("PYTEST_XDIST_AUTO_NUM_WORKERS", "")
    if override.isdigit() and int(override) > 0:
        return int(override)
    affinity = getattr(os, "sched_getaffinity", None)
    cores = len(affinity(0)) if affinity is not None else (os.cpu_count() or 1)
    return 3 * cores


def pytest_configure(config: pytest.Config) -> None:
    """A young-generation collection every 7,000 new objects, not every 700: each test
    process builds and drops an app after another, and with Python's default the collector
    took 20% of a Pilot test's CPU time (the suite's own settings, not the app's)."""
    gc.set_threshold(7000, 10, 10)


def pytest_collection_finish(session: pytest.Session) -> None:
    """What collection made (the modules, Textual's and ours, every test item) lives as
    long as the process: frozen, later full collections leave it out (``gc.freeze``)."""
    gc.collect()
    gc.freeze()


# The order the tests are handed out in (xdist hands them out in collection order, a worker
# holding at most three at a time):
# 1. the soak, fuzz, property, browser and other runs of several seconds (marked ``slow`` or
#    ``long``, or grouped), so that no worker is left with a long one at the end;
# 2. the tests that drive an app or wait on processes, spread evenly among most of the short
#    CPU-bound tests of the core, the CLI and the exports.  A Pilot test sleeps after every
#    key (Textual waits for the app to go idle): on their own, such tests left the cores idle
#    a fifth of the time, and the short tests fill those gaps;
# 3. the snapshots (each under a second) with the rest of the short tests: the run ends on
#    short tests, with every worker busy to the end.
# The order within each kind is kept.
WAITING = {"tui", "reliability", "serve"}
LAST = {"snapshots"}
LAST_SHARE = 0.3  # of the short tests, kept for the end


def _first(item: pytest.Item) -> bool:
    return any(item.get_closest_marker(mark) for mark in ("slow", "long", "xdist_group"))


def _spread(few: list[pytest.Item], many: list[pytest.Item]) -> list[pytest.Item]:
    """``few`` in their order, each followed by its share of ``many`` (also in order)."""
    if not few:
        return many
    out: list[pytest.Item] = []
    for n, item in enumerate(few):
        out.append(item)
        out.extend(many[n * len(many) // len(few) : (n + 1) * len(many) // len(few)])
    return out


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    first = [item for item in items if _first(item)]
    rest = [item for item in items if not _first(item)]
    waiting = [item for item in rest if item.path.parent.name in WAITING]
    last = [item for item in rest if item.path.parent.name in LAST]
    busy = [item for item in rest if item.path.parent.name not in WAITING | LAST]
    split = len(busy) - int(len(busy) * LAST_SHARE) if last else len(busy)
    items[:] = first + _spread(waiting, busy[:split]) + _spread(last, busy[split:])


@pytest.fixture(autouse=True)
def _isolated_dirs(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch):
    """BACKPLAN_HOME, XDG_DATA_HOME and XDG_CONFIG_HOME point at fresh temp dirs."""
    base = tmp_path_factory.mktemp("dirs")
    monkeypatch.setenv("BACKPLAN_HOME", str(base / "backplan-home"))
    monkeypatch.setenv("XDG_DATA_HOME", str(base / "xdg-data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(base / "xdg-config"))


@pytest.fixture
def data_dir() -> Path:
    """The BACKPLAN_HOME of this test (not created: the store creates it on first write)."""
    return Path(os.environ["BACKPLAN_HOME"])


@pytest.fixture
def store(data_dir: Path) -> SessionStore:
    return SessionStore(data_dir)


@pytest.fixture
def today() -> date:
    """The day the app is told it is (``helpers.TODAY``, a Monday)."""
    return TODAY


@pytest.fixture
def make_app(data_dir: Path, today: date) -> Callable[..., BackplanApp]:
    """``make_app(open_session=None, **create_app_options)``: the app over this test's data
    dir, told it is ``today``, saving 50 ms after an edit (override either by keyword)."""

    def make(open_session: str | None = None, **options: Any) -> BackplanApp:
        options.setdefault("today", lambda: today)
        options.setdefault("autosave_delay", 0.05)
        return create_app(data_dir, open_session=open_session, **options)

    return make


@pytest.fixture
def demo_at(data_dir: Path, today: date, make_app: Callable[..., BackplanApp]):
    """``demo_at(step, change=None, **create_app_options)``: the demo session saved in this
    test's data dir at ``step`` (after ``change(demo)``, to tweak it), and the app opening it.
    ``step=None`` keeps the demo's own step (the reverse map)."""

    def open_demo(
        step: AnyStep | None = None,
        change: Callable[[Session], object] | None = None,
        **options: Any,
    ) -> BackplanApp:
        demo = templates.demo_session(today)
        if step is not None:
            demo.current_step = step
        if change is not None:
            change(demo)
        SessionStore(data_dir).create(demo)
        return make_app(demo.id, **options)

    return open_demo
