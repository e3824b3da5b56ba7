"""Child process of bench_summary: open a big session on the map, optionally show the Summary.

    python benchmarks/_summary_child.py map SESSION_ID      # the map screen, End on its
                                                            # tree, painted, exit
    python benchmarks/_summary_child.py summary SESSION_ID  # the map, then Ctrl+R until the
                                                            # summary is painted, exit

``BACKPLAN_HOME`` names the data folder.  Runs ``App.run(headless=True, size=(80, 24),
auto_pilot=...)`` like ``_start_child.py``.  Written to the file named by ``BENCH_OUT``:
the seconds from posting Ctrl+R to the paint after the summary's lines arrived (0 in ``map``
mode), the resident set (KB) once the last screen is painted, and the CPU seconds the
summary's build and layout took in their worker thread.  The parent reads this process's
peak RSS (``os.wait4``).  Exit status 3: not ready within ``TIMEOUT``.
"""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path
from time import perf_counter, thread_time
from typing import Any

SIZE = (80, 24)
TIMEOUT = 600.0
POLL = 0.005


async def _until(app: Any, ready: Any) -> bool:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + TIMEOUT
    while not ready():
        if loop.time() > deadline:
            return False
        await asyncio.sleep(POLL)
    painted = asyncio.Event()
    app.screen.call_after_refresh(painted.set)
    await painted.wait()
    return True


def _rss_kb() -> int:
    """This process's resident set now (not its peak), from /proc (0 where there is none)."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
    except (OSError, IndexError, ValueError):
        return 0
    return pages * os.sysconf("SC_PAGE_SIZE") // 1024


def _count_worker_cpu(spent: list[float]) -> None:
    """Add the CPU seconds of the summary's build and layout (in its worker thread)."""
    from backplan_tui.tui.screens import summary

    def timed(function: Any) -> Any:
        def run(*args: Any, **kwargs: Any) -> Any:
            start = thread_time()
            try:
                return function(*args, **kwargs)
            finally:
                spent.append(thread_time() - start)

        return run

    summary.build = timed(summary.build)  # type: ignore[assignment]
    summary.lay_out = timed(summary.lay_out)  # type: ignore[assignment]


def main(mode: str, session_id: str) -> int:
    from textual import events
    from textual.widgets import Tree

    from backplan_tui.tui.app import create_app

    worker_cpu: list[float] = []
    _count_worker_cpu(worker_cpu)

    def on(app: Any, name: str) -> bool:
        try:
            screen = app.screen
        except Exception:  # no screen yet
            return False
        return type(screen).__name__ == name and screen.is_mounted

    async def auto(pilot: Any) -> None:
        app = pilot.app
        if not await _until(app, lambda: on(app, "ReverseMapScreen")):
            app.exit(return_code=3)
            return
        # The map as a person uses it: its tree draws every line once the app is idle (or
        # at the first End); without this the map child would exit before that.
        app.screen.query_one(Tree).focus()
        await pilot.press("end")
        await _until(app, lambda: True)
        if mode == "summary":
            start = perf_counter()
            app.post_message(events.Key("ctrl+r", None))

            def summary_ready() -> bool:
                if not on(app, "SummaryScreen"):
                    return False
                view = app.screen.query_one("#summary")
                return not getattr(view, "building", False) and getattr(view, "line_count", 1)

            if not await _until(app, summary_ready):
                app.exit(return_code=3)
                return
            seconds = perf_counter() - start
        else:
            seconds = 0.0
        out = f"{seconds} {_rss_kb()} {sum(worker_cpu)}"
        Path(os.environ["BENCH_OUT"]).write_text(out, "utf-8")
        app.exit()

    app = create_app(open_session=session_id, autosave_delay=3600)
    app.run(headless=True, size=SIZE, auto_pilot=auto)
    return app.return_code or 0


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in ("map", "summary"):
        sys.exit(f"usage: {sys.argv[0]} map|summary SESSION_ID")
    sys.exit(main(sys.argv[1], sys.argv[2]))
