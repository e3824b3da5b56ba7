"""Team-mode soak (issue 17): 8 processes x 100 random edits on one session, 0 lost.

    .venv/bin/python benchmarks/soak_team.py                  # 8 x 100
    .venv/bin/python benchmarks/soak_team.py --edits 20       # the CI size

Each process edits through its own ``Workspace`` (adds, answers, deletes, votes, check-ins),
saving after every edit: every save merges the others' saves (``core.merge``).  The harness
is ``tests/reliability/teamsoak.py`` (CI runs 8 x 20 in ``test_team_soak.py``).  Exit
status 1 when an added text or a vote is missing, a save failed, or a file read back after a
write did not load.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:0] = [str(ROOT / "src"), str(ROOT / "tests" / "reliability")]

from teamsoak import run  # noqa: E402


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--processes", type=int, default=8)
    p.add_argument("--edits", type=int, default=100)
    p.add_argument("--seed", type=int, default=1)
    args = p.parse_args()
    root = Path(tempfile.mkdtemp(prefix="backplan-soak-team-"))
    try:
        started = time.monotonic()
        result = run(root, args.processes, args.edits, seed=args.seed)
        elapsed = time.monotonic() - started
    finally:
        shutil.rmtree(root, ignore_errors=True)
    print(
        f"{result.processes} processes x {result.edits} edits in {elapsed:.0f} s: "
        f"{result.saves} saves (final revision {result.revision}), "
        f"{result.added} texts added, {len(result.lost)} lost, "
        f"{len(result.votes_lost)} votes lost, {result.bad_reads} unreadable reads, "
        f"{len(result.failures)} failed saves"
    )
    for line in (result.lost + result.votes_lost + result.failures)[:20]:
        print(f"  {line}")
    ok = not (result.lost or result.votes_lost or result.bad_reads or result.failures)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
