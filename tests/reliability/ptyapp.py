"""The app in a real pseudo-terminal, for the tests of signals and exits: start it, read what
it draws.  One copy of what test_signals, test_summary_signal and test_exit each had."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path


def read_for(fd: int, seconds: float) -> bytes:
    """What the app writes to its terminal during ``seconds``."""
    out = b""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        ready, _, _ = select.select([fd], [], [], 0.1)
        if ready:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                break
            if not chunk:
                break
            out += chunk
    return out


def spawn(
    args: list[str], data_dir: Path, config_home: Path, *, script: str | None = None
) -> tuple[subprocess.Popen[bytes], int]:
    """``backplan ARGS`` (or ``python -c SCRIPT ARGS``) at 80x24 in its own session, its
    data and config in the test's folders: (the process, the terminal's master end)."""
    env = {
        **os.environ,
        "BACKPLAN_HOME": str(data_dir),
        "XDG_CONFIG_HOME": str(config_home),
        "TERM": "xterm-256color",
        "COLUMNS": "80",
        "LINES": "24",
    }
    command = [sys.executable, "-m", "backplan_tui"] if script is None else [sys.executable]
    if script is not None:
        command += ["-c", script]
    master, slave = pty.openpty()
    child = subprocess.Popen(
        [*command, *args],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env=env,
        start_new_session=True,
        close_fds=True,
    )
    os.close(slave)
    return child, master
