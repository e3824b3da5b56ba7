"""filter: a key typed into home's filter with 10,000 sessions vs a key typed into a bare Input.

In-process with ``run_test`` at 100x30, timed as *typing* times a key (``bench_typing``: post
``events.Key``, a probe around ``App._display`` records both clocks after each paint; the
figure is UI-thread CPU from the key to the end of its last paint).  backplan: home over the
big folder (``--big-sessions``, run.py's 10,000; index current), "/" opens the filter, then
"reduce" is typed and taken back with backspace, over and over (every key filters the whole
list again: "r" matches most sessions, "reduce" a ninth).  Reference: letters typed into a
bare app holding one Input.  Blocks alternate: bare, home, bare, home.  Target ≤ 2×.

Usage: .venv/bin/python benchmarks/bench_filter.py [--rounds 10] [--big-sessions 10000]
"""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path

import _common as c
from bench_typing import BLOCKS, SIZE, WARMUP_KEYS, PaintProbe, bare_block, type_keys

LIMIT = 2.0
WORD = "reduce"


def filter_keys(count: int) -> list[str]:
    cycle = [*WORD, *["backspace"] * len(WORD)]
    return [cycle[i % len(cycle)] for i in range(count)]


async def home_block(home: Path, sessions: int, keys: int) -> list[tuple[float, float, float, int]]:
    from backplan_tui.tui.app import create_app

    app = create_app(home, autosave_delay=3600)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        if type(screen).__name__ != "HomeScreen" or len(screen.entries) < sessions:
            raise SystemExit(f"expected home with {sessions} sessions")
        await pilot.press("slash")
        await pilot.pause()
        field = screen.filter_input()
        field.cursor_blink = False
        probe = PaintProbe(app)
        return await type_keys(pilot, probe, filter_keys(keys), lambda: field.value)


async def measure(home: Path, sessions: int, keys: int) -> dict[str, list]:
    samples: dict[str, list] = {"bare Input: type": [], "home filter: type": []}
    for _ in range(BLOCKS):
        samples["bare Input: type"] += await bare_block(keys)
        samples["home filter: type"] += await home_block(home, sessions, keys)
    return samples


def run(args: argparse.Namespace) -> list[c.Result]:
    home = c.big_home_from_args(args) or c.home_from_args(args)
    sessions = c.count_sessions(home)
    keys = WARMUP_KEYS + max(args.rounds, 10) // BLOCKS * BLOCKS + 2 * len(WORD)
    samples = asyncio.run(measure(home, sessions, keys))
    cpu = {k: [s[0] for s in v] for k, v in samples.items()}
    for name, values in samples.items():
        wall = [s[1] for s in values]
        print(f"  {name:18} CPU ms {c.spread(cpu[name])}   wall ms to first paint {c.spread(wall)}")
    return [
        c.ratio_row(
            f"key→paint CPU, home filter ({sessions} sessions)",
            c.median(cpu["home filter: type"]),
            c.median(cpu["bare Input: type"]),
            "ms",
            LIMIT,
            ref_name="bare Input",
        )
    ]


def main() -> None:
    args = c.parser(__doc__.splitlines()[0]).parse_args()
    if not args.no_compile:
        c.precompile()
    c.finish(run(args), args, "filter (reference: a bare Textual app holding one Input)")


if __name__ == "__main__":
    main()
