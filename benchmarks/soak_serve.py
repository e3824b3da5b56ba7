"""The browser room under load (issue 18): 20 participants connected, 10 adding, 0 lost.

    .venv/bin/python benchmarks/soak_serve.py                     # 20 connected, 10 adding 3
    .venv/bin/python benchmarks/soak_serve.py --connected 6 --adding 3 --each 2  # the CI size

``backplan serve``'s server on a loopback port; each participant is a websocket speaking
textual-serve's protocol (one participant app process each, as a browser's join starts).
The harness is ``tests/serve/roomload.py`` (CI runs the small size in
``test_serve_load.py``).  Exit status 1 when a question typed is missing from the session
file, a participant's name is missing, or a read of the file while they typed did not load.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:0] = [str(ROOT / "src"), str(ROOT / "tests")]

from serve.roomload import room_home, run  # noqa: E402


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--connected", type=int, default=20, help="participants connected at once")
    p.add_argument("--adding", type=int, default=10, help="how many of them add questions")
    p.add_argument("--each", type=int, default=3, help="questions each of those adds")
    args = p.parse_args()
    root = Path(tempfile.mkdtemp(prefix="backplan-soak-serve-"))
    try:
        session_id = room_home(root)
        result = asyncio.run(run(root, session_id, args.connected, args.adding, args.each))
    finally:
        shutil.rmtree(root, ignore_errors=True)
    print(
        f"{result.connected} connected, {result.adding} adding {result.per_person} questions "
        f"each: {len(result.expected)} typed, {len(result.lost)} lost, "
        f"{len(result.names_missing)} names missing, {result.bad_reads} bad reads of "
        f"{result.reads}; all in the file {result.seconds:.1f} s after the first name"
    )
    for line in result.lost[:20]:
        print(f"  lost: {line}")
    ok = not (result.lost or result.names_missing or result.bad_reads)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
