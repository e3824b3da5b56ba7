"""Sessions on disk, in rooms of one job each (no module here imports the domain's
summaries: ``core.glance``, ``core.coach``, ``core.progress``, ``core.schedule``):

- ``errors``: what the store raises (imported by all the others, importing none);
- ``layout``: folder and file names, ``valid_id``, ``slugify``;
- ``fileio``: durable writes (``write_atomic``), temp files, safe reads, low-level moves;
- ``lock``: one writer per session (``sessions/<id>.lock``) and the save's write lock;
- ``sessionfile``: bytes <-> a validated ``Session`` (through ``core.codec``);
- ``entries``: ``SessionEntry`` / ``BackupEntry`` and the ``Summarizer`` the list uses;
- ``index``: ``index.jsonl``, the listing cache (given a summarizer, never importing one);
- ``backups``: the retention policy and the backup files; ``trash``: the trash folder;
- ``store``: ``SessionStore``, the facade the app, the CLI and the tests use.

Names are re-exported here on first use (PEP 562), so importing one small room
(``core.storage.fileio`` for the settings, say) does not load the others.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from backplan_tui.core.storage.backups import Kept, age_text, keeps_backup, kept
    from backplan_tui.core.storage.entries import BackupEntry, SessionEntry, Summarizer
    from backplan_tui.core.storage.errors import (
        ConflictError,
        DamagedSessionError,
        SessionNotFound,
        SessionReadOnly,
        StoreError,
    )
    from backplan_tui.core.storage.fileio import orphaned_temp_files, write_atomic
    from backplan_tui.core.storage.layout import slugify, valid_id
    from backplan_tui.core.storage.lock import LockError, LockInfo, SessionLock, SessionLocked
    from backplan_tui.core.storage.store import SessionStore

_WHERE = {
    "Kept": "backups",
    "age_text": "backups",
    "keeps_backup": "backups",
    "kept": "backups",
    "BackupEntry": "entries",
    "SessionEntry": "entries",
    "Summarizer": "entries",
    "ConflictError": "errors",
    "DamagedSessionError": "errors",
    "SessionNotFound": "errors",
    "SessionReadOnly": "errors",
    "StoreError": "errors",
    "orphaned_temp_files": "fileio",
    "write_atomic": "fileio",
    "slugify": "layout",
    "valid_id": "layout",
    "LockError": "lock",
    "LockInfo": "lock",
    "SessionLock": "lock",
    "SessionLocked": "lock",
    "SessionStore": "store",
}

__all__ = [
    "BackupEntry",
    "ConflictError",
    "DamagedSessionError",
    "Kept",
    "LockError",
    "LockInfo",
    "SessionEntry",
    "SessionLock",
    "SessionLocked",
    "SessionNotFound",
    "SessionReadOnly",
    "SessionStore",
    "StoreError",
    "Summarizer",
    "age_text",
    "keeps_backup",
    "kept",
    "orphaned_temp_files",
    "slugify",
    "valid_id",
    "write_atomic",
]


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f"{__name__}.{module}"), name)
    globals()[name] = value  # once: the next look-up is a plain global
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_WHERE])
