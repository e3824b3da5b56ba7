"""Shared fixtures.  Every test runs with its own data/config dirs, never the real ones."""

from __future__ import annotations

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
