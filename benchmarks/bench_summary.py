"""summary: Ctrl+R to the Summary painted, vs `backplan export --format md` of the same session.

Two sessions (``_common.big_session``: a map tree up to 5 deep, pilots, no notes):

- **500 conditions + 200 pilots**, in this process with ``App.run_test(size=(80, 24))``
  (headless).  The app shows step 4 (pilots); per round: wait until quiet, post Ctrl+R as the
  driver does (``events.Key``), and stop the clock at the end of the first paint (a probe
  around ``App._display``, which also turns the update into escape sequences as a terminal
  driver would, as in bench_typing) after which the Summary screen is up with its lines in
  the view (not "Building summary…").  Then Ctrl+B back to step 4 (not timed).  The
  reference, alternated with it round by round: ``.venv/bin/backplan export ID --format md``
  of the same session, a separate process (start, load, render, write to /dev/null), timed
  from the fork to the reap.  Target: ≤ 3×.
- **5,000 conditions + 2,000 pilots**, in child processes (``_summary_child.py``), headless
  at 80×24: *map* opens the session on the map screen, presses End in its tree (which then
  holds every line, as it does once the app has been idle) and exits once it is painted;
  *summary* does the same, then Ctrl+R and exits once the summary is painted (the
  Ctrl+R→paint seconds, the worker's CPU seconds and the resident set once painted are
  reported).  Peak RSS of each from ``os.wait4``; the summary child includes the map
  screen it came from, so the ratio is conservative.  Target: the Summary renders, RSS ≤ 1.5×
  the map's.  Fewer rounds (``--big-rounds``, default 3): each child takes tens of seconds.

Usage: .venv/bin/python benchmarks/bench_summary.py [--rounds 10] [--big-rounds 3]
"""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path
from time import perf_counter
from typing import Any

import _common as c
from bench_cli import backplan_command
from bench_typing import PaintProbe

RATIO_LIMIT = 3.0
RSS_LIMIT = 1.5
SIZE = (80, 24)
CHILD = c.HERE / "_summary_child.py"


def make_session(home: Path, session_id: str, nodes: int, pilots: int) -> None:
    from backplan_tui.core.storage import SessionStore

    t0 = perf_counter()
    session = c.big_session(session_id, nodes, pilots)
    session.current_step = "pilots"
    SessionStore(home).create(session)
    size = (home / "sessions" / f"{session_id}.toml").stat().st_size
    print(
        f"  session {session_id}: {len(session.map)} map nodes, {len(session.pilots)} pilots, "
        f"{size / 1024:.0f} KB [{perf_counter() - t0:.1f} s]",
        flush=True,
    )


async def summary_paint(pilot: Any, probe: PaintProbe) -> float:
    """Seconds from posting Ctrl+R to the end of the first paint showing the summary."""
    from textual import events

    app = pilot.app
    await pilot.pause()
    probe.event.clear()
    probe.ready_at = None
    t0 = perf_counter()
    app.post_message(events.Key("ctrl+r", None))
    deadline = t0 + 300
    while probe.ready_at is None:
        if perf_counter() > deadline:
            raise SystemExit("the summary was not painted within 300 s")
        try:
            await asyncio.wait_for(probe.event.wait(), 0.05)
        except TimeoutError:
            pass
        probe.event.clear()
    return probe.ready_at - t0


class SummaryProbe(PaintProbe):
    """A paint probe that notes the end of the first paint with the summary's lines."""

    def __init__(self, app: Any) -> None:
        super().__init__(app)
        self.ready_at: float | None = None
        painted = app._display

        def display(screen: Any, renderable: Any) -> None:
            painted(screen, renderable)
            if self.ready_at is None and _summary_shown(app):
                self.ready_at = self.paints[-1][0]

        app._display = display


def _summary_shown(app: Any) -> bool:
    screen = app.screen
    if type(screen).__name__ != "SummaryScreen" or not screen.is_mounted:
        return False
    view = screen.query_one("#summary")
    return not getattr(view, "building", False) and getattr(view, "line_count", 1) > 0


async def medium(home: Path, session_id: str, rounds: int) -> dict[str, list[float]]:
    from backplan_tui.tui.app import create_app

    env = c.child_env(home)
    cmd = [*backplan_command(), "export", session_id, "--format", "md"]
    out: dict[str, list[float]] = {"summary": [], "export md": []}
    app = create_app(home, open_session=session_id, autosave_delay=3600)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        if type(app.screen).__name__ != "PilotsScreen":
            raise SystemExit(f"expected step 4, got {type(app.screen).__name__}")
        probe = SummaryProbe(app)
        for n in range(rounds + 1):  # round 0: warm-up
            for name in ("summary", "export md") if n % 2 else ("export md", "summary"):
                if name == "export md":
                    value = c.run_child(cmd, env, "backplan export").seconds
                else:
                    value = await summary_paint(pilot, probe)
                    await pilot.press("ctrl+b")  # back to step 4 (not timed)
                    await app.workers.wait_for_complete()
                    await pilot.pause()
                if n:
                    out[name].append(value)
    return out


