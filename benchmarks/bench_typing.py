"""typing: keystroke -> paint in step 3 and step 4 of a big session vs a bare app with one Input.

The session has 500 map nodes (a tree up to 5 deep, every branch expanded) and 200 pilots.
In step 3 (reverse map) the focus is the Tree and in step 4 (pilots) the DataTable, so two
things are timed on each: the cursor (``down``) in the tree/table, and typing into the first
Input of the item editor (the ``FormScreen`` that ``e`` opens, over the step screen).  The
reference is typing into a bare Textual app holding one Input.  Everything runs in this
process with ``App.run_test(size=(100, 30))`` (headless).

Method.  ``pilot.press`` is not used for the timed keys: it costs 60-80 ms of idle detection
whatever the app does.  Instead, per key:

1. wait until the app is quiet (``pilot.pause()``), then note ``perf_counter`` and the UI
   thread's CPU clock (``time.thread_time``);
2. post the key exactly as the driver does (``app.post_message(events.Key(key, char))``);
3. a probe wraps ``app._display`` (called by ``Screen._compositor_refresh`` with each
   ``CompositorUpdate``, i.e. each paint).  Headless Textual skips turning the update into
   escape sequences, so the probe does it (``update.render_segments(app.console)``), as a
   real terminal driver would, and records both clocks after each paint;
4. the key is done when it has taken effect (the Input's value grew / the cursor moved), at
   least one paint followed, and no further paint came within 60 ms (3.6 frames).

Reported per key (medians): **CPU ms** = UI-thread CPU time from posting the key to the end
of its last paint: the app's own processing, without the idle wait for the next frame (the
screen repaints on a 1/60 s timer).  This is the figure compared with the bare Input.
Also shown: wall ms from the key to the end of its first paint (includes any wait for the
next frame; Textual paints at most every 1/60 s, and an app idle since its last paint paints
at once, so with one key at a time it comes out as the CPU figure).  Cursor blink is
switched off (its timer repaints twice a second); notifications are off (run_test's default).

Runs alternate: bare block, backplan block, bare block, backplan block (a new app each
time); in each block the first 3 keys of every scenario are a discarded warm-up.

Usage: .venv/bin/python benchmarks/bench_typing.py [--rounds 10] [--nodes 500] [--pilots 200]
"""

from __future__ import annotations

import argparse
import asyncio
import string
from collections.abc import Callable
from pathlib import Path
from time import perf_counter, thread_time
from typing import Any

import _common as c

LIMIT = 2.0
SIZE = (100, 30)
WARMUP_KEYS = 3
QUIET = 0.06  # no paint for this long after the last one: the key is done
BLOCKS = 2


class PaintProbe:
    """Records (perf_counter, thread_time) at the end of every paint of ``app``."""

    def __init__(self, app: Any) -> None:
        from textual._compositor import CompositorUpdate

        self.paints: list[tuple[float, float]] = []
        self.event = asyncio.Event()
        original = app._display

        def display(screen: Any, renderable: Any) -> None:
            original(screen, renderable)
            if isinstance(renderable, CompositorUpdate):
                renderable.render_segments(app.console)  # what the terminal driver would do
            self.paints.append((perf_counter(), thread_time()))
            self.event.set()

        app._display = display


async def time_key(
    pilot: Any, probe: PaintProbe, key: str, took_effect: Callable[[], bool]
) -> tuple[float, float, float, int] | None:
    """(CPU ms to the last paint, wall ms to the first paint, wall ms to the last paint,
    paints) of one key, or None."""
    from textual import events

    app = pilot.app
    await pilot.pause()
    first = len(probe.paints)
    char = key if len(key) == 1 else None
    probe.event.clear()
    t0, c0 = perf_counter(), thread_time()
    app.post_message(events.Key(key, char))
    deadline = t0 + 5.0
    while True:
        try:
            await asyncio.wait_for(probe.event.wait(), QUIET)
            probe.event.clear()
        except TimeoutError:
            if len(probe.paints) > first and took_effect():
                break
            if perf_counter() > deadline:
                return None
    painted = probe.paints[first:]
    return (
        (painted[-1][1] - c0) * 1000,
        (painted[0][0] - t0) * 1000,
        (painted[-1][0] - t0) * 1000,
        len(painted),
    )


async def type_keys(
    pilot: Any, probe: PaintProbe, keys: list[str], effect: Callable[[], Any]
) -> list[tuple[float, float, float, int]]:
    out = []
    for n, key in enumerate(keys):
        before = effect()
        sample = await time_key(pilot, probe, key, lambda b=before: effect() != b)
        if sample is None:
            raise SystemExit(f"key {key!r} had no visible effect within 5 s")
        if n >= WARMUP_KEYS:
            out.append(sample)
    return out


def letters(count: int) -> list[str]:
    return [string.ascii_lowercase[i % 26] for i in range(count)]


def no_blink(app: Any) -> None:
    from textual.widgets import Input

    for widget in app.screen.query(Input):
        widget.cursor_blink = False


async def bare_block(keys: int) -> list[tuple[float, float, float, int]]:
    from textual.app import App, ComposeResult
    from textual.widgets import Input

    class BareInput(App[None]):
        def compose(self) -> ComposeResult:
            yield Input()

    app = BareInput()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        field = app.query_one(Input)
        field.focus()
        field.cursor_blink = False
        probe = PaintProbe(app)
        return await type_keys(pilot, probe, letters(keys), lambda: field.value)


