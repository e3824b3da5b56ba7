"""A signal while a worker thread is busy ends the process promptly (issue 19).

A ``backplan`` lingered 1:40 after its tmux window was closed.  The app saved and left the
screen on SIGHUP, but a thread worker that was still busy (an export, a build) held the
process: asyncio waits for the executor's threads before ``App.run`` returns, and the exit
watchdog had stood down when the app unmounted.  Here Ctrl+R starts a thread worker that
spins for 30 s and never looks at its cancellation; SIGHUP/SIGTERM must still end the
process within seconds, with the typed edits saved.
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest

from backplan_tui.core.model import Session
from backplan_tui.core.storage import SessionStore
from reliability.test_exit import start, stop, type_keys

BUSY_WORKER = """
import sys, time
from backplan_tui.tui.screens import base

def spin():
    end = time.monotonic() + 30
    while time.monotonic() < end:
        time.sleep(0.01)

def busy(self):
    self.app.run_worker(spin, thread=True, group="busy", exit_on_error=False)

base.StepScreen.action_summary = busy
from backplan_tui.cli import main
sys.exit(main(sys.argv[1:]))
"""


@pytest.mark.long
@pytest.mark.parametrize("sig", [signal.SIGHUP, signal.SIGTERM], ids=["SIGHUP", "SIGTERM"])
def test_a_signal_ends_the_process_though_a_worker_thread_is_busy(
    data_dir: Path, tmp_path: Path, sig: signal.Signals
) -> None:
    SessionStore(data_dir).create(Session(id="live", title="Live session"))
    child, master = start(data_dir, tmp_path, BUSY_WORKER)
    type_keys(master, "Typed with a worker busy")
    time.sleep(0.8)
    os.write(master, b"\x12")  # Ctrl+R: the worker starts
    time.sleep(1.0)
    took, _ = stop(child, master, sig)  # type: ignore[arg-type]
    print(f"{sig.name}: exited {took:.2f} s after the signal")
    assert took < 10, f"the process took {took:.1f} s to end"
    saved = SessionStore(data_dir).load("live")
    assert saved.future_state.statement == "Typed with a worker busy"
    assert not list((data_dir / "sessions").glob("*.lock"))
