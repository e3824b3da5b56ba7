"""The listing index of an earlier version, made into this one's records (``core.storage.index``).

Version 7 kept the same records as version 8 in one JSON document, ``index.json`` (its
``files`` object), and its glances in the same ``index.glances``; version 8 adds each record's
brief (``Summarizer.brief``: what ``backplan list`` prints).  Upgrading reads the brief off
each glance instead of parsing every session file again (10,000 of them: half a minute on
the first start after the upgrade).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from backplan_tui.core.storage.entries import Summarizer
from backplan_tui.core.storage.errors import Damage
from backplan_tui.core.storage.fileio import read_small
from backplan_tui.core.storage.glances import Glances
from backplan_tui.core.storage.records import INDEX_FORMAT, RECORD_LENGTH, Stored

__all__ = ["version_7"]


def version_7(
    path: Path, glances_path: Path, summarizer: Summarizer
) -> tuple[dict[str, Stored], Glances] | None:
    """The records of version 7's index at ``path``, each with its brief added, and the
    glances they point into; None when there is none, or it is not as written, not this
    user's own private file (as the index itself must be), or of another summarizer.  A
    record not as written is left out: its file is parsed again."""
    if not path.exists():
        return None
    try:
        data = json.loads(read_small(path, private=True))
    except (OSError, ValueError, Damage, RecursionError):
        return None
    if (
        type(data) is not dict
        or data.get("format") != INDEX_FORMAT
        or data.get("version") != 7
        or type(data.get("files")) is not dict
        or type(data.get("glances")) is not str
        or data.get("summaries") != summarizer.start
    ):
        return None
    glances = Glances.open(glances_path, data["glances"])
    if glances is None:
        return None
    records: dict[str, Stored] = {}
    for name, record in data["files"].items():
        if type(record) is not list or len(record) != RECORD_LENGTH - 1:
            continue
        brief: Any = None
        if record[8] is None:  # a readable file's: the brief of its glance
            at, length = record[13], record[14]
            text = glances.text(at, length) if type(at) is int and type(length) is int else None
            if text is None:
                continue
            brief = summarizer.brief(text)
        records[name] = [*record, brief]
    return records, glances