async def backplan_block(home: Path, session_id: str, keys: int) -> dict[str, list]:
    from textual.widgets import DataTable, Input, Tree

    from backplan_tui.tui.app import create_app

    results: dict[str, list] = {}
    app = create_app(home, open_session=session_id, autosave_delay=3600)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        probe = PaintProbe(app)
        if type(app.screen).__name__ != "ReverseMapScreen":  # the last block left step 4
            app.goto_step("reverse_map")
            await pilot.pause()
        screen = app.screen
        if type(screen).__name__ != "ReverseMapScreen":
            raise SystemExit(f"expected step 3, got {type(screen).__name__}")
        tree = screen.query_one(Tree)
        tree.focus()
        tree.move_cursor(tree.root)
        results["step 3 tree: down"] = await type_keys(
            pilot, probe, ["down"] * keys, lambda: tree.cursor_line
        )
        await pilot.press("e")  # the item editor over the step screen
        await pilot.pause()
        form = app.screen
        if type(form).__name__ != "FormScreen":
            raise SystemExit(f"expected the node editor, got {type(form).__name__}")
        no_blink(app)
        field = form.focused
        if not isinstance(field, Input):
            field = form.query(Input).first()
            field.focus()
        results["step 3 editor: type"] = await type_keys(
            pilot, probe, letters(keys), lambda: field.value
        )
        await pilot.press("escape")
        await pilot.pause()

        app.goto_step("pilots")
        await pilot.pause()
        screen = app.screen
        if type(screen).__name__ != "PilotsScreen":
            raise SystemExit(f"expected step 4, got {type(screen).__name__}")
        table = screen.query_one(DataTable)
        table.focus()
        table.move_cursor(row=0)
        results["step 4 table: down"] = await type_keys(
            pilot, probe, ["down"] * keys, lambda: table.cursor_row
        )
        await pilot.press("e")
        await pilot.pause()
        form = app.screen
        if type(form).__name__ != "FormScreen":
            raise SystemExit(f"expected the pilot editor, got {type(form).__name__}")
        no_blink(app)
        field = form.focused
        if not isinstance(field, Input):
            field = form.query(Input).first()
            field.focus()
        results["step 4 editor: type"] = await type_keys(
            pilot, probe, letters(keys), lambda: field.value
        )
        await pilot.press("escape")
        await pilot.pause()
    return results


async def measure(home: Path, session_id: str, keys: int) -> dict[str, list]:
    samples: dict[str, list] = {}
    for _ in range(BLOCKS):
        samples.setdefault("bare Input: type", []).extend(await bare_block(keys))
        for name, values in (await backplan_block(home, session_id, keys)).items():
            samples.setdefault(name, []).extend(values)
    return samples


def run(args: argparse.Namespace) -> list[c.Result]:
    from backplan_tui.core.storage import SessionStore

    home = c.temp_dir("typing")
    store = SessionStore(home)
    session = c.big_session("big-plan", args.nodes, args.pilots)
    session.current_step = "reverse_map"
    store.create(session)
    print(f"  session: {len(session.map)} map nodes, {len(session.pilots)} pilots")
    keys = WARMUP_KEYS + max(args.rounds, 10) // BLOCKS * BLOCKS + 5
    rows = rows_for(asyncio.run(measure(home, "big-plan", keys)), args.nodes, args.pilots)
    if args.big_nodes:  # issue 21: the same keys on a plan ten times as big
        huge = c.big_session("huge-plan", args.big_nodes, args.big_pilots)
        huge.current_step = "reverse_map"
        store.create(huge)
        print(f"  session: {len(huge.map)} map nodes, {len(huge.pilots)} pilots")
        samples = asyncio.run(measure(home, "huge-plan", keys))
        rows += rows_for(samples, args.big_nodes, args.big_pilots)
    return rows


def rows_for(samples: dict[str, list], nodes: int, pilots: int) -> list[c.Result]:
    cpu = {k: [s[0] for s in v] for k, v in samples.items()}
    wall = {k: [s[1] for s in v] for k, v in samples.items()}
    for name, values in samples.items():
        last = [s[2] for s in values]
        paints = [s[3] for s in values]
        print(
            f"  {name:20} CPU ms {c.spread(cpu[name])}   wall ms to first paint "
            f"{c.spread(wall[name])}   to last {c.median(last):.4g}   "
            f"paints/key {c.median(paints):g}"
        )
    ref_cpu = c.median(cpu["bare Input: type"])
    ref_wall = c.median(wall["bare Input: type"])
    size = f"{nodes} nodes + {pilots} pilots"
    rows = []
    for name in samples:
        if name.startswith("bare"):
            continue
        rows.append(
            c.ratio_row(
                f"key→paint CPU, {name} ({size})",
                c.median(cpu[name]),
                ref_cpu,
                "ms",
                LIMIT,
                ref_name="bare Input",
            )
        )
    for name in samples:
        if name.startswith("bare"):
            continue
        rows.append(
            c.ratio_row(
                f"key→first paint wall, {name} ({nodes} + {pilots})",
                c.median(wall[name]),
                ref_wall,
                "ms",
                None,
                ref_name="bare Input",
            )
        )
    return rows


def main() -> None:
    p = c.parser(__doc__.splitlines()[0])
    p.add_argument("--nodes", type=int, default=500)
    p.add_argument("--pilots", type=int, default=200)
    p.add_argument("--big-nodes", type=int, default=5000, help="also this big a plan (0: skip)")
    p.add_argument("--big-pilots", type=int, default=2000)
    args = p.parse_args()
    if not args.no_compile:
        c.precompile()
    c.finish(run(args), args, "typing (reference: a bare Textual app holding one Input)")


if __name__ == "__main__":
    main()
