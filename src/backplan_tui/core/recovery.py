"""Where unsaved edits go when the session file cannot take them and the app must end.

The app never exits with unsaved edits without writing them somewhere (issue 14.8):

1. the session file itself (the normal save, done by the caller first);
2. a copy of the session beside it (``SessionStore.save_as_copy``): a new session, listed on
   the home screen as "<title> (copy)", which is how a save that lost a race is kept;
3. a recovery file: ``<data dir>/recovery/<id>-<UTC time>.toml`` (a session file that
   ``backplan import`` takes back), else the same name in the system's temp folder.

Pure file work: no Textual, safe to call from a watchdog thread.
"""

from __future__ import annotations

import tempfile
from datetime import UTC, datetime
from pathlib import Path

from backplan_tui.core import codec
from backplan_tui.core.model import Session
from backplan_tui.core.storage import SessionStore, StoreError
from backplan_tui.core.storage.fileio import write_atomic
from backplan_tui.core.storage.layout import RECOVERY

__all__ = ["RECOVERY_DIR", "keep_edits", "recovery_file"]

RECOVERY_DIR = RECOVERY  # <data dir>/recovery/ (the storage's layout names the folders)


def recovery_file(session: Session, folder: Path, now: datetime | None = None) -> Path:
    """Write ``session`` as ``<folder>/<id>-<YYYYmmddTHHMMSSZ>.toml``; the path written."""
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = folder / f"{session.id}-{stamp}.toml"
    n = 1
    while path.exists():
        n += 1
        path = folder / f"{session.id}-{stamp}-{n}.toml"
    return write_atomic(path, codec.dumps(session))


def keep_edits(store: SessionStore, session: Session) -> tuple[Path | None, str]:
    """Keep ``session`` (unsaved edits included) somewhere other than its own file.

    Returns (where, how): the path of the copy or recovery file and a phrase for the user,
    or ``(None, reasons)`` when nothing could be written at all.
    """
    problems: list[str] = []
    try:
        copy = store.save_as_copy(session)
        return store.path_for(copy.id), f'the copy "{copy.title}"'
    except (StoreError, OSError, ValueError) as error:
        problems.append(str(error))
    for folder in (store.root / RECOVERY_DIR, Path(tempfile.gettempdir()) / "backplan-recovery"):
        try:
            return recovery_file(session, folder), "a recovery file"
        except (OSError, ValueError) as error:
            problems.append(str(error))
    return None, "; ".join(problems)
