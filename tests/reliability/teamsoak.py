"""Team mode under load: N processes make random edits to one session through the workspace
(shared by tests/reliability/test_team_soak.py and benchmarks/soak_team.py).

Each process opens the session in its own ``Workspace`` (no lock: team mode), and makes
``edits`` random edits, saving after each one (every save merges what the others saved
meanwhile) and now and then taking the others' saves into memory (``read_disk`` +
``absorb``), as the app's poll does.  The edits: add a question, a map node, a check-in or a
parking-lot line (each with a text no one else types), answer a question, delete one of the
session's starting pilots, vote for a node.  After every save the process reads the file back
and counts a file that does not load.

The check: every text added by any process is in the final file (0 edits lost), every file
read after a write loaded, and the processes' own votes for their own nodes are there.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from backplan_tui.core import codec, templates
from backplan_tui.core.merge import strings_in
from backplan_tui.core.model import CheckIn, MapNode, Question
from backplan_tui.core.storage import SessionStore
from backplan_tui.core.workspace import Workspace

TODAY = date(2026, 11, 23)
SESSION = "demo"


@dataclass
class Outcome:
    added: list[str] = field(default_factory=list)  # every text this process added
    votes: dict[str, int] = field(default_factory=dict)  # node id -> this process's votes
    saves: int = 0
    bad_reads: int = 0  # files read back after a write that did not load
    failures: list[str] = field(default_factory=list)


def setup(root: Path) -> None:
    SessionStore(root).create(templates.demo_session(TODAY))


def worker(root: str, n: int, edits: int, seed: int) -> Outcome:
    """One process's run (a ``multiprocessing`` target: plain arguments, a plain result)."""
    rng = random.Random(seed * 1000 + n)
    name = f"P{n}"
    store = SessionStore(Path(root))
    ws = Workspace(store, today=lambda: TODAY, clock=lambda: 0.0, name=name)
    ws.adopt(ws.prepare(SESSION))
    out = Outcome()
    reader = SessionStore(Path(root))
    for i in range(edits):
        s = ws.session
        kind = rng.choice(["question", "node", "checkin", "park", "answer", "delete", "vote"])
        text = f"{name}-{i}-{kind}"
        if kind == "question":
            s.questions.append(Question(id=f"q-{name}-{i}", prompt=text))
            out.added.append(text)
        elif kind == "node":
            s.map.append(MapNode(id=f"m-{name}-{i}", title=text))
            out.added.append(text)
        elif kind == "checkin":
            s.checkins.append(CheckIn(date=TODAY, confidence="on_track", note=text))
            out.added.append(text)
        elif kind == "park":
            s.facilitation.parking_lot.append(text)
            out.added.append(text)
        elif kind == "answer" and s.questions:
            rng.choice(s.questions).answer = text
        elif kind == "delete":
            starting = [p for p in s.pilots if not p.by]
            if starting:
                s.pilots.remove(rng.choice(starting))
        elif kind == "vote":
            mine = [m for m in s.map if m.id.startswith(f"m-{name}-")]
            if mine:
                node = rng.choice(mine)
                node.votes[name] = node.votes.get(name, 0) + 1
                out.votes[node.id] = node.votes[name]
        ws.record_edit(kind)
        if not ws.save():
            out.failures.append(f"{name} edit {i}: {ws.document.error if ws.document else ''}")
            continue
        out.saves += 1
        try:
            reader.load(SESSION)
        except Exception as error:  # noqa: BLE001 - counted
            out.bad_reads += 1
            out.failures.append(f"{name} read after save {i}: {error}")
        if ws.behind or rng.random() < 0.3:
            read = ws.read_disk()
            if read is not None:
                ws.absorb(read)
    ws.save()
    ws.close()
    return out


def _run(args: tuple[str, int, int, int]) -> Outcome:
    return worker(*args)


@dataclass
class Result:
    processes: int
    edits: int
    added: int
    lost: list[str]
    votes_lost: list[str]
    bad_reads: int
    saves: int
    failures: list[str]
    revision: int


def run(root: Path, processes: int, edits: int, seed: int = 1) -> Result:
    """Set up the session, run the processes at once, check the final file."""
    import multiprocessing

    setup(root)
    context = multiprocessing.get_context("fork")
    with context.Pool(processes) as pool:
        outcomes = pool.map(_run, [(str(root), n, edits, seed) for n in range(processes)])
    final = SessionStore(root).load(SESSION)
    found = set(strings_in(codec.to_dict(final)))
    added = [text for o in outcomes for text in o.added]
    lost = [text for text in added if text not in found]
    nodes = {m.id: m for m in final.map}
    votes_lost = [
        f"P{n} {node_id}"
        for n, o in enumerate(outcomes)
        for node_id, count in o.votes.items()
        if node_id not in nodes or nodes[node_id].votes.get(f"P{n}", 0) < count
    ]
    return Result(
        processes=processes,
        edits=edits,
        added=len(added),
        lost=lost,
        votes_lost=votes_lost,
        bad_reads=sum(o.bad_reads for o in outcomes),
        saves=sum(o.saves for o in outcomes),
        failures=[f for o in outcomes for f in o.failures],
        revision=final.revision,
    )
