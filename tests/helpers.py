"""What many tests share: the fixed day, and waiting on the app instead of sleeping.

``from helpers import TODAY, settle, wait_until`` works from any test (``pythonpath`` in
pyproject.toml).  Fixtures built on these (``today``, ``make_app``, ``demo_at``) are in
``tests/conftest.py``.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from datetime import date
from typing import Any

TODAY = date(2026, 11, 23)  # a Monday: the day the app is told it is, in most tests

THOROUGH = os.environ.get("BACKPLAN_THOROUGH") == "1"
"""``make test-thorough``: the generated-input tests at their full counts."""


def examples(thorough: int, quick: int) -> int:
    """How many examples a property or fuzz test draws: ``quick`` in ``make test`` (every
    run draws new ones, so coverage adds up run after run), ``thorough`` in
    ``make test-thorough``.  The merge laws always draw 500 (issue 17 asks it of CI)."""
    return thorough if THOROUGH else quick


async def settle(pilot: Any) -> None:
    """Let the app finish what the last key started: its queued messages, then any worker
    (a save, the summary build, an export), then the messages that worker posted."""
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def wait_until(
    pilot: Any, ready: Callable[[], object], what: str = "", timeout: float = 10.0
) -> None:
    """Let the app run until ``ready()`` is true: a dialog opened, a timer fired, a toast.

    Polls between idle pauses; ``timeout`` only bounds a test that would otherwise hang (it
    is generous: the machine may be loaded), it is not part of what is tested."""
    deadline = time.monotonic() + timeout
    while not ready():
        if time.monotonic() > deadline:
            raise AssertionError(f"never happened: {what or ready}")
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()


# --- the listing index (core.storage.index), read and written by the tests that edit it ----


def read_index(path: Any) -> dict[str, Any]:
    """``index.jsonl`` (a data folder or the file) as one dict: the header's keys and
    ``files``, each file's name -> its record (the line without the name), in file order."""
    import json
    from pathlib import Path

    path = Path(path)
    if path.is_dir():
        path = path / "index.jsonl"
    header, *lines = path.read_bytes().decode("ascii").splitlines()
    data: dict[str, Any] = json.loads(header)
    data["files"] = {}
    for line in lines:
        name, *record = json.loads(line)
        data["files"][name] = record
    return data


def write_index(path: Any, data: dict[str, Any]) -> None:
    """Write ``data`` (as ``read_index`` gives it, maybe edited) back as ``index.jsonl``."""
    import json
    from pathlib import Path

    path = Path(path)
    if path.is_dir():
        path = path / "index.jsonl"
    header = {key: value for key, value in data.items() if key != "files"}
    lines = [json.dumps(header)]
    for name, record in data["files"].items():  # a record that is not a list: a bad line
        lines.append(json.dumps([name, *record] if isinstance(record, list) else [name, record]))
    path.write_bytes(("\n".join(lines) + "\n").encode("ascii"))


def fill_store(store: Any, count: int, day: date, title: str = "Plan") -> list[str]:
    """``count`` blank sessions titled "<title> 0", "<title> 1" ... made through ``store``;
    their ids."""
    from backplan_tui.core import templates

    ids = []
    for n in range(count):
        name = f"{title} {n}"
        session = templates.instantiate(
            "blank", session_id=store.new_id(name), title=name, today=day
        )
        ids.append(store.create(session).id)
    return ids
