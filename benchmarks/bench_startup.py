"""startup: `backplan` to an interactive home screen with 1,000 sessions vs a bare Textual app.

Both are separate processes (``_start_child.py``) started headless at 80x24 that exit once
their first screen is ready and painted.  Measured in this process: wall time with
``perf_counter`` from just before the fork to the reap, and the child's peak RSS from
``os.wait4`` (``ru_maxrss``).  Three variants alternate every round (order rotated), after one
discarded warm-up round:

- bare:          a Textual App that shows one Label;
- backplan warm: index.json present and up to date (the normal start);
- backplan cold: index.json deleted before the run (first start, or after deleting the cache).

Usage: .venv/bin/python benchmarks/bench_startup.py [--rounds 10] [--sessions 1000]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import _common as c

STARTUP_LIMIT = 1.3
RSS_LIMIT = 1.3


def run(args: argparse.Namespace) -> list[c.Result]:
    home = c.home_from_args(args)
    index = home / "index.json"
    env_bare = c.child_env()
    env_bp = c.child_env(home, BENCH_EXPECT_ROWS=str(args.sessions))

    def bare() -> c.Run:
        return c.run_child([c.PYTHON, str(c.CHILD), "bare"], env_bare, "bare app")

    def warm() -> c.Run:
        if not index.exists():  # a previous cold run rebuilt it; this one must find it
            raise SystemExit("index.json missing before a warm run")
        return c.run_child([c.PYTHON, str(c.CHILD), "backplan"], env_bp, "backplan (warm)")

    def cold() -> c.Run:
        Path(index).unlink(missing_ok=True)
        return c.run_child([c.PYTHON, str(c.CHILD), "backplan"], env_bp, "backplan (cold)")

    # The index exists after make_home(); make sure it is current before the warm-up.
    from backplan_tui.core.storage import SessionStore

    SessionStore(home).list()
    runs = c.alternate({"bare": bare, "warm": warm, "cold": cold}, args.rounds)
    secs = {k: [r.seconds for r in v] for k, v in runs.items()}
    rss = {k: [r.maxrss_kb / 1024 for r in v] for k, v in runs.items()}
    for name in runs:
        print(f"  {name:5} seconds {c.spread(secs[name])}   peak RSS MB {c.spread(rss[name])}")
    t_bare, t_warm, t_cold = (c.median(secs[k]) for k in ("bare", "warm", "cold"))
    m_bare, m_warm, m_cold = (c.median(rss[k]) for k in ("bare", "warm", "cold"))
    n = args.sessions
    return [
        c.ratio_row(f"startup, {n} sessions, warm index", t_warm, t_bare, "s", STARTUP_LIMIT),
        # No index: the first start, or after deleting it (every file is parsed once); the
        # targets are for the normal start, so these two rows have none.
        c.ratio_row(f"startup, {n} sessions, no index", t_cold, t_bare, "s", None),
        c.ratio_row(f"peak RSS at home, {n} sessions, warm", m_warm, m_bare, "MB", RSS_LIMIT),
        c.ratio_row(f"peak RSS at home, {n} sessions, no index", m_cold, m_bare, "MB", None),
    ]


def main() -> None:
    args = c.parser(__doc__.splitlines()[0]).parse_args()
    if not args.no_compile:
        c.precompile()
    c.finish(run(args), args, "startup (reference: bare Textual app showing one Label)")


if __name__ == "__main__":
    main()
