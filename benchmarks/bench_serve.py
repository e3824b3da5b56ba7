"""serve: N participants in the browser room (loopback) vs a bare Textual app served the same way.

``backplan serve``'s server (``RoomServer``: textual-serve behind the join token) runs in this
process on a free loopback port; N websocket clients (20 by default) join one after the other
and stay connected, as browsers would (each join starts one app process).  Per join: the time
from opening the websocket to the first screen's bytes (more than 10 bytes of output: what the
page's script takes as the first paint).  Once all N are in: each app process's resident
memory (``VmRSS`` from /proc, the python process under textual-serve's shell).  The reference
is the same server running a bare Textual app showing one Label (``_serve_bare.py``).  The two
alternate (bare, backplan, then backplan, bare ...), after one discarded warm-up round.

backplan's participants open the demo session and sit at the name form (its first screen).

Usage: .venv/bin/python benchmarks/bench_serve.py [--participants 20] [--serve-rounds 2]
"""

from __future__ import annotations

import asyncio
import os
import shlex
import sys
from pathlib import Path
from time import perf_counter

import _common as c

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))  # serve.roomload

JOIN_LIMIT = None  # no target yet: the figures are reported, as ratios
RSS_LIMIT = None
FIRST_PAINT_BYTES = 10
WAIT = 120.0


def descendants(pid: int) -> list[int]:
    """Every process under ``pid`` (from /proc)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="utf-8") as f:
                stat = f.read()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def python_rss_mb(pids: list[int]) -> list[float]:
    """Resident memory of each python process among ``pids`` (the app processes)."""
    sizes = []
    for pid in pids:
        try:
            with open(f"/proc/{pid}/status", encoding="utf-8") as f:
                status = dict(line.split(":", 1) for line in f if ":" in line)
            if "python" not in status.get("Name", "").lower():
                continue
            sizes.append(int(status["VmRSS"].split()[0]) / 1024)
        except (OSError, KeyError, ValueError):
            continue
    return sizes


async def one_round(command: str, n: int) -> tuple[list[float], list[float]]:
    """N joins against a fresh server running ``command``: (seconds per join, MB per app)."""
    from aiohttp import ClientSession, WSMsgType

    from serve.roomload import start_room  # tests/serve: the room, as the load check runs it

    server, runner, origin, headers = await start_room(command)
    joins: list[float] = []
    sockets = []
    readers = []
    try:
        async with ClientSession() as http:
            for _ in range(n):
                start = perf_counter()
                ws = await http.ws_connect(f"{origin}/ws?width=80&height=24", headers=headers)
                sockets.append(ws)
                got = 0
                async with asyncio.timeout(WAIT):
                    async for message in ws:
                        if message.type == WSMsgType.BINARY:
                            got += len(message.data)
                            if got > FIRST_PAINT_BYTES:
                                break
                        elif message.type in (WSMsgType.CLOSED, WSMsgType.ERROR):
                            raise SystemExit("an app process ended before its first paint")
                joins.append(perf_counter() - start)
                readers.append(asyncio.create_task(drain(ws)))  # as a browser keeps reading
            if server.connected != n:
                raise SystemExit(f"{server.connected} of {n} participants connected")
            await asyncio.sleep(0)  # (the figures below are read once all N are in)
            rss = python_rss_mb(descendants(os.getpid()))
            if len(rss) < n:
                raise SystemExit(f"found {len(rss)} app processes for {n} participants")
            for ws in sockets:
                await ws.close()
            await gone(server)
    finally:
        for task in readers:
            task.cancel()
        await runner.cleanup()
    return joins, rss


async def gone(server) -> None:  # type: ignore[no-untyped-def]
    """Wait (bounded) until every app process of this round has ended."""
    import gc

    async with asyncio.timeout(WAIT):
        while server.connected or descendants(os.getpid()):  # reaped, not only ended
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.05)  # the child watcher's callbacks, then the transports go
        gc.collect()
        await asyncio.sleep(0)


async def drain(ws) -> None:  # type: ignore[no-untyped-def]
    async for _ in ws:
        pass


def run(args) -> list[c.Result]:  # type: ignore[no-untyped-def]
    from backplan_tui.core import templates
    from backplan_tui.core.storage import SessionStore
    from backplan_tui.serve.server import participant_command

    home = c.temp_dir("serve")
    demo = templates.demo_session(c.TODAY)
    SessionStore(home).create(demo)
    os.environ.clear()
    os.environ.update(c.child_env(home))
    n = args.participants
    commands = {
        "bare": shlex.join([c.PYTHON, str(c.HERE / "_serve_bare.py")]),
        "backplan": participant_command(c.PYTHON, home, demo.id),
    }
    joins: dict[str, list[float]] = {k: [] for k in commands}
    rss: dict[str, list[float]] = {k: [] for k in commands}
    for number in range(1 + args.serve_rounds):
        order = list(commands) if number % 2 == 0 else list(reversed(commands))
        for name in order:
            t, m = asyncio.run(one_round(commands[name], n))
            print(f"  round {number} {name:8} join→paint s {c.spread(t)}   MB {c.spread(m)}")
            if number > 0:  # the first round warms up
                joins[name] += t
                rss[name] += m
    return [
        c.ratio_row(
            f"serve: join → first paint, {n} participants",
            c.median(joins["backplan"]),
            c.median(joins["bare"]),
            "s",
            JOIN_LIMIT,
        ),
        c.ratio_row(
            f"serve: memory per participant process, {n} connected",
            c.median(rss["backplan"]),
            c.median(rss["bare"]),
            "MB",
            RSS_LIMIT,
        ),
    ]


def main() -> None:
    p = c.parser(__doc__.splitlines()[0])
    p.add_argument("--participants", type=int, default=20, help="browsers connected at once")
    p.add_argument("--serve-rounds", type=int, default=2, help="timed rounds (N joins each)")
    args = p.parse_args()
    if not args.no_compile:
        c.precompile()
    c.finish(run(args), args, "serve (reference: a bare Textual app served the same way)")


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    main()
