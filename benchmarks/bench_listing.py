"""listing: SessionStore.list() over 1,000 sessions, warm and cold, vs os.scandir + stat.

In-process, timed with ``perf_counter`` around each call; a new ``SessionStore`` per call (as
a new process would have).  The variants alternate every round (order rotated), after one
discarded warm-up round; medians are reported.  The files are in the OS page cache in every
variant ("cold" means no index.jsonl, not a cold disk).

- reference:  ``[e.stat() for e in os.scandir(sessions) if e.name.endswith(".toml")]``
- warm:       index.jsonl present and current
- one changed: index present, one session file touched (new mtime) before the call
- cold:       index.jsonl deleted before the call (every file parsed, index rewritten)

Usage: .venv/bin/python benchmarks/bench_listing.py [--rounds 10] [--sessions 1000]
"""

from __future__ import annotations

import argparse
import os
from time import perf_counter, time_ns

import _common as c

WARM_LIMIT = 10.0
INNER = 5  # calls per round for the fast variants (each timed on its own)


def run(args: argparse.Namespace) -> list[c.Result]:
    from backplan_tui.core.storage import SessionStore

    home = c.home_from_args(args)
    sessions = home / "sessions"
    index = home / "index.jsonl"
    victim = sorted(sessions.glob("*.toml"))[0]

    def timed(fn: object) -> float:
        start = perf_counter()
        fn()  # type: ignore[operator]
        return perf_counter() - start

    def scan() -> list[os.stat_result]:
        with os.scandir(sessions) as it:
            return [e.stat() for e in it if e.name.endswith(".toml")]

    def ref() -> list[float]:
        return [timed(scan) for _ in range(INNER)]

    def warm() -> list[float]:
        out = []
        for _ in range(INNER):
            store = SessionStore(home)
            out.append(timed(store.list))
        return out

    def changed() -> list[float]:
        out = []
        for _ in range(INNER):
            now = time_ns()
            os.utime(victim, ns=(now, now))
            store = SessionStore(home)
            out.append(timed(store.list))
        return out

    def cold() -> list[float]:
        index.unlink(missing_ok=True)
        store = SessionStore(home)
        return [timed(store.list)]

    big = c.big_home_from_args(args)
    big_count = len(SessionStore(big).list()) if big is not None else 0

    def ref_big() -> list[float]:
        def scan_big() -> list[os.stat_result]:
            with os.scandir(big / "sessions") as it:  # type: ignore[operator]
                return [e.stat() for e in it if e.name.endswith(".toml")]

        return [timed(scan_big) for _ in range(INNER)]

    def warm_big() -> list[float]:
        return [timed(SessionStore(big).list) for _ in range(INNER)]  # type: ignore[arg-type]

    count = len(SessionStore(home).list())
    variants = {"scandir+stat": ref, "warm": warm, "one changed": changed, "cold": cold}
    if big is not None:
        variants |= {"big scandir+stat": ref_big, "big warm": warm_big}
    runs = c.alternate(variants, args.rounds)
    ms = {k: [x * 1000 for batch in v for x in batch] for k, v in runs.items()}
    for name, values in ms.items():
        print(f"  {name:12} ms {c.spread(values)}")
    r = c.median(ms["scandir+stat"])
    rows = []
    if big is not None:
        rows.append(
            c.ratio_row(
                f"list {big_count} sessions, warm index",
                c.median(ms["big warm"]),
                c.median(ms["big scandir+stat"]),
                "ms",
                WARM_LIMIT,
                ref_name="scandir+stat",
            )
        )
    return [
        c.ratio_row(
            f"list {count} sessions, warm index",
            c.median(ms["warm"]),
            r,
            "ms",
            WARM_LIMIT,
            ref_name="scandir+stat",
        ),
        c.ratio_row(
            f"list {count}, one file changed",
            c.median(ms["one changed"]),
            r,
            "ms",
            None,
            ref_name="scandir+stat",
        ),
        c.ratio_row(
            f"list {count} sessions, no index",
            c.median(ms["cold"]),
            r,
            "ms",
            None,
            ref_name="scandir+stat",
        ),
        *rows,
    ]


def main() -> None:
    args = c.parser(__doc__.splitlines()[0]).parse_args()
    if not args.no_compile:
        c.precompile()
    c.finish(run(args), args, "listing (reference: os.scandir + stat of the sessions folder)")


if __name__ == "__main__":
    main()
