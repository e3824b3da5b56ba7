"""cli: `backplan list` and `backplan export ID --format md` vs the bare Textual app's start.

Separate processes, timed in this process with ``perf_counter`` from just before the fork to
the reap; output goes to /dev/null.  The data folder holds 1,000 sessions with a current
index.jsonl (the usual case).  The three commands alternate every round (order rotated)
after one discarded warm-up round:

- reference: ``_start_child.py bare``, a bare Textual app showing one Label, started headless
  and exited once painted (the same reference as the startup figure);
- ``.venv/bin/backplan list``;
- ``.venv/bin/backplan export demo --format md`` (the bundled demo, a plan in flight).

Also checked once: whether either command imported Textual (they must not: listing stays fast).

Usage: .venv/bin/python benchmarks/bench_cli.py [--rounds 10] [--sessions 1000]
"""

from __future__ import annotations

import argparse
import subprocess
from pathlib import Path

import _common as c

LIST_LIMIT = 0.5
BIG_LIST_LIMIT = 1.0  # issue 21: 10,000 sessions

PROBE = (
    "import sys\n"
    "from backplan_tui.cli import main\n"
    "code = main(sys.argv[1:])\n"
    "bad = [m for m in sys.modules if m == 'textual' or m.startswith('textual.')]\n"
    "sys.stderr.write('TEXTUAL=%d\\n' % len(bad))\n"
    "sys.exit(code)\n"
)


def backplan_command() -> list[str]:
    script = Path(c.PYTHON).parent / "backplan"
    return [str(script)] if script.exists() else [c.PYTHON, "-m", "backplan_tui"]


def imports_textual(argv: list[str], env: dict[str, str]) -> bool:
    done = subprocess.run(
        [c.PYTHON, "-c", PROBE, *argv], env=env, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise SystemExit(f"backplan {' '.join(argv)} failed:\n{done.stderr[-2000:]}")
    return "TEXTUAL=0" not in done.stderr


def run(args: argparse.Namespace) -> list[c.Result]:
    home = c.home_from_args(args)
    env_bare = c.child_env()
    env = c.child_env(home)
    cmd = backplan_command()
    from backplan_tui.core.storage import SessionStore

    SessionStore(home).list()  # the index is current

    def bare() -> c.Run:
        return c.run_child([c.PYTHON, str(c.CHILD), "bare"], env_bare, "bare app")

    def listing() -> c.Run:
        return c.run_child([*cmd, "list"], env, "backplan list")

    def export() -> c.Run:
        return c.run_child([*cmd, "export", "demo", "--format", "md"], env, "backplan export")

    variants = {"bare app": bare, "list": listing, "export md": export}
    big = c.big_home_from_args(args)
    big_count = 0
    if big is not None:
        big_count = len(SessionStore(big).list())  # the index is current
        env_big = c.child_env(big)

        def listing_big() -> c.Run:
            return c.run_child([*cmd, "list"], env_big, f"backplan list ({big_count})")

        variants["list big"] = listing_big
    runs = c.alternate(variants, args.rounds)
    secs = {k: [r.seconds for r in v] for k, v in runs.items()}
    for name, values in secs.items():
        print(f"  {name:9} s {c.spread(values)}")
    ref = c.median(secs["bare app"])
    n = args.sessions
    rows = [
        c.ratio_row(
            f"`backplan list` ({n} sessions)",
            c.median(secs["list"]),
            ref,
            "s",
            LIST_LIMIT,
            ref_name="bare app",
        ),
        c.ratio_row(
            "`backplan export demo --format md`",
            c.median(secs["export md"]),
            ref,
            "s",
            None,
            ref_name="bare app",
        ),
    ]
    if big is not None:
        rows.append(
            c.ratio_row(
                f"`backplan list` ({big_count} sessions)",
                c.median(secs["list big"]),
                ref,
                "s",
                BIG_LIST_LIMIT,
                ref_name="bare app",
            )
        )
    textual = [
        name
        for name, argv in (("list", ["list"]), ("export", ["export", "demo", "--format", "md"]))
        if imports_textual(argv, env)
    ]
    rows.append(
        c.Result(
            "list/export import Textual",
            "yes: " + ", ".join(textual) if textual else "no",
            "",
            None,
            "no",
            not textual,
        )
    )
    return rows


def main() -> None:
    args = c.parser(__doc__.splitlines()[0]).parse_args()
    if not args.no_compile:
        c.precompile()
    c.finish(run(args), args, "cli (reference: the bare Textual app's start)")


if __name__ == "__main__":
    main()
