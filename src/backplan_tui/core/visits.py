"""What each person last saw of a session, for the "since your last visit" panel.

``<data dir>/seen/<login>/<session id>.toml`` is a copy of the session as this person last
left it (written when the app opens a session and when it closes it).  On the next open,
``progress.changes_since(that copy, the file now)`` lists what other people, other processes
or other machines changed in between: dates that slipped, KPIs that moved, items done, new
adjustments.

Decisions:

- **Beside the sessions, one folder per login**, not inside the session file: a session in a
  shared team folder is read by several people, each with their own "last visit", and opening
  a session must never write to it (a read-only viewer included).
- **A whole copy, not a revision number**: the store keeps 10 backups, so an old revision may
  be gone by the time someone comes back after months.
- **Best effort**: the copy is a convenience.  A copy that cannot be read or written is
  ignored (no panel this time), never an error that stops a session from opening.

Pure core: no Textual.
"""

from __future__ import annotations

import contextlib
import getpass
import hashlib
import os
import re
from datetime import UTC, datetime
from pathlib import Path

from backplan_tui.core import codec
from backplan_tui.core.model import Session
from backplan_tui.core.paths import ensure_dir
from backplan_tui.core.storage.fileio import write_atomic

SEEN_DIR = "seen"
MAX_SEEN_BYTES = codec.MAX_FILE_BYTES
_SAFE = re.compile(r"[A-Za-z0-9._-]{1,64}")


def login_name() -> str:
    """This person's login as a folder name: kept when it is plain, else a short hash."""
    try:
        name = getpass.getuser()
    except (KeyError, OSError, ImportError):  # no passwd entry, no LOGNAME/USER
        name = str(os.getuid()) if hasattr(os, "getuid") else "user"
    if _SAFE.fullmatch(name) and name not in (".", ".."):
        return name
    return "user-" + hashlib.sha256(name.encode("utf-8", "replace")).hexdigest()[:12]


class Visits:
    """The last-seen copies of one data folder, for one person."""

    def __init__(self, root: Path, user: str | None = None) -> None:
        self.root = Path(root)
        self.user = user if user is not None else login_name()
        self.folder = self.root / SEEN_DIR / self.user

    def path(self, session_id: str) -> Path:
        return self.folder / f"{session_id}.toml"

    def last_seen(self, session_id: str) -> tuple[Session, datetime] | None:
        """The session as this person last left it, and when; None if there is no usable copy."""
        path = self.path(session_id)
        try:
            if path.is_symlink() or not path.is_file():
                return None
            info = path.stat()
            if info.st_size > MAX_SEEN_BYTES:
                return None
            session = codec.loads(path.read_text("utf-8"), allow_newer=True)
        except (OSError, UnicodeDecodeError, codec.CodecError, RecursionError):
            return None
        return session, datetime.fromtimestamp(info.st_mtime, UTC)

    def remember(self, session: Session) -> bool:
        """Keep ``session`` as this person's last view of it; False when it cannot be kept."""
        from backplan_tui.core.storage import orphaned_temp_files

        try:
            ensure_dir(self.root / SEEN_DIR, allow_symlink=False)
            ensure_dir(self.folder, allow_symlink=False)
            for orphan in orphaned_temp_files(self.folder):  # a write cut short (kill -9)
                with contextlib.suppress(OSError):
                    os.unlink(orphan)
            write_atomic(self.path(session.id), codec.dumps(session))
        except (OSError, codec.CodecError):
            return False
        return True

    def changes(self, session: Session) -> tuple[list[str], datetime | None]:
        """What changed since this person last left ``session`` (one line each), and when that
        was; ``([], None)`` on a first visit."""
        from backplan_tui.core.progress import changes_since

        seen = self.last_seen(session.id)
        if seen is None:
            return [], None
        old, when = seen
        return changes_since(old, session), when
