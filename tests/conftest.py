"""Shared fixtures.  Every test runs with its own data/config dirs, never the real ones."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from backplan_tui.core.storage import SessionStore


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