def big(home: Path, session_id: str, rounds: int) -> dict[str, list[Any]]:
    from backplan_tui.core.storage import SessionStore

    store = SessionStore(home)
    session = store.load(session_id)
    session.current_step = "reverse_map"  # the children open it on the map
    path = home / "sessions" / f"{session_id}.toml"
    store.save(session)
    on_the_map = path.read_bytes()  # each child saves the step it quits on: put this back
    out_file = c.temp_dir("summary-out") / "seconds"
    env = c.child_env(home, BENCH_OUT=str(out_file))
    shown: dict[str, list[tuple[float, int, float]]] = {"map": [], "summary": []}

    def child(mode: str) -> c.Run:
        path.write_bytes(on_the_map)
        run = c.run_child([c.PYTHON, str(CHILD), mode, session_id], env, f"{mode} child")
        seconds, rss_kb, worker_cpu = out_file.read_text("utf-8").split()
        shown[mode].append((float(seconds), int(rss_kb), float(worker_cpu)))
        print(
            f"    {mode}: {run.seconds:.1f} s, peak {run.maxrss_kb / 1024:.0f} MB, "
            f"{int(rss_kb) / 1024:.0f} MB when painted"
            + (
                f", Ctrl+R→paint {float(seconds):.1f} s, worker CPU {float(worker_cpu):.2f} s"
                if mode == "summary"
                else ""
            ),
            flush=True,
        )
        return run

    runs = c.alternate(
        {"map": lambda: child("map"), "summary": lambda: child("summary")}, rounds, warmup=0
    )
    return {**runs, "shown": shown}


def run(args: argparse.Namespace) -> list[c.Result]:
    home = c.temp_dir("summary")
    rows: list[c.Result] = []
    if args.nodes:
        make_session(home, "medium", args.nodes, args.pilots)
        times = asyncio.run(medium(home, "medium", max(args.rounds, 10)))
        for name, values in times.items():
            print(f"  {name:10} s {c.spread(values)}")
        rows.append(
            c.ratio_row(
                f"Summary (Ctrl+R → painted), {args.nodes} conditions + {args.pilots} pilots",
                c.median(times["summary"]),
                c.median(times["export md"]),
                "s",
                RATIO_LIMIT,
                ref_name="`backplan export --format md`",
            )
        )
    if args.big_rounds:
        make_session(home, "large", args.big_nodes, args.big_pilots)
        runs = big(home, "large", args.big_rounds)
        shown = runs["shown"]
        ctrl_r = [s[0] for s in shown["summary"]]
        print(f"  Ctrl+R → painted s {c.spread(ctrl_r)}")
        print(f"  worker CPU s {c.spread([s[2] for s in shown['summary']])}")
        map_mb = c.median([r.maxrss_kb for r in runs["map"]]) / 1024
        summary_mb = c.median([r.maxrss_kb for r in runs["summary"]]) / 1024
        size = f"{args.big_nodes} + {args.big_pilots}"
        rows.append(
            c.Result(
                f"Summary at {size}: Ctrl+R → painted",
                f"{c.fmt_num(c.median(ctrl_r))} s",
                "—",
                None,
                "renders",
                True,
            )
        )
        rows.append(
            c.ratio_row(
                f"RSS once painted, Summary vs map, {size}",
                c.median([s[1] for s in shown["summary"]]) / 1024,
                c.median([s[1] for s in shown["map"]]) / 1024,
                "MB",
                None,
                ref_name="map screen",
            )
        )
        rows.append(
            c.ratio_row(
                f"peak RSS, map then Summary, {size}",
                summary_mb,
                map_mb,
                "MB",
                RSS_LIMIT,
                ref_name="map screen",
            )
        )
    return rows


def main() -> None:
    p = c.parser(__doc__.splitlines()[0])
    p.add_argument("--nodes", type=int, default=500)
    p.add_argument("--pilots", type=int, default=200)
    p.add_argument("--big-nodes", type=int, default=5000)
    p.add_argument("--big-pilots", type=int, default=2000)
    p.add_argument("--big-rounds", type=int, default=3, help="0: skip the big session")
    args = p.parse_args()
    if not args.no_compile:
        c.precompile()
    c.finish(run(args), args, "summary (reference: the md export of the same session)")


if __name__ == "__main__":
    main()
