"""save: autosave of a ~100 KB session vs dumps+write+fsync+replace, and the UI stall.

The session: the hr-retention template grown to ~100 KB of TOML with map nodes that carry
notes, plus 20 pilots.  Files go to a temp dir on the same disk as the data folder would.

1. Throughput, in-process, ``perf_counter`` around each call, alternating A/B every round
   after one discarded warm-up round:
   - backplan:  ``SessionStore.save(session)`` (what every save does: serialize, check, write
     a temp file, fsync, compare with the file on disk, replace, fsync the folder);
   - reference: ``tomli_w.dumps(d)`` of the same dict (``codec.to_dict`` computed once,
     untimed) + write a temp file + fsync + ``os.replace``.
2. The longest UI stall: the app runs headless (``run_test``) with the session open in
   step 3.  A 1 ms asyncio ticker on the app's event loop records the gaps between its
   wake-ups; after an edit (``app.changed()``) the save is started from the app's own loop
   (``app.call_later``) and the ticker runs until the document is clean and no save worker
   is left, plus 50 ms.  The figure is the median (over rounds) of the longest gap.
   Two entry points are timed:
   - autosave: ``app.autosave()``, what the debounce timer calls (falls back to
     ``app.save_now()`` if the app has no ``autosave``);
   - save now: ``app.save_now()``, the synchronous save used by Ctrl+S, step change, quit.
   The reference is the longest gap of the same ticker over the same time with no save.

Usage: .venv/bin/python benchmarks/bench_save.py [--rounds 10] [--kb 100]
"""

from __future__ import annotations

import argparse
import asyncio
import os
from pathlib import Path
from time import perf_counter
from typing import Any

import _common as c

SAVE_LIMIT = 1.5
STALL_LIMIT_MS = 16.0
SIZE = (100, 30)


def sized_session(kb: int) -> Any:
    """A session whose TOML is at least ``kb`` KB: map nodes with notes, 20 pilots."""
    from backplan_tui.core import codec

    note = (c._NOTE * 3).strip()
    nodes = 40
    while True:
        session = c.big_session("hundred-kb", nodes, 20, notes=note)
        size = len(codec.dumps(session).encode("utf-8"))
        if size >= kb * 1024:
            return session, size
        nodes += max(5, int(nodes * (kb * 1024 - size) / size))


def throughput(session: Any, home: Path, rounds: int) -> dict[str, list[float]]:
    import tomli_w

    from backplan_tui.core import codec
    from backplan_tui.core.storage import SessionStore

    store = SessionStore(home)
    store.create(session)
    data = codec.to_dict(session)
    ref_dir = home / "reference"
    ref_dir.mkdir()
    target = ref_dir / "hundred-kb.toml"
    count = [0]

    def reference() -> float:
        count[0] += 1
        start = perf_counter()
        encoded = tomli_w.dumps(data).encode("utf-8")
        tmp = ref_dir / f".hundred-kb.toml.{count[0]}.tmp"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with open(fd, "wb") as handle:
            handle.write(encoded)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
        return perf_counter() - start

    def backplan() -> float:
        start = perf_counter()
        store.save(session)
        return perf_counter() - start

    runs = c.alternate({"reference": reference, "store.save": backplan}, max(rounds, 10) + 5)
    return {k: [x * 1000 for x in v] for k, v in runs.items()}


async def stalls(home: Path, session_id: str, rounds: int) -> dict[str, list[float]]:
    from backplan_tui.tui.app import create_app

    app = create_app(home, open_session=session_id, autosave_delay=3600)
    out: dict[str, list[float]] = {"idle": [], "autosave": [], "save now": [], "duration": []}
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        entries = {
            "autosave": getattr(app, "autosave", app.save_now),
            "save now": app.save_now,
        }

        def saving() -> bool:
            doc = app.document
            busy = any(w.group == "save" and not w.is_finished for w in app.workers)
            return busy or (doc is not None and doc.dirty)

        async def trial(entry: Any) -> tuple[float, float]:
            app.changed()  # an edit: the document is dirty
            await pilot.pause()
            if entry is None:  # the idle run: clean the document first, untimed
                app.save_now()
                await pilot.pause()
            gaps: list[float] = []
            stop = asyncio.Event()

            async def ticker() -> None:
                last = perf_counter()
                while not stop.is_set():
                    await asyncio.sleep(0.001)
                    now = perf_counter()
                    gaps.append(now - last)
                    last = now

            task = asyncio.create_task(ticker())
            await asyncio.sleep(0.01)
            start = perf_counter()
            if entry is not None:
                app.call_later(entry)
                await asyncio.sleep(0)
                while saving():
                    await asyncio.sleep(0.002)
                    if perf_counter() - start > 10:
                        raise SystemExit("the save did not finish within 10 s")
            else:
                await asyncio.sleep(0.1)
            duration = perf_counter() - start
            await asyncio.sleep(0.05)
            stop.set()
            await task
            return max(gaps) * 1000, duration * 1000

        for n in range(max(rounds, 10) + 1):
            for name in ("idle", "autosave", "save now"):
                gap, duration = await trial(None if name == "idle" else entries[name])
                if n:
                    out[name].append(gap)
                    if name == "autosave":
                        out["duration"].append(duration)
    return out


def run(args: argparse.Namespace) -> list[c.Result]:
    session, size = sized_session(args.kb)
    print(
        f"  session: {size / 1024:.0f} KB of TOML, {len(session.map)} map nodes, "
        f"{len(session.pilots)} pilots"
    )
    home = c.temp_dir("save")
    ms = throughput(session, home, args.rounds)
    for name, values in ms.items():
        print(f"  {name:10} ms {c.spread(values)}")
    gaps = asyncio.run(stalls(home, session.id, args.rounds))
    for name, values in gaps.items():
        label = "autosave, start to clean" if name == "duration" else f"longest gap, {name}"
        print(f"  {label:24} ms {c.spread(values)}")
    idle = c.median(gaps["idle"])
    kb = f"{size / 1024:.0f} KB"
    stall = c.median(gaps["autosave"])
    return [
        c.ratio_row(
            f"save {kb} session",
            c.median(ms["store.save"]),
            c.median(ms["reference"]),
            "ms",
            SAVE_LIMIT,
            ref_name="dumps+write+fsync+replace",
        ),
        c.Result(
            f"UI stall during autosave ({kb})",
            f"{stall:.1f} ms",
            f"{idle:.1f} ms (idle)",
            None,
            f"≤ {STALL_LIMIT_MS:g} ms",
            stall <= STALL_LIMIT_MS,
        ),
        c.Result(
            f"UI stall during save now / Ctrl+S ({kb})",
            f"{c.median(gaps['save now']):.1f} ms",
            f"{idle:.1f} ms (idle)",
            None,
        ),
    ]


def main() -> None:
    p = c.parser(__doc__.splitlines()[0])
    p.add_argument("--kb", type=int, default=100, help="session size in KB of TOML")
    args = p.parse_args()
    if not args.no_compile:
        c.precompile()
    c.finish(run(args), args, "save (reference: tomli_w.dumps + write + fsync + replace)")


if __name__ == "__main__":
    main()
