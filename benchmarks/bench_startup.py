"""startup: `backplan` to an interactive home screen with 1,000 sessions vs a bare Textual app.

Both are separate processes (``_start_child.py``) started headless at 80x24 that exit once
their first screen is ready and painted.  Measured in this process: wall time with
``perf_counter`` from just before the fork to the reap, and the child's peak RSS from
``os.wait4`` (``ru_maxrss``).  Three variants alternate every round (order rotated), after one
discarded warm-up round:

- bare:          a Textual App that shows one Label;
- backplan warm: index.jsonl present and up to date (the normal start);
- backplan first: index.jsonl deleted before the run (first start, or after deleting the
  cache), until home is interactive: its progress line shows while a worker reads the files;
- backplan cold: the same, until every file is read and listed.

With ``--big-sessions N`` (run.py: 10,000) also the warm start and its peak RSS in a folder of
N sessions, alternated with bare runs of their own.

Usage: .venv/bin/python benchmarks/bench_startup.py [--rounds 10] [--sessions 1000]
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

import _common as c

STARTUP_LIMIT = 1.3
RSS_LIMIT = 1.3
FIRST_START_LIMIT = 1.5  # no index: home interactive, the list filling in a worker
BIG_STARTUP_LIMIT = 1.3
BIG_RSS_LIMIT = 1.5


def run(args: argparse.Namespace) -> list[c.Result]:
    home = c.home_from_args(args)
    index = home / "index.jsonl"
    env_bare = c.child_env()
    env_bp = c.child_env(home, BENCH_EXPECT_ROWS=str(args.sessions))
    env_first = c.child_env(home, BENCH_EXPECT_ROWS=str(args.sessions), BENCH_READY="interactive")

    def bare() -> c.Run:
        return c.run_child([c.PYTHON, str(c.CHILD), "bare"], env_bare, "bare app")

    def warm() -> c.Run:
        if not index.exists():  # a previous cold run rebuilt it; this one must find it
            raise SystemExit("index.jsonl missing before a warm run")
        return c.run_child([c.PYTHON, str(c.CHILD), "backplan"], env_bp, "backplan (warm)")

    def cold() -> c.Run:
        Path(index).unlink(missing_ok=True)
        return c.run_child([c.PYTHON, str(c.CHILD), "backplan"], env_bp, "backplan (cold)")

    def first() -> c.Run:
        Path(index).unlink(missing_ok=True)
        return c.run_child([c.PYTHON, str(c.CHILD), "backplan"], env_first, "backplan (first)")

    # The index exists after make_home(); make sure it is current before the warm-up.
    from backplan_tui.core.storage import SessionStore

    SessionStore(home).list()
    variants = {"bare": bare, "warm": warm, "first": first, "cold": cold}
    runs = c.alternate(variants, args.rounds)
    SessionStore(home).list()  # current again for the next benchmark
    secs = {k: [r.seconds for r in v] for k, v in runs.items()}
    rss = {k: [r.maxrss_kb / 1024 for r in v] for k, v in runs.items()}
    for name in runs:
        print(f"  {name:5} seconds {c.spread(secs[name])}   peak RSS MB {c.spread(rss[name])}")
    t_bare, t_warm, t_first, t_cold = (c.median(secs[k]) for k in variants)
    m_bare, m_warm, m_cold = (c.median(rss[k]) for k in ("bare", "warm", "cold"))
    n = args.sessions
    rows = [
        c.ratio_row(f"startup, {n} sessions, warm index", t_warm, t_bare, "s", STARTUP_LIMIT),
        c.ratio_row(
            f"first start, no index, {n} sessions: home interactive",
            t_first,
            t_bare,
            "s",
            FIRST_START_LIMIT,
        ),
        # ... and until every file is read and listed (no target: bound by parsing them)
        c.ratio_row(f"first start, no index, {n} sessions: all listed", t_cold, t_bare, "s", None),
        c.ratio_row(f"peak RSS at home, {n} sessions, warm", m_warm, m_bare, "MB", RSS_LIMIT),
        c.ratio_row(f"peak RSS at home, {n} sessions, no index", m_cold, m_bare, "MB", None),
    ]
    big = c.big_home_from_args(args)
    if big is not None:
        rows += run_big(args, big, bare)
    return rows


def run_big(args: argparse.Namespace, home: Path, bare: Callable[[], c.Run]) -> list[c.Result]:
    """The warm start at ``--big-sessions`` (10,000): time and peak RSS, its own bare runs."""
    n = c.count_sessions(home)  # in a child: a parent this big would swell the children's
    # peak RSS (ru_maxrss counts the forked copy before it runs the program)
    env = c.child_env(home, BENCH_EXPECT_ROWS=str(n))

    def warm() -> c.Run:
        return c.run_child([c.PYTHON, str(c.CHILD), "backplan"], env, f"backplan ({n}, warm)")

    runs = c.alternate({"bare": bare, "warm": warm}, args.rounds)
    secs = {k: [r.seconds for r in v] for k, v in runs.items()}
    rss = {k: [r.maxrss_kb / 1024 for r in v] for k, v in runs.items()}
    for name in runs:
        print(f"  {n} {name:5} s {c.spread(secs[name])}   peak RSS MB {c.spread(rss[name])}")
    t_bare, t_warm = c.median(secs["bare"]), c.median(secs["warm"])
    m_bare, m_warm = c.median(rss["bare"]), c.median(rss["warm"])
    return [
        c.ratio_row(f"startup, {n} sessions, warm index", t_warm, t_bare, "s", BIG_STARTUP_LIMIT),
        c.ratio_row(f"peak RSS at home, {n} sessions, warm", m_warm, m_bare, "MB", BIG_RSS_LIMIT),
    ]


def main() -> None:
    args = c.parser(__doc__.splitlines()[0]).parse_args()
    if not args.no_compile:
        c.precompile()
    c.finish(run(args), args, "startup (reference: bare Textual app showing one Label)")


if __name__ == "__main__":
    main()
