"""Terminal closed (SIGHUP) or session ended (SIGTERM) mid-typing: the edits are saved.

The app runs for real in a pseudo-terminal; keys are written to the terminal as a person
types them; the autosave delay is 10 s, so only the signal handler can have saved them.
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest

from backplan_tui.core.model import Session
from backplan_tui.core.storage import SessionStore
from reliability.ptyapp import read_for, spawn


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP])
def test_signal_mid_typing_saves_what_was_typed(
    data_dir: Path, tmp_path: Path, sig: signal.Signals
) -> None:
    SessionStore(data_dir).create(Session(id="live", title="Live session"))
    config = tmp_path / "config" / "backplan"
    config.mkdir(parents=True)
    (config / "settings.toml").write_text("autosave_delay = 10.0\n", "utf-8")
    child, master = spawn(["open", "live"], data_dir, tmp_path / "config")
    try:
        screen = b""
        deadline = time.monotonic() + 30
        while b"Future" not in screen and time.monotonic() < deadline:
            screen += read_for(master, 0.5)  # wait until step 1 is drawn
        assert b"Future" in screen, "the app did not start in the pseudo-terminal"
        time.sleep(0.5)
        for char in "Typed live":  # the goal field has the focus on step 1
            os.write(master, char.encode())
            time.sleep(0.05)
        time.sleep(0.8)
        child.send_signal(sig)
        read_for(master, 0.5)
        child.wait(timeout=20)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        os.close(master)
    saved = SessionStore(data_dir).load("live")
    assert saved.future_state.statement == "Typed live"
    assert not list((data_dir / "sessions").glob("*.lock"))  # the lock was released
