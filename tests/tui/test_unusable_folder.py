"""Issue 22.5: a sessions folder that cannot be written (a symbolic link, a read-only
folder) opens a session read-only with a toast saying why, never a traceback."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from backplan_tui.core import templates
from backplan_tui.core.storage import SessionStore
from backplan_tui.core.storage import lock as locks
from backplan_tui.tui.app import create_app
from helpers import TODAY


def demo_in(data_dir: Path) -> Path:
    SessionStore(data_dir).create(templates.demo_session(TODAY))
    return data_dir / "sessions" / "demo.toml"


async def open_from_home(data_dir: Path) -> tuple[bool, list[tuple[str, str]], str]:
    app = create_app(data_dir, today=lambda: TODAY, autosave_delay=0.05)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await pilot.press("enter")  # open the highlighted (only) session
        await pilot.pause()
        screen = app.screen.__class__.__name__
        read_only = app.document is not None and app.document.read_only
        messages = [(n.title, n.message) for n in app._notifications]
        await pilot.press("ctrl+q")
    assert screen != "HomeScreen", messages  # it opened
    return read_only, messages, screen


async def test_a_symlinked_sessions_folder_opens_read_only_saying_why(
    data_dir: Path, tmp_path: Path
) -> None:
    elsewhere = tmp_path / "synced"
    path = demo_in(elsewhere)
    data_dir.mkdir(parents=True, exist_ok=True)
    (data_dir / "sessions").symlink_to(elsewhere / "sessions")
    before = path.read_bytes()
    read_only, messages, _ = await open_from_home(data_dir)
    assert read_only
    [(title, message)] = [m for m in messages if m[0] == "Read-only"]
    assert message.startswith("Opened read-only: nothing can be saved, because ")
    assert "symbolic link" in message
    assert path.read_bytes() == before
    assert sorted(os.listdir(elsewhere / "sessions")) == ["demo.toml"]  # no lock file made


async def test_a_read_only_sessions_folder_opens_read_only_saying_why(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = demo_in(data_dir)
    before = path.read_bytes()
    folder = data_dir / "sessions"
    as_root = hasattr(os, "geteuid") and os.geteuid() == 0
    if as_root:
        # root writes into a 0500 folder anyway: the lock fails as it would for anyone else
        print("running as root: a read-only folder is simulated by a failing lock file open")

        def read_only_lock(self, session_id, *, timeout=0.0):
            raise locks.LockError(
                f"cannot open lock file {self.lock_path(session_id)}: Read-only file system"
            )

        monkeypatch.setattr(SessionStore, "lock", read_only_lock)
    else:
        os.chmod(folder, stat.S_IRUSR | stat.S_IXUSR)
    try:
        read_only, messages, _ = await open_from_home(data_dir)
    finally:
        os.chmod(folder, 0o700)
    assert read_only
    [(title, message)] = [m for m in messages if m[0] == "Read-only"]
    assert "nothing can be saved" in message
    assert "Read-only file system" in message or "Permission denied" in message
    assert path.read_bytes() == before
