"""Where things are in the data folder, and which names are allowed there.

::

    <data dir>/
        index.jsonl             the listing cache (``core.storage.index``), and
        index.glances           each session's glance, read by offset
        sessions/<id>.toml      one session per file
        sessions/<id>.lock      who has the session open (``core.storage.lock``)
        sessions/.<id>.write    held by a save around its check-and-replace
        trash/<id>.<UTC stamp>.toml
        backups/<id>/<revision>.toml, damaged-<stamp>.toml, pre-migration-v<N>.toml
        recovery/               edits kept when a save failed (``core.recovery``)

Nothing here touches the disk.
"""

from __future__ import annotations

import os
import re
import unicodedata
from datetime import UTC, datetime
from pathlib import Path

from backplan_tui.core.textclean import clean_line

__all__ = [
    "BACKUPS",
    "GLANCES_NAME",
    "INDEX_NAME",
    "OLD_INDEX_NAME",
    "LOCK_SUFFIX",
    "RECOVERY",
    "SESSIONS",
    "SUFFIX",
    "TRASH",
    "WRITE_LOCK_SUFFIX",
    "session_file_name",
    "slugify",
    "valid_id",
]

SESSIONS = "sessions"
TRASH = "trash"
BACKUPS = "backups"
RECOVERY = "recovery"
INDEX_NAME = "index.jsonl"
OLD_INDEX_NAME = "index.json"  # version 7 and before: removed when a new index is written
GLANCES_NAME = "index.glances"
SUFFIX = ".toml"
LOCK_SUFFIX = ".lock"  # sessions/<id>.lock: who has the session open
WRITE_LOCK_SUFFIX = ".write"  # sessions/.<id>.write: held by a save around check-and-replace
FILE_MODE = 0o600
SLUG_MAX = 40
MAX_ID_LENGTH = 200
STAMP_FORMAT = "%Y%m%dT%H%M%SZ"
TRASH_STAMP = re.compile(r"\d{8}T\d{6}Z(-\d+)?")


def session_file_name(name: str) -> bool:
    """``name`` can be a session file's in the sessions folder (a name read from the index
    may be anything): ".toml" after something, not hidden, no folder in it, no NUL."""
    return (
        name.endswith(SUFFIX)
        and len(name) > len(SUFFIX)
        and name[:1] != "."
        and "/" not in name
        and "\0" not in name
    )


def valid_id(session_id: object) -> bool:
    """Whether ``session_id`` can name a file in the sessions folder."""
    return (
        isinstance(session_id, str)
        and 0 < len(session_id) <= MAX_ID_LENGTH
        and session_id == session_id.strip()
        and session_id == clean_line(session_id)
        and not session_id.startswith(".")
        and not any(sep in session_id for sep in ("/", "\\", os.sep, os.altsep or "/"))
    )


def slugify(title: str) -> str:
    """Lower-case ASCII words of ``title`` joined by "-", at most 40 characters."""
    ascii_text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode("ascii")
    slug = ""
    for word in re.findall(r"[a-z0-9]+", ascii_text.lower()):
        candidate = f"{slug}-{word}" if slug else word
        if len(candidate) > SLUG_MAX:
            slug = slug or word[:SLUG_MAX]
            break
        slug = candidate
    return slug or "session"


def session_file(sessions_dir: Path, session_id: str) -> Path:
    """``sessions/<id>.toml`` (the id is not checked here)."""
    return sessions_dir / f"{session_id}{SUFFIX}"


def write_lock_file(sessions_dir: Path, session_id: str) -> Path:
    return sessions_dir / f".{session_id}{WRITE_LOCK_SUFFIX}"


def stamp() -> str:
    """Now, UTC, as the trash and the damaged backups name files: ``20261202T051500Z``."""
    return datetime.now(UTC).strftime(STAMP_FORMAT)
