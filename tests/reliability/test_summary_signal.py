"""A signal while the Summary of a big plan builds ends the app promptly (issue 22, item 9).

The Summary used to build on the main thread (minutes for a big plan), so SIGHUP (terminal
closed) and SIGTERM went unanswered until the build was done: 13 minutes in one report.  The
app runs for real in a pseudo-terminal here; the signal is sent as soon as "Building
summary…" is on screen, and the app must save and exit well before the build could have
finished.  The bound below is a liveness check (the old build of this plan took minutes),
not a speed figure; the time taken is printed.
"""

from __future__ import annotations

import os
import signal
import time
from datetime import date, timedelta
from pathlib import Path

import pytest

from backplan_tui.core import templates
from backplan_tui.core.model import MapNode, Pilot, Session
from backplan_tui.core.storage import SessionStore
from reliability.ptyapp import read_for, spawn

TODAY = date.today()
EXIT_WITHIN = 10.0  # seconds; issue 22 asks for 2 s on a normal machine (printed below)


def big_plan(nodes: int, pilots: int) -> Session:
    session = templates.instantiate(
        "hr-retention", session_id="big", title="Big plan", today=TODAY, team="People Ops"
    )
    session.map = [
        MapNode(
            id=f"n{i}",
            title=f"Condition number {i}",
            parent=f"n{(i - 1) // 4}" if i else "",
            owner="Dana",
            duration_days=3,
            notes="Agreed in the workshop: the owner checks progress every Friday.",
        )
        for i in range(nodes)
    ]
    session.pilots = [
        Pilot(
            id=f"p{i}",
            name=f"Pilot number {i}",
            hypothesis="If we do X with one team, the metric moves by 5 points.",
            tests=[f"n{i % nodes}"],
            start=TODAY,
            end=TODAY + timedelta(days=40),
        )
        for i in range(pilots)
    ]
    session.current_step = "summary"  # opening the session opens the Summary
    return session


@pytest.fixture(scope="module")
def big_file(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """The big plan's file, written once by the store for both signals (2 s of CPU)."""
    store = SessionStore(tmp_path_factory.mktemp("big"))
    store.create(big_plan(5000, 2000))
    return store.path_for("big").read_bytes()


@pytest.mark.long
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP], ids=["SIGTERM", "SIGHUP"])
def test_signal_while_the_summary_builds_exits_promptly(
    data_dir: Path, tmp_path: Path, sig: signal.Signals, big_file: bytes
) -> None:
    path = SessionStore(data_dir).path_for("big")
    path.parent.mkdir(parents=True, mode=0o700)
    path.write_bytes(big_file)
    child, master = spawn(["open", "big"], data_dir, tmp_path / "config")
    try:
        screen = b""
        deadline = time.monotonic() + 120  # a start-up on a busy machine, not a speed figure
        while b"Building summary" not in screen and time.monotonic() < deadline:
            screen += read_for(master, 0.2)
        sent = time.monotonic()  # the signal goes anyway (the old Summary never drew a thing)
        child.send_signal(sig)
        while child.poll() is None and time.monotonic() < sent + EXIT_WITHIN:
            read_for(master, 0.1)  # keep the terminal drained, as a terminal would
        took = time.monotonic() - sent
        print(f"{sig.name}: exited {took:.2f} s after the signal")
        assert child.poll() == 0, f"still running {EXIT_WITHIN} s after {sig.name}"
        assert b"Building summary" in screen, "the Summary did not say it was building"
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        os.close(master)
    assert not list((data_dir / "sessions").glob("*.lock"))  # the lock was released
    assert len(SessionStore(data_dir).load("big").map) == 5000  # saved whole, nothing lost
