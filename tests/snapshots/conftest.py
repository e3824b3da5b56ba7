"""Snapshot tests: a frozen cursor, a fixed day, and sessions written with fixed timestamps."""

from __future__ import annotations

import time

import pytest
from textual.widgets import Input, TextArea


@pytest.fixture(autouse=True)
def frozen_cursor(monkeypatch: pytest.MonkeyPatch) -> None:
    """A blinking cursor makes screenshots differ from run to run."""
    monkeypatch.setattr(Input, "_toggle_cursor", lambda self: None)
    monkeypatch.setattr(TextArea, "_toggle_cursor_blink_visible", lambda self: None)


@pytest.fixture(autouse=True)
def utc_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """Home shows local times: pin the zone so the SVG does not depend on the machine."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
