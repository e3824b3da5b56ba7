"""The data folder and its own folders: checked when a store starts (nothing is created),
made (0700) or tightened when something is written there, flushed after a rename.

Problems that do not stop the work (a folder that could not be made private, a directory
fsync the file system refuses, a backup that could not be kept) are collected in
``warnings`` and logged, never raised.
"""

from __future__ import annotations

import os
from pathlib import Path

from backplan_tui.core.paths import check_private_dir, ensure_dir
from backplan_tui.core.storage.errors import StoreError
from backplan_tui.core.storage.fileio import fsync_dir, orphaned_temp_files, reason

__all__ = ["LOGGER", "Folders"]

LOGGER = "backplan.store"  # logging is imported on the first warning, not at start-up


class Folders:
    """``<data dir>`` with ``sessions/``, ``trash/`` and ``backups/``."""

    def __init__(self, root: Path, sessions_dir: Path, trash_dir: Path, backups_dir: Path):
        self.root = root
        self.sessions_dir = sessions_dir
        self.trash_dir = trash_dir
        self.backups_dir = backups_dir
        self.warnings: list[str] = []  # one line each, each once

    def warn(self, message: str) -> None:
        if message not in self.warnings:
            self.warnings.append(message)
            import logging

            logging.getLogger(LOGGER).warning("%s", message)

    def check(self) -> None:
        """Warn about folders others can use, or that are symbolic links."""
        for warning in check_private_dir(self.root, "data folder"):
            self.warn(warning)
        for directory, label in (
            (self.sessions_dir, "sessions folder"),
            (self.trash_dir, "trash folder"),
            (self.backups_dir, "backups folder"),
        ):
            if os.path.islink(directory):
                self.warn(
                    f"the {label} {directory} is a symbolic link; backplan will not write there"
                )
                continue
            for warning in check_private_dir(directory, label):
                self.warn(warning)

    def clean_temp_files(self) -> list[Path]:
        """Remove temp files left by saves that never finished (``orphaned_temp_files``)."""
        removed: list[Path] = []
        if os.path.islink(self.sessions_dir):
            return removed
        for directory in (self.sessions_dir, self.root):
            for path in orphaned_temp_files(directory):
                try:
                    os.unlink(path)
                except OSError:
                    continue
                removed.append(path)
        return removed

    def private_dir(self, path: Path) -> Path:
        """Create (0700) or tighten one of the store's folders; a symlink there is refused."""
        try:
            ensure_dir(self.root)
            current = self.root
            for part in path.relative_to(self.root).parts:  # no symlink on the way down
                current = ensure_dir(current / part, allow_symlink=False)
            return current
        except OSError as err:
            where = err.filename or path
            raise StoreError(f"cannot use the folder {where}: {reason(err)}") from err

    def flush(self, *directories: Path) -> None:
        for directory in directories:
            warning = fsync_dir(directory)
            if warning:
                self.warn(warning)
