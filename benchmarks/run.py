"""Run the benchmarks (all, or the ones named) and print one table of ratios.

    make bench                                   # = .venv/bin/python benchmarks/run.py
    .venv/bin/python benchmarks/run.py startup   # one (or several) of: startup listing
                                                 #   typing save cli summary open serve
                                                 #   filter team
    .venv/bin/python benchmarks/run.py --rounds 10 --sessions 1000

Each benchmark runs as its own process (``benchmarks/bench_<name>.py``), sharing one data
folder of 1,000 sessions made here; each measures its reference in the same run.  The
source tree is precompiled first (``compileall``; this environment sets
PYTHONDONTWRITEBYTECODE=1).  See benchmarks/README.md for what each figure
means.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
from datetime import datetime
from pathlib import Path
from time import perf_counter

import _common as c

NAMES = (
    "startup",
    "listing",
    "typing",
    "save",
    "cli",
    "summary",
    "open",
    "serve",
    "filter",
    "team",
)
NEEDS_HOME = {"startup", "listing", "cli", "filter"}


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument(
        "names", nargs="*", metavar="NAME", help=f"any of {', '.join(NAMES)} (default: all)"
    )
    p.add_argument("--rounds", type=int, default=c.DEFAULT_ROUNDS, help="timed rounds (>= 10)")
    p.add_argument("--sessions", type=int, default=c.DEFAULT_SESSIONS)
    p.add_argument(
        "--big-sessions",
        type=int,
        default=c.DEFAULT_BIG_SESSIONS,
        help="startup, listing and cli also measure a folder this big (0: skip)",
    )
    args = p.parse_args()
    unknown = sorted(set(args.names) - set(NAMES))
    if unknown:
        p.error(f"unknown benchmark {', '.join(unknown)} (choose from {', '.join(NAMES)})")
    names = [n for n in NAMES if n in args.names] or list(NAMES)

    started = perf_counter()
    print(
        f"backplan benchmarks, {datetime.now():%Y-%m-%d %H:%M}, Python {platform.python_version()}"
        f", {os.cpu_count()} CPUs, {platform.machine()}; rounds {args.rounds}",
        flush=True,
    )
    c.precompile()
    home = c.make_home(args.sessions) if NEEDS_HOME & set(names) else None
    big = None
    if home is not None and args.big_sessions:
        big = c.make_home(args.big_sessions, like=home)
    rows: list[dict] = []
    failed = []
    for name in names:
        print(f"\n== {name}", flush=True)
        with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as out:
            result_path = Path(out.name)
        cmd = [
            c.PYTHON,
            str(c.HERE / f"bench_{name}.py"),
            "--rounds",
            str(args.rounds),
            "--sessions",
            str(args.sessions),
            "--big-sessions",
            str(args.big_sessions if name in NEEDS_HOME else 0),
            "--json",
            str(result_path),
            "--no-compile",
        ]
        if home is not None and name in NEEDS_HOME:
            cmd += ["--home", str(home)]
            if big is not None:
                cmd += ["--big-home", str(big)]
        t0 = perf_counter()
        done = subprocess.run(cmd, check=False)
        print(f"   [{name}: {perf_counter() - t0:.0f} s]", flush=True)
        if done.returncode != 0:
            failed.append(name)
        else:
            rows += json.loads(result_path.read_text("utf-8"))
        result_path.unlink(missing_ok=True)

    c.print_table(
        [c.Result(**row) for row in rows], "== all figures (ratio = backplan / reference)"
    )
    print(f"\ntotal {perf_counter() - started:.0f} s")
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
