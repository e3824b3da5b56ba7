"""open: loading a big session, and merging two copies of one, vs parsing the same TOML.

In this process, ``perf_counter`` around each call, A and B alternating round by round after
a discarded warm-up (``_common.alternate``):

- **open**: ``SessionStore.load(id)`` of a session of 2,000 conditions and 500 pilots
  (``_common.big_session``; what opening it in the app or ``backplan show`` does: read,
  parse, check every field, build the model) versus ``tomllib.loads`` of the same file's text
  (the bare parse, nothing checked).  Target: ≤ 3×.
- **merge**: ``merge_sessions(base, ours, theirs)`` of two ~100 KB copies of one session,
  each side with its own edits (a changed title on 20 conditions, 10 conditions added, a
  vote, a check-in), what a save does when another app saved first, versus ``tomllib.loads``
  of one copy's text.  No target in the issue; reported so a regression shows.

Usage: .venv/bin/python benchmarks/bench_open.py [--rounds 10]
"""

from __future__ import annotations

import copy
import tomllib
from datetime import timedelta
from pathlib import Path
from time import perf_counter
from typing import Any

import _common as c

OPEN_LIMIT = 3.0


def timed(call: Any) -> Any:
    def run() -> float:
        start = perf_counter()
        call()
        return perf_counter() - start

    return run


def open_rows(home: Path, rounds: int) -> list[c.Result]:
    from backplan_tui.core.storage import SessionStore

    store = SessionStore(home)
    store.create(c.big_session("open-big", 2000, 500))
    text = (store.sessions_dir / "open-big.toml").read_text("utf-8")
    runs = c.alternate(
        {
            "tomllib.loads": timed(lambda: tomllib.loads(text)),
            "store.load": timed(lambda: SessionStore(home).load("open-big")),
        },
        max(rounds, 10) + 1,
    )
    print(f"  store.load ms: {c.spread([x * 1000 for x in runs['store.load']])}")
    print(f"  tomllib ms:    {c.spread([x * 1000 for x in runs['tomllib.loads']])}")
    print(f"  file: {len(text.encode('utf-8')) / 1024:.0f} KB")
    return [
        c.ratio_row(
            "open 2,000 conditions + 500 pilots / tomllib.loads",
            c.median(runs["store.load"]) * 1000,
            c.median(runs["tomllib.loads"]) * 1000,
            "ms",
            OPEN_LIMIT,
        )
    ]


def edited(base: Any, side: str) -> Any:
    from backplan_tui.core.model import CheckIn, MapNode

    out = copy.deepcopy(base)
    start = 0 if side == "a" else 20
    for node in out.map[start : start + 20]:
        node.title = f"{node.title} ({side})"
    for n in range(10):
        out.map.append(MapNode(id=f"{side}-new-{n}", title=f"Added by {side} {n}"))
    out.map[-1].votes[side] = 1
    out.checkins.append(CheckIn(date=c.TODAY + timedelta(days=1 if side == "a" else 2)))
    return out


def merge_rows(rounds: int) -> list[c.Result]:
    from backplan_tui.core import codec
    from backplan_tui.core.merge import merge_sessions

    base = c.big_session("merge-big", 560, 20)
    ours, theirs = edited(base, "a"), edited(base, "b")
    text = codec.dumps(ours)
    merged, report = merge_sessions(base, ours, theirs)
    assert report.conflicts == [] and len(merged.map) == len(base.map) + 20
    runs = c.alternate(
        {
            "tomllib.loads": timed(lambda: tomllib.loads(text)),
            "merge": timed(lambda: merge_sessions(base, ours, theirs)),
        },
        max(rounds, 10) + 1,
    )
    print(f"  merge ms:   {c.spread([x * 1000 for x in runs['merge']])}")
    print(f"  tomllib ms: {c.spread([x * 1000 for x in runs['tomllib.loads']])}")
    print(f"  each copy: {len(text.encode('utf-8')) / 1024:.0f} KB")
    return [
        c.ratio_row(
            "merge two ~100 KB sessions / tomllib.loads of one",
            c.median(runs["merge"]) * 1000,
            c.median(runs["tomllib.loads"]) * 1000,
            "ms",
            None,
        )
    ]


def main() -> None:
    args = c.parser(__doc__.splitlines()[0]).parse_args()
    if not args.no_compile:
        c.precompile()
    home = c.temp_dir("bench-open-")
    rows = open_rows(home, args.rounds) + merge_rows(args.rounds)
    c.finish(rows, args, "open")


if __name__ == "__main__":
    main()
