"""Shared helpers for the benchmark scripts: fixtures, child processes, statistics, the table.

Every figure is a ratio to a reference measured in the same run: A and B are alternated
(A B A B ...), a first round is discarded as a warm-up, and medians are reported.

Byte-code: this environment sets ``PYTHONDONTWRITEBYTECODE=1``, so a source tree would be
recompiled on every start.  :func:`precompile` runs ``compileall`` over ``src/`` (and these
scripts) before anything is timed; child processes keep ``PYTHONDONTWRITEBYTECODE=1`` and
read those ``.pyc`` files.  Site-packages were compiled by pip when the venv was built.
"""

from __future__ import annotations

import argparse
import atexit
import compileall
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from pathlib import Path
from time import perf_counter
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SRC = ROOT / "src"
PYTHON = sys.executable
CHILD = HERE / "_start_child.py"

DEFAULT_ROUNDS = 10
DEFAULT_SESSIONS = 1000
DEFAULT_BIG_SESSIONS = 10_000
TODAY = date.today()


# --- results -------------------------------------------------------------------------------


@dataclass
class Result:
    """One row of the table.  ``ratio`` is backplan / reference (None when not a ratio)."""

    figure: str
    backplan: str
    reference: str
    ratio: float | None
    target: str = "—"
    met: bool | None = None  # None: no target


def ratio_row(
    figure: str,
    value: float,
    ref: float,
    unit: str,
    limit: float | None,
    *,
    ref_name: str = "",
    digits: int = 3,
) -> Result:
    """A row ``value unit | ref unit | value/ref | <= limit x``."""
    r = value / ref if ref else float("inf")
    shown_ref = f"{fmt_num(ref, digits)} {unit}" + (f" ({ref_name})" if ref_name else "")
    return Result(
        figure,
        f"{fmt_num(value, digits)} {unit}",
        shown_ref,
        r,
        f"≤ {limit:g}×" if limit is not None else "—",
        None if limit is None else r <= limit,
    )


def fmt_num(value: float, digits: int = 3) -> str:
    if value >= 100:
        return f"{value:.0f}"
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.{digits}g}" if value < 1 else f"{value:.2f}"


def print_table(results: Sequence[Result], title: str = "") -> None:
    header = ("figure", "backplan", "reference", "ratio", "target", "")
    rows = [header]
    for r in results:
        mark = "" if r.met is None else ("ok" if r.met else "MISS")
        ratio = "" if r.ratio is None else f"{r.ratio:.2f}×"
        rows.append((r.figure, r.backplan, r.reference, ratio, r.target, mark))
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    if title:
        print(f"\n{title}")
    line = "  ".join("-" * w for w in widths)
    for n, row in enumerate(rows):
        cells = [
            row[i].rjust(widths[i]) if i == 3 else row[i].ljust(widths[i]) for i in range(len(row))
        ]
        print("  ".join(cells).rstrip())
        if n == 0:
            print(line)
    sys.stdout.flush()


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def spread(values: Sequence[float]) -> str:
    """``median [min–max] (n)`` for the detail lines."""
    return f"{median(values):.4g} [{min(values):.4g}–{max(values):.4g}] (n={len(values)})"


# --- command line shared by the scripts --------------------------------------------------


def parser(description: str) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--rounds", type=int, default=DEFAULT_ROUNDS, help="timed rounds (>= 10)")
    p.add_argument("--sessions", type=int, default=DEFAULT_SESSIONS, help="sessions in the folder")
    p.add_argument("--home", type=Path, help="reuse a data folder made by run.py")
    p.add_argument(
        "--big-sessions",
        type=int,
        default=DEFAULT_BIG_SESSIONS,
        help="also the rows for a folder this big (issue 21; 0: skip them)",
    )
    p.add_argument("--big-home", type=Path, help="reuse a big data folder made by run.py")
    p.add_argument("--json", type=Path, help="write the result rows here (used by run.py)")
    p.add_argument("--no-compile", action="store_true", help="skip compileall (run.py did it)")
    return p


