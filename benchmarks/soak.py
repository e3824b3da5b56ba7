"""Soak test for issue 3 ("never lose or corrupt a session"): prints the figures.

    .venv/bin/python benchmarks/soak.py            # the full run (a few minutes)
    .venv/bin/python benchmarks/soak.py --quick    # a smoke run of each part (seconds)

Parts (each can be sized or skipped with its option, 0 = skip):

- ``--cycles``: a child process saves a session in a loop while this process SIGKILLs it
  at a random moment, then a fresh store starts (cleaning orphaned temp files) and the file
  is checked: it must load, equal one of the revisions the child committed, and be no older
  than the last save the child saw succeed.  Also: the killed child's lock is free, no temp
  file is left, every backup loads as the revision it is named after.
- ``--processes`` x ``--updates``: processes that each lock -> load -> increment -> save ->
  unlock one session; the final counter must equal the number of updates.
- ``--processes`` x ``--unlocked``: processes that each load -> append -> save one session
  WITHOUT its lock, reloading and appending again when a save is refused as a conflict
  (issue 22): every save reported as done must be in the file.
- ``--fuzz``: loader inputs (arbitrary bytes, mutated real sessions, TOML token soup); the
  only outcomes allowed are a session or the store's own load error ("crashes" counts any
  other exception).
- ``--roundtrip``: the hypothesis round trip (any valid session -> store -> equal session,
  and writing it again gives identical bytes) with more examples than CI runs.

The harness code is shared with the CI tests in ``tests/reliability/``.  Exit status 1 when
any figure shows a problem.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
import traceback
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:0] = [
    str(ROOT / "src"),
    str(ROOT / "tests" / "reliability"),
    str(ROOT / "tests" / "unit"),
]

from hypothesis import HealthCheck, given, settings  # noqa: E402

from backplan_tui.core import codec  # noqa: E402
from backplan_tui.core.storage import SessionStore, StoreError  # noqa: E402


def progress(label: str, done: int, total: int, started: float) -> None:
    if done == total or done % max(total // 20, 1) == 0:
        elapsed = time.monotonic() - started
        sys.stderr.write(f"\r  {label}: {done}/{total} ({elapsed:.0f} s)   ")
        if done == total:
            sys.stderr.write("\n")
        sys.stderr.flush()


def run_crashes(base: Path, cycles: int, seed: int) -> dict[str, object]:
    from harness import crash_cycles

    sys.stderr.write(f"kill -9 cycles ({cycles})\n")
    started = time.monotonic()
    figures = crash_cycles(
        base / "crash",
        cycles,
        seed=seed,
        max_delay=0.03,
        progress=lambda n: progress("cycles", n, cycles, started),
    )
    for problem in figures.problems[:10]:
        sys.stderr.write(f"  problem: {problem}\n")
    return {
        "kill -9 cycles": figures.cycles,
        "  kills after >= 1 committed save": figures.kills_during_saves,
        "  saves committed by the children": figures.saves_committed,
        "  temp files of killed saves cleaned at start": figures.temp_files_cleaned,
        "  corrupt": figures.corrupt,
        "  missing": figures.missing,
        "  committed saves lost": figures.lost_commits,
        "  leftover temp files": figures.leftover_temp_files,
        "  locks still held after the kill": figures.stale_locks,
        "  backups that do not load": figures.bad_backups,
        "  children that died otherwise": figures.child_errors,
        "  seconds (kill -9 cycles)": round(time.monotonic() - started, 1),
    }


def run_contention(base: Path, processes: int, updates: int) -> dict[str, object]:
    from harness import contention

    sys.stderr.write(f"{processes} processes x {updates} lock-load-change-save cycles\n")
    started = time.monotonic()
    expected, final, revisions = contention(base / "contention", processes, updates)
    return {
        "lock-load-change-save updates": expected,
        "  final counter": final,
        "  lost updates": expected - final,
        "  revisions written": revisions,
        "  seconds (contention)": round(time.monotonic() - started, 1),
    }


def run_unlocked(base: Path, processes: int, updates: int) -> dict[str, object]:
    from harness import unlocked_contention

    sys.stderr.write(f"{processes} processes x {updates} load-append-save, no session lock\n")
    started = time.monotonic()
    reported, found, conflicts = unlocked_contention(base / "unlocked", processes, updates)
    return {
        "unlocked load-append-save updates reported": reported,
        "  updates found in the file": found,
        "  conflicts met (reloaded and retried)": conflicts,
        "  lost updates (unlocked)": reported - found,
        "  seconds (unlocked)": round(time.monotonic() - started, 1),
    }


def run_fuzz(base: Path, inputs: int) -> dict[str, object]:
    from fuzzing import ANY_INPUT, fuzz_store, load_bytes

    sys.stderr.write(f"fuzzing the loader ({inputs} inputs)\n")
    store = fuzz_store(base / "fuzz")
    counts = {"tried": 0, "ok": 0, "load errors": 0, "crashes": 0}
    crashes: list[str] = []
    started = time.monotonic()

    @settings(
        max_examples=inputs,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(data=ANY_INPUT)
    def fuzz(data: bytes) -> None:
        counts["tried"] += 1
        try:
            outcome = load_bytes(store, data)
        except Exception:  # the finding this looks for: counted, not raised
            counts["crashes"] += 1
            if len(crashes) < 5:
                crashes.append(traceback.format_exc(limit=3) + f"input: {data[:200]!r}")
        else:
            counts["ok" if outcome == "ok" else "load errors"] += 1
        progress("inputs", counts["tried"], inputs, started)

    fuzz()
    if counts["tried"] < inputs:
        sys.stderr.write("\n")
    for crash in crashes:
        sys.stderr.write(f"  crash:\n{crash}\n")
    return {
        "fuzz inputs tried": counts["tried"],
        "  loaded as a session": counts["ok"],
        "  refused with the store's load error": counts["load errors"],
        "  crashes (any other exception)": counts["crashes"],
        "  seconds (fuzzing)": round(time.monotonic() - started, 1),
    }


def run_roundtrip(base: Path, examples: int) -> dict[str, object]:
    from test_codec import sessions  # the strategy of the CI property test

    sys.stderr.write(f"round trip through the store ({examples} sessions)\n")
    store = SessionStore(base / "roundtrip")
    counts = {"tried": 0, "failures": 0}
    failures: list[str] = []
    started = time.monotonic()

    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(session=sessions())
    def roundtrip(session) -> None:
        counts["tried"] += 1
        session.id = f"rt-{counts['tried']:06d}"
        try:
            text = codec.dumps(session)
            assert codec.loads(text) == session, "TOML -> a different session"
            assert codec.dumps(codec.loads(text)) == text, "writing again -> other bytes"
            session.revision = 0
            store.create(session)
            loaded = store.load(session.id)
            assert loaded == session, "store -> a different session"
            on_disk = store.path_for(session.id).read_bytes()
            assert codec.dumps(loaded).encode("utf-8") == on_disk, "saving again -> other bytes"
            store.path_for(session.id).unlink()
        except (AssertionError, StoreError, codec.CodecError) as error:
            counts["failures"] += 1
            if len(failures) < 5:
                failures.append(f"{type(error).__name__}: {error}")
        progress("sessions", counts["tried"], examples, started)

    roundtrip()
    if counts["tried"] < examples:
        sys.stderr.write("\n")
    for failure in failures:
        sys.stderr.write(f"  failure: {failure}\n")
    return {
        "round-trip sessions": counts["tried"],
        "  not equal after the round trip": counts["failures"],
        "  seconds (round trip)": round(time.monotonic() - started, 1),
    }


PROBLEMS = (
    "  corrupt",
    "  missing",
    "  committed saves lost",
    "  leftover temp files",
    "  locks still held after the kill",
    "  backups that do not load",
    "  children that died otherwise",
    "  lost updates",
    "  lost updates (unlocked)",
    "  crashes (any other exception)",
    "  not equal after the round trip",
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cycles", type=int, default=1000, help="kill -9 cycles (1000)")
    parser.add_argument("--processes", type=int, default=8, help="contending processes (8)")
    parser.add_argument("--updates", type=int, default=200, help="updates per process (200)")
    parser.add_argument(
        "--unlocked", type=int, default=200, help="unlocked updates per process (200)"
    )
    parser.add_argument("--fuzz", type=int, default=20000, help="fuzz inputs (20000)")
    parser.add_argument("--roundtrip", type=int, default=1000, help="round-trip sessions")
    parser.add_argument("--seed", type=int, default=int(time.time()), help="kill timing seed")
    parser.add_argument("--quick", action="store_true", help="a smoke run of every part")
    args = parser.parse_args(argv)
    if args.quick:
        args.cycles, args.updates, args.fuzz, args.roundtrip = 50, 10, 300, 50
        args.unlocked = 10

    base = Path(tempfile.mkdtemp(prefix="backplan-soak-"))
    figures: dict[str, object] = {}
    started = time.monotonic()
    try:
        sys.stderr.write(f"soak run in {base} (seed {args.seed})\n")
        if args.cycles:
            figures.update(run_crashes(base, args.cycles, args.seed))
        if args.processes and args.updates:
            figures.update(run_contention(base, args.processes, args.updates))
        if args.processes and args.unlocked:
            figures.update(run_unlocked(base, args.processes, args.unlocked))
        if args.fuzz:
            figures.update(run_fuzz(base, args.fuzz))
        if args.roundtrip:
            figures.update(run_roundtrip(base, args.roundtrip))
    finally:
        shutil.rmtree(base, ignore_errors=True)

    width = max(len(name) for name in figures)
    print(f"backplan soak (issue 3), {os.cpu_count()} CPUs, {sys.platform}")
    print(f"{'figure'.ljust(width)}  value")
    for name, value in figures.items():
        print(f"{name.ljust(width)}  {value}")
    print(f"{'total seconds'.ljust(width)}  {round(time.monotonic() - started, 1)}")
    bad = [name.strip() for name in PROBLEMS if figures.get(name)]
    if bad:
        print(f"PROBLEMS: {', '.join(bad)}")
        return 1
    print("OK: no corrupt, missing or lost sessions; no leftovers; no crashes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
