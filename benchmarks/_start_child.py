"""Child process of bench_startup / bench_cli: start an app headless, exit once it is ready.

    python benchmarks/_start_child.py bare      # a bare Textual app showing one Label
    python benchmarks/_start_child.py backplan  # `backplan` (cli.main([])) to its home screen

Both run ``App.run(headless=True, size=(80, 24), auto_pilot=...)``.  The auto-pilot polls
every 2 ms until the first screen is ready, waits for that screen's next refresh (so it has
been laid out and painted once), then calls ``app.exit()``.  "Ready" is:

- bare: the default screen is mounted and holds its Label;
- backplan: the current screen is the ``HomeScreen``, mounted, and (when it keeps a list
  of ``entries``) holding at least ``BENCH_EXPECT_ROWS`` sessions; with
  ``BENCH_READY=interactive``, or showing its progress line while a worker reads the files
  (a first start without an index: home is usable then).

backplan is started through ``backplan_tui.cli.main([])``, the same path as the
``backplan`` command (argument parsing, the CLI's imports, ``create_app``); the only change is
that ``App.run`` is given the headless arguments.  Exit status 3: not ready within 60 s.
"""

from __future__ import annotations

import asyncio
import os
import sys
from typing import Any

SIZE = (80, 24)
TIMEOUT = 60.0
POLL = 0.002


def _screen(app: Any) -> Any:
    try:
        return app.screen
    except Exception:  # no screen yet (ScreenStackError)
        return None


async def _exit_when_ready(pilot: Any, ready: Any) -> None:
    app = pilot.app
    loop = asyncio.get_running_loop()
    deadline = loop.time() + TIMEOUT
    while not ready(app):
        if loop.time() > deadline:
            app.exit(return_code=3)
            return
        await asyncio.sleep(POLL)
    painted = asyncio.Event()
    app.screen.call_after_refresh(painted.set)
    await painted.wait()
    app.exit()


def bare() -> int:
    from textual.app import App, ComposeResult
    from textual.widgets import Label

    class Bare(App[None]):
        def compose(self) -> ComposeResult:
            yield Label("Hello")

    def ready(app: Any) -> bool:
        screen = _screen(app)
        return screen is not None and screen.is_mounted and bool(screen.query(Label))

    async def auto(pilot: Any) -> None:
        await _exit_when_ready(pilot, ready)

    app = Bare()
    app.run(headless=True, size=SIZE, auto_pilot=auto)
    return app.return_code or 0


def backplan() -> int:
    import textual.app

    expected = int(os.environ.get("BENCH_EXPECT_ROWS", "0"))
    interactive = os.environ.get("BENCH_READY") == "interactive"

    def ready(app: Any) -> bool:
        screen = _screen(app)
        if screen is None or type(screen).__name__ != "HomeScreen" or not screen.is_mounted:
            return False
        entries = getattr(screen, "entries", None)
        if entries is None or len(entries) >= expected:
            return True
        # BENCH_READY=interactive: home is up while a worker still reads files (a first start
        # without an index), its progress line shown
        return interactive and bool(screen.query("#progress"))

    async def auto(pilot: Any) -> None:
        await _exit_when_ready(pilot, ready)

    original = textual.app.App.run

    def run(self: Any, **_ignored: Any) -> Any:
        return original(self, headless=True, size=SIZE, auto_pilot=auto)

    textual.app.App.run = run  # type: ignore[method-assign]
    from backplan_tui.cli import main

    return main([])


if __name__ == "__main__":
    mode = sys.argv[1] if len(sys.argv) > 1 else ""
    if mode == "bare":
        sys.exit(bare())
    if mode == "backplan":
        sys.exit(backplan())
    sys.exit(f"usage: {sys.argv[0]} bare|backplan")
