"""Recompute the schedule and the coach for a big plan: 500 map nodes, 200 pilots.

Budget (issue 5): well under one frame (16 ms), since the app recomputes both after every
edit.  Prints the median over RUNS runs (time.perf_counter, one warm-up run discarded) and
the ratio to a reference measured in the same run: a plain loop over the same 700 items
building a dict (the least any O(n) pass over the plan can cost).

    .venv/bin/python benchmarks/schedule.py
"""

from __future__ import annotations

import statistics
import time
from datetime import UTC, date, datetime

from backplan_tui.core import coach, schedule
from backplan_tui.core.model import (
    CheckIn,
    FutureState,
    MapNode,
    Outcome,
    Pilot,
    Question,
    Session,
)

RUNS = 50
NODES = 500
PILOTS = 200
TODAY = date(2026, 11, 23)
FRAME_MS = 1000 / 60


def big_session() -> Session:
    """50 top-level conditions, each the root of a 10-node branch up to 6 levels deep."""
    nodes: list[MapNode] = []
    for b in range(NODES // 10):
        ids = [f"m{b * 10 + k + 1}" for k in range(10)]
        # shape of a branch: k -> parent index within the branch
        parents = [None, 0, 1, 2, 3, 4, 0, 6, 1, 8]
        for k, node_id in enumerate(ids):
            parent = "" if parents[k] is None else ids[parents[k]]
            nodes.append(
                MapNode(
                    id=node_id,
                    title=f"Condition {node_id} that must be true first",
                    parent=parent,
                    owner="" if k == 7 else f"Owner {k}",
                    duration_days=None if k == 9 else 7 + (b * 3 + k * 5) % 40,
                    pinned_due=date(2027, 3, 1) if k == 4 and b % 5 == 0 else None,
                    status="done" if k == 5 and b % 3 == 0 else "todo",
                )
            )
    outcomes = [
        Outcome(
            id=f"o{i}", metric=f"KPI {i}", baseline=50.0, target=60.0 + i, due=date(2027, 12, 31)
        )
        for i in range(1, 6)
    ]
    pilots = [
        Pilot(
            id=f"p{i}",
            name=f"Pilot {i}",
            tests=[f"m{(i * 7) % NODES + 1}", f"m{(i * 13) % NODES + 1}"],
            outcome=f"o{i % 5 + 1}",
            owner="" if i % 9 == 0 else "Sam",
            start=date(2027, 1, 4),
            end=date(2027, 3, 1) if i % 4 else date(2027, 6, 1),
            success_rule="" if i % 6 == 0 else "Scale if it works",
            status="running" if i % 10 == 0 else "planned",
        )
        for i in range(1, PILOTS + 1)
    ]
    return Session(
        id="bench",
        title="Benchmark",
        created=datetime(2026, 9, 1, tzinfo=UTC),
        future_state=FutureState(
            statement="By 2027-12-31, 88% of new hires are still with us after 12 months.",
            target_date=date(2027, 12, 31),
            aligned_objective="Employer of choice",
            outcomes=outcomes,
        ),
        questions=[Question(id=f"q{i}", prompt=f"Question {i}") for i in range(1, 4)],
        map=nodes,
        pilots=pilots,
        checkins=[CheckIn(date=date(2026, 10, 1))],
    )


def measure(fns: dict[str, object], runs: int = RUNS) -> dict[str, list[float]]:
    """Milliseconds per call of each function, interleaved run by run so that load from
    other processes hits every measurement alike; one warm-up round discarded."""
    times: dict[str, list[float]] = {name: [] for name in fns}
    for round_no in range(runs + 1):
        for name, fn in fns.items():
            t0 = time.perf_counter()
            fn()  # type: ignore[operator]
            elapsed = (time.perf_counter() - t0) * 1000
            if round_no:
                times[name].append(elapsed)
    return times


def main() -> None:
    session = big_session()
    items = [*session.map, *session.pilots]

    def reference() -> None:
        {item.id: item for item in items}

    def full() -> None:
        sched = schedule.compute(session, TODAY)
        findings = coach.review(session, TODAY, schedule=sched)
        coach.step_health(session, TODAY, findings)

    times = measure(
        {
            f"reference (dict of {len(items)} items)": reference,
            "schedule.compute": lambda: schedule.compute(session, TODAY),
            "coach.review (incl. schedule)": lambda: coach.review(session, TODAY),
            "schedule + review + step_health": full,
        }
    )
    findings = coach.review(session, TODAY)
    print(
        f"plan: {len(session.map)} map nodes, {len(session.pilots)} pilots, "
        f"{len(findings)} findings; median of {RUNS} interleaved runs"
    )
    ref_times = next(iter(times.values()))
    for label, samples in times.items():
        ms = statistics.median(samples)
        ratio = statistics.median(t / r for t, r in zip(samples, ref_times, strict=True))
        print(f"{label:34} {ms:8.3f} ms  {ratio:7.1f}x reference")
    total = statistics.median(times["schedule + review + step_health"])
    print(f"the full recompute uses {total / FRAME_MS:.0%} of a 16.7 ms frame")


if __name__ == "__main__":
    main()