def finish(results: list[Result], args: argparse.Namespace, title: str) -> None:
    print_table(results, title)
    if args.json:
        args.json.write_text(json.dumps([asdict(r) for r in results]), "utf-8")


# --- environment ---------------------------------------------------------------------------


def precompile() -> None:
    """``python -m compileall -q src benchmarks``: children then load .pyc files."""
    for folder in (SRC, HERE):
        ok = compileall.compile_dir(str(folder), quiet=1)
        if not ok:
            raise SystemExit(f"compileall failed in {folder}")


_TEMPS: list[Path] = []


def temp_dir(prefix: str) -> Path:
    """A temp dir on disk (not tmpfs here), removed at exit."""
    path = Path(tempfile.mkdtemp(prefix=f"backplan-bench-{prefix}-"))
    _TEMPS.append(path)
    return path


@atexit.register
def _cleanup() -> None:
    for path in _TEMPS:
        shutil.rmtree(path, ignore_errors=True)


_XDG: Path | None = None


def child_env(home: Path | None = None, **extra: str) -> dict[str, str]:
    """The environment of a child: isolated data/config dirs, no TEXTUAL_* overrides."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TEXTUAL")}
    env["PYTHONDONTWRITEBYTECODE"] = "1"  # as in this environment: rely on precompile()
    global _XDG
    if _XDG is None:
        _XDG = temp_dir("xdg")
    env["BACKPLAN_HOME"] = str(home if home is not None else _XDG / "home")
    env["XDG_CONFIG_HOME"] = str(_XDG / "config")  # no user settings or themes
    env["XDG_DATA_HOME"] = str(_XDG / "data")
    env.update(extra)
    return env


@dataclass
class Run:
    seconds: float
    maxrss_kb: int
    code: int


def run_child(cmd: Sequence[str], env: dict[str, str], what: str = "") -> Run:
    """Start ``cmd``, wait for it with ``os.wait4`` (its own rusage: peak RSS), time it with
    ``perf_counter`` in this process, from just before the fork to just after the reap."""
    with tempfile.TemporaryFile() as err:
        start = perf_counter()
        proc = subprocess.Popen(
            list(cmd), env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err
        )
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = perf_counter() - start
        proc.returncode = code = os.waitstatus_to_exitcode(status)
        if code != 0:
            err.seek(0)
            tail = err.read().decode("utf-8", "replace")[-3000:]
            raise SystemExit(f"{what or cmd[0]} failed with status {code}:\n{tail}")
    return Run(elapsed, usage.ru_maxrss, code)


def alternate(
    variants: dict[str, Callable[[], Any]], rounds: int, warmup: int = 1
) -> dict[str, list[Any]]:
    """Run each variant once per round, in an order rotated every round; the first
    ``warmup`` rounds are discarded."""
    names = list(variants)
    out: dict[str, list[Any]] = {name: [] for name in names}
    for n in range(warmup + rounds):
        shift = n % len(names)
        for name in names[shift:] + names[:shift]:
            value = variants[name]()
            if n >= warmup:
                out[name].append(value)
    return out


# --- fixtures ------------------------------------------------------------------------------

_VERBS = ("Improve", "Cut", "Raise", "Reduce", "Grow", "Streamline", "Launch", "Rebuild", "Fix")
_OBJECTS = (
    "12-month retention",
    "onboarding time",
    "first-call resolution",
    "order lead time",
    "engagement score",
    "manager bench strength",
    "on-time delivery",
    "training completion",
    "scrap rate",
    "customer NPS",
    "time to hire",
    "safety incidents",
)
_SCOPES = ("", "", " in Support", " at Plant 3", " for new hires", " (Q3)", " in EMEA", " 2027")
_TEAMS = ("People Ops", "Support", "Operations", "L&D", "Finance", "Sales", "Plant 3", "IT")
_PEOPLE = ("Dana", "Lee", "Sam", "Priya", "Ola", "Kenji", "Maria", "Tom", "Aisha", "Jonas")
_STEPS = ("future_state", "questions", "reverse_map", "pilots", "summary")
_NODE_TITLES = (
    "Managers trained in stay interviews",
    "Baseline measured by team and tenure",
    "Budget approved by Finance",
    "Buddy programme designed",
    "Pilot cohort selected",
    "Survey tool chosen",
    "Process mapped end to end",
    "Owners agreed for every KPI",
    "Dashboard published weekly",
    "Legal review of the new policy",
)
_NOTE = (
    "Agreed in the workshop: the owner checks progress every Friday and reports blockers "
    "at the monthly review. Depends on the data export from the HR system, which IT can "
    "deliver in two weeks if the request goes in before the freeze. "
)


def _realistic(store: Any, rng: random.Random, index: int) -> Any:
    """One session from a template, with a varied title, team and progress."""
    from backplan_tui.core import templates
    from backplan_tui.core.model import CheckIn, MapNode

    names = [t.name for t in templates.list_templates()]
    title = f"{rng.choice(_VERBS)} {rng.choice(_OBJECTS)}{rng.choice(_SCOPES)}"
    if rng.random() < 0.3:
        title += f" #{index}"
    people = rng.sample(_PEOPLE, rng.randint(0, 5))
    session = templates.instantiate(
        names[index % len(names)],
        session_id=store.new_id(title),
        title=title,
        today=TODAY - timedelta(days=rng.randint(0, 400)),
        team=rng.choice(_TEAMS),
        facilitator=people[0] if people else "",
        participants=people,
    )
    session.current_step = rng.choice(_STEPS)
    if rng.random() < 0.4:  # a plan in flight: more map, notes, a check-in
        for q in session.questions:
            q.status, q.answer = "answered", _NOTE
        parents = [""] + [n.id for n in session.map]
        for _ in range(rng.randint(5, 25)):
            node = MapNode(
                id=session.new_id("m"),
                title=rng.choice(_NODE_TITLES),
                parent=rng.choice(parents),
                owner=rng.choice(_PEOPLE),
                duration_days=rng.randint(3, 60),
                notes=_NOTE if rng.random() < 0.5 else "",
            )
            session.map.append(node)
            parents.append(node.id)
        outcomes = {o.id: 50.0 for o in session.future_state.outcomes}
        session.checkins.append(CheckIn(date=TODAY, values=outcomes, note=_NOTE))
        session.facilitation.parking_lot = ["Ask Finance about the budget", "Contractors?"]
    return session


TEMPLATES = 1000  # sessions made through the store; any more are copies of them


def _copy(store: Any, rng: random.Random, index: int, made: Any) -> None:
    """A copy of the file of ``made`` (a session the store wrote) under a new id, title and
    ``updated`` time: 10,000 sessions in seconds, each a valid file (the list parses them)."""
    from backplan_tui.core.storage import slugify

    title = f"{rng.choice(_VERBS)} {rng.choice(_OBJECTS)}{rng.choice(_SCOPES)} #{index}"
    session_id = f"{slugify(title)}-{index:05x}"
    text = (store.sessions_dir / f"{made.id}.toml").read_text("utf-8")
    updated = made.updated - timedelta(minutes=rng.randint(0, 400 * 24 * 60))
    replaced = text.replace(f'id = "{made.id}"', f'id = "{session_id}"', 1)
    replaced = replaced.replace(f"title = {json.dumps(made.title)}", f'title = "{title}"', 1)
    replaced = replaced.replace(
        f"updated = {made.updated.isoformat()}", f"updated = {updated.isoformat()}", 1
    )
    if replaced.count(session_id) != 1 or f'title = "{title}"' not in replaced:
        raise SystemExit(f"fixture: cannot copy {made.id} (its layout changed?)")
    (store.sessions_dir / f"{session_id}.toml").write_text(replaced, "utf-8")


def make_home(sessions: int, *, seed: int = 4, like: Path | None = None) -> Path:
    """A temp data folder with ``sessions`` realistic sessions (one of them the demo): the
    first ``TEMPLATES`` written with ``SessionStore.create`` (or copied from the folder
    ``like``, made so), the others copies of those files with their own id, title and time
    (``_copy``); the index is built once."""
    from backplan_tui.core import templates
    from backplan_tui.core.storage import SessionStore

    home = temp_dir("home")
    rng = random.Random(seed)
    started = perf_counter()
    if like is not None:
        shutil.copytree(like / "sessions", home / "sessions")
        store = SessionStore(home)
        made = [e for e in SessionStore(home).list() if e.damaged is None and e.id != "demo"]
    else:
        store = SessionStore(home)
        store.create(templates.demo_session(TODAY))
        made = [
            store.create(_realistic(store, rng, index)) for index in range(1, sessions)[:TEMPLATES]
        ]
    for index in range(1 + len(made), sessions):
        _copy(store, rng, index, made[index % len(made)])
    count_sessions(home)  # builds the index (in a child: this process stays small)
    files = list(store.sessions_dir.glob("*.toml"))
    size = sum(f.stat().st_size for f in files)
    print(
        f"fixture: {len(files)} sessions, {size / 1024:.0f} KB "
        f"(avg {size / len(files) / 1024:.1f} KB) in {home} [{perf_counter() - started:.1f} s]",
        flush=True,
    )
    return home


def home_from_args(args: argparse.Namespace) -> Path:
    if not args.home:
        args.home = make_home(args.sessions)
    return args.home


def count_sessions(home: Path) -> int:
    """``len(SessionStore(home).list())`` in a child process (the index is then current)."""
    code = "import sys\nfrom backplan_tui.core.storage import SessionStore as S\n"
    code += "print(len(S(sys.argv[1]).list()))"
    done = subprocess.run(
        [PYTHON, "-c", code, str(home)], capture_output=True, text=True, check=True, env=child_env()
    )
    return int(done.stdout)


def big_home_from_args(args: argparse.Namespace) -> Path | None:
    """The big folder (``--big-sessions``, made from the usual one), or None to skip."""
    if not args.big_sessions:
        return None
    if not args.big_home:
        args.big_home = make_home(args.big_sessions, like=home_from_args(args))
    return args.big_home


def big_session(session_id: str, nodes: int, pilots: int, *, notes: str = "") -> Any:
    """A session with ``nodes`` map nodes (a tree up to 5 deep) and ``pilots`` pilots."""
    from backplan_tui.core import templates
    from backplan_tui.core.model import MapNode, Pilot

    rng = random.Random(nodes * 1000 + pilots)
    session = templates.instantiate(
        "hr-retention",
        session_id=session_id,
        title=f"Big plan: {nodes} conditions, {pilots} pilots",
        today=TODAY,
        team="People Ops",
        participants=list(_PEOPLE[:6]),
    )
    depth = {n.id: session.depth(n.id) for n in session.map}
    while len(session.map) < nodes:
        candidates = [""] + [i for i, d in depth.items() if d < 5]
        parent = rng.choice(candidates)
        node = MapNode(
            id=session.new_id("m"),
            title=f"{rng.choice(_NODE_TITLES)} ({len(session.map) + 1})",
            parent=parent,
            owner=rng.choice(_PEOPLE),
            duration_days=rng.randint(2, 90),
            status=rng.choice(("todo", "todo", "doing", "done")),
            votes={p: 1 for p in rng.sample(_PEOPLE, rng.randint(0, 3))},
            notes=notes,
        )
        session.map.append(node)
        depth[node.id] = depth.get(parent, 0) + 1
    ids = [n.id for n in session.map]
    outcomes = [o.id for o in session.future_state.outcomes]
    while len(session.pilots) < pilots:
        start = TODAY + timedelta(days=rng.randint(-30, 90))
        session.pilots.append(
            Pilot(
                id=session.new_id("p"),
                name=f"Pilot {len(session.pilots) + 1}: {rng.choice(_NODE_TITLES).lower()}",
                hypothesis="If we do X with one team, then the metric moves by 5 points.",
                tests=rng.sample(ids, rng.randint(1, 3)),
                outcome=rng.choice(outcomes),
                metric="90-day attrition",
                owner=rng.choice(_PEOPLE),
                start=start,
                end=start + timedelta(days=42),
                success_rule="Scale if -3 pts, adjust if -1, stop otherwise",
                status=rng.choice(("planned", "running", "done")),
            )
        )
    return session
