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
    """``-n auto``: two workers per core.  A Pilot test idles at least 40 ms after every key
    and others wait on the processes they start or on a browser: with one worker per core,
    the cores were idle about 40% of the time.  (PYTEST_XDIST_AUTO_NUM_WORKERS overrides.)"""
    affinity = getattr(os, "sched_getaffinity", None)
    cores = len(affinity(0)) if affinity is not None else (os.cpu_count() or 1)
    return 2 * cores


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


# Started first, in this order, so that no worker is left with a long test at the end while
# the others wait (xdist hands tests out in collection order); the order of the tests within
# each rank is kept.  The soak, fuzz, property and browser runs, then what starts an app or
# processes, then the snapshots, then the many short tests of the core, the CLI and the exports.
LATER = {"tui": 1, "reliability": 1, "serve": 1, "snapshots": 2}


def _rank(item: pytest.Item) -> int:
    if item.get_closest_marker("slow") or item.get_closest_marker("xdist_group"):
        return 0
    return LATER.get(item.path.parent.name, 3)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    items.sort(key=_rank)


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
