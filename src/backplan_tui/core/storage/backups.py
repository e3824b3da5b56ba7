"""Which backups to keep (the policy), and the files that hold them (``BackupFiles``).

No clock (``now`` is always passed in), no Textual, no files: the store keeps and prunes the
files (``SessionStore._keep_backup`` / ``prune_backups``); this module decides.  What each
backup changed in the plan (``describe_changes``, ``history``) is the domain's
(``core.history``): the storage knows nothing of plans.

Retention (``kept``), for the revision backups of one session, by when each was saved:

- **every** backup saved in the last hour (``EVERY_FOR``);
- the newest backup of each clock hour (UTC) for backups 1 to 48 hours old (``HOURLY_FOR``);
- the newest backup of each day (UTC) for backups 2 to 60 days old (``DAILY_FOR``);
- and, whatever their age, the newest ``FLOOR`` (10): a session left alone for months still
  has its last versions.

"Newest of its hour/day" is decided among all the backups of that hour or day, so a choice
never changes as time passes: a backup dropped is never needed again later.  The whole set is
bounded: at most ``MAX_COUNT`` (200) files and ``MAX_BYTES`` (20 MB) per session.  When the
bound bites, the floor goes first, then the hourly and daily ones (newest first), then the
rest of the last hour (newest first); the newest backup is always kept.  Backups older than
60 days and past the floor are removed.

A save that changes nothing but ``current_step`` (paging through the steps) and the
bookkeeping ``updated`` / ``revision`` keeps no backup (``keeps_backup``).

Files: before a save replaces a session file, the old version is kept (a hard link, so no
copy and no temp file; a private copy when the file has other names or another mode) as
``backups/<id>/<revision>.toml``; a file of an older schema is also kept once as
``pre-migration-v<N>.toml``; a damaged file that ``restore`` replaces is kept as
``damaged-<UTC stamp>.toml`` (a symlink stays a symlink, never followed).  ``BackupFiles``
does that for the store, which gives it its folders and how to make one private, warn and
flush (it raises ``StoreError`` only where the store's own method did).
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from backplan_tui.core.basics import SCHEMA_VERSION
from backplan_tui.core.storage.entries import BackupEntry
from backplan_tui.core.storage.errors import (
    Damage,
    DamagedSessionError,
    SessionNotFound,
    StoreError,
)
from backplan_tui.core.storage.fileio import (
    move_no_clobber,
    read_any,
    read_small,
    reason,
    remove_quietly,
    same_inode,
    write_temp,
)
from backplan_tui.core.storage.layout import FILE_MODE, SUFFIX, stamp
from backplan_tui.core.storage.sessionfile import parse

if TYPE_CHECKING:
    from backplan_tui.core.model import Session

__all__ = [
    "BackupFiles",
    "DAILY_FOR",
    "EVERY_FOR",
    "FLOOR",
    "HOURLY_FOR",
    "MAX_BYTES",
    "MAX_COUNT",
    "Kept",
    "age_text",
    "keeps_backup",
    "kept",
]

EVERY_FOR = timedelta(hours=1)
HOURLY_FOR = timedelta(hours=48)
DAILY_FOR = timedelta(days=60)
FLOOR = 10
MAX_COUNT = 200
MAX_BYTES = 20 * 1024 * 1024

# A top-level line the store rewrites on every save, or that a change of step alone rewrites.
_BOOKKEEPING = re.compile(
    rb"^(?:updated = \d{4}-\d\d-\d\d[ T][0-9:.]+(?:Z|[+-]\d\d:\d\d)?|revision = \d+|"
    rb'current_step = "[a-z_]*")$'
)


@dataclass(frozen=True)
class Kept:
    """One revision backup as retention sees it: a key (anything hashable), when, how big."""

    key: object
    saved: datetime
    size: int


def _content(data: bytes) -> list[bytes]:
    """The file's lines without the bookkeeping lines of its top-level table."""
    lines = data.split(b"\n")
    out: list[bytes] = []
    top = True
    for line in lines:
        if top and line.startswith(b"["):
            top = False
        if top and _BOOKKEEPING.match(line):
            continue
        out.append(line)
    return out


def keeps_backup(old: bytes, new: bytes) -> bool:
    """Whether replacing ``old`` by ``new`` is worth a backup of ``old``: anything but the
    step on screen (and ``updated`` / ``revision``) differs.  Any doubt keeps one."""
    if len(old) - len(new) not in range(-64, 65):  # the three lines differ by a few bytes
        return True
    return _content(old) != _content(new)


def _utc(when: datetime) -> datetime:
    return when.astimezone(UTC) if when.tzinfo else when.replace(tzinfo=UTC)


def kept(backups: Sequence[Kept], now: datetime) -> set[object]:
    """The keys of the backups to keep at ``now`` (see the module docstring)."""
    now = _utc(now)
    newest_first = sorted(backups, key=lambda b: _utc(b.saved), reverse=True)
    recent: list[Kept] = []  # the last hour, every one
    tiered: list[Kept] = []  # newest of its hour or day
    seen_hours: set[tuple[int, int, int, int]] = set()
    seen_days: set[tuple[int, int, int]] = set()
    for backup in newest_first:
        saved = _utc(backup.saved)
        age = now - saved
        hour = (saved.year, saved.month, saved.day, saved.hour)
        day = (saved.year, saved.month, saved.day)
        newest_of_hour = hour not in seen_hours
        newest_of_day = day not in seen_days
        seen_hours.add(hour)
        seen_days.add(day)
        if age <= EVERY_FOR:
            recent.append(backup)
        elif age <= HOURLY_FOR:
            if newest_of_hour:
                tiered.append(backup)
        elif age <= DAILY_FOR and newest_of_day:
            tiered.append(backup)
    order = newest_first[:FLOOR] + tiered + recent
    chosen: set[object] = set()
    count = total = 0
    for backup in order:
        if backup.key in chosen:
            continue
        if chosen and (count + 1 > MAX_COUNT or total + backup.size > MAX_BYTES):
            continue
        chosen.add(backup.key)
        count += 1
        total += backup.size
    return chosen


def age_text(saved: datetime, now: datetime) -> str:
    """ "just now", "12 min ago", "3 h ago" (same day), "yesterday", "41 days ago" (calendar
    days in ``now``'s time zone)."""
    saved_here = saved.astimezone(now.tzinfo) if now.tzinfo and saved.tzinfo else saved
    seconds = (now - saved_here).total_seconds()
    if seconds < 0:
        return "in the future"
    days = (now.date() - saved_here.date()).days
    if days == 0:
        if seconds < 60:
            return "just now"
        if seconds < 3600:
            return f"{int(seconds // 60)} min ago"
        return f"{int(seconds // 3600)} h ago"
    if days == 1:
        return "yesterday"
    return f"{days} days ago"


# --- the files -------------------------------------------------------------------------------

_BACKUP_REVISION = re.compile(r"(?P<revision>\d{1,19})(?:-(?P<n>\d{1,6}))?\.toml")
_BACKUP_DAMAGED = re.compile(r"damaged-\d{8}T\d{6}Z(?:-\d+)?\.toml")
_BACKUP_MIGRATION = re.compile(r"pre-migration-v(?P<version>\d{1,6})(?:-\d+)?\.toml")


class BackupFiles:
    """``backups/<id>/`` of every session: keep, list and prune the files."""

    def __init__(
        self,
        backups_dir: Path,
        sessions_dir: Path,
        *,
        folder_for: Callable[[str], Path],
        private_dir: Callable[[Path], Path],
        warn: Callable[[str], None],
        flush: Callable[..., None],
    ) -> None:
        self.backups_dir = backups_dir
        self.sessions_dir = sessions_dir  # where a copy is written first (as a temp file)
        self.folder_for = folder_for  # backups/<id> (checks the id)
        self.private_dir = private_dir
        self.warn = warn
        self.flush = flush

    def keep(
        self, session_id: str, path: Path, data: bytes, revision: int, schema_version: int
    ) -> None:
        """Keep the file about to be replaced (``data``: its bytes, of that revision and
        schema) in ``backups/<id>/``.  Never raises: a backup that cannot be kept is a
        warning, and the save goes on."""
        try:
            directory = self.private_dir(self.folder_for(session_id))
            self._keep_file(path, data, directory, str(revision))
            if schema_version < SCHEMA_VERSION and not any(
                _BACKUP_MIGRATION.fullmatch(name) for name in os.listdir(directory)
            ):
                self._keep_file(path, data, directory, f"pre-migration-v{schema_version}")
        except (OSError, StoreError) as err:
            self.warn(
                f"could not keep a backup of session {session_id!r} before saving "
                f"({reason(err)}); the save went ahead"
            )

    def _keep_file(self, path: Path, data: bytes, directory: Path, stem: str) -> Path:
        """``path`` (whose bytes are ``data``) as ``directory/<stem>.toml`` (or
        ``<stem>-<n>.toml`` when taken by other content): a hard link, else a copy."""
        n = 1
        while True:
            target = directory / (f"{stem}{SUFFIX}" if n == 1 else f"{stem}-{n}{SUFFIX}")
            try:
                os.link(path, target, follow_symlinks=False)
            except FileExistsError:
                if same_inode(path, target) or _has_bytes(target, data):
                    return target  # already kept (a save that failed after keeping it)
                n += 1
                continue
            except (OSError, NotImplementedError):
                return self._copy_file(path, data, target)
            # Never chmod through the link: the inode may have other names (the session file
            # hard-linked from elsewhere) whose mode is not ours to change.  A file that is not
            # already private, or that has names besides these two, is kept as a copy.
            info = os.lstat(target)
            if info.st_nlink > 2 or stat.S_IMODE(info.st_mode) != FILE_MODE:
                os.unlink(target)
                return self._copy_file(path, data, target)
            return target

    def _copy_file(self, source: Path, data: bytes, target: Path) -> Path:
        """No hard links on this file system: a copy (same mtime), made in sessions/ as one of
        our temp files and moved into place, so a crash leaves nothing half-written."""
        written = write_temp(self.sessions_dir, source.name, data)
        tmp: Path | None = written
        try:
            info = os.lstat(source)
            os.utime(written, ns=(info.st_atime_ns, info.st_mtime_ns))
            stem = target.name[: -len(SUFFIX)]
            n = 1
            while True:
                try:
                    move_no_clobber(written, target)
                except FileExistsError:
                    n += 1
                    target = target.with_name(f"{stem}-{n}{SUFFIX}")
                    continue
                tmp = None
                return target
        finally:
            remove_quietly(tmp)

    def files(self, session_id: str) -> list[tuple[int, BackupEntry, int]]:
        """(mtime_ns, entry, n) for each file in ``backups/<id>/``, newest first; unknown
        names skipped."""
        directory = self.folder_for(session_id)
        if os.path.islink(self.backups_dir) or os.path.islink(directory):
            return []
        try:
            items = list(os.scandir(directory))
        except OSError:
            return []
        found: list[tuple[int, BackupEntry, int]] = []
        for item in items:
            name = item.name
            revision: int | None = None
            n = 0
            match = _BACKUP_REVISION.fullmatch(name)
            if match:
                kind = "revision"
                revision = int(match["revision"])
                n = int(match["n"] or 1)
            elif _BACKUP_DAMAGED.fullmatch(name):
                kind = "damaged"
            elif _BACKUP_MIGRATION.fullmatch(name):
                kind = "pre-migration"
            else:
                continue
            try:
                if not item.is_file(follow_symlinks=False):
                    continue
                info = item.stat(follow_symlinks=False)
            except OSError:
                continue
            saved = datetime.fromtimestamp(info.st_mtime, UTC).replace(microsecond=0)
            entry = BackupEntry(revision, saved, Path(item.path), info.st_size, kind)
            found.append((info.st_mtime_ns, entry, n))
        found.sort(key=lambda f: (f[0], -1 if f[1].revision is None else f[1].revision, f[2]))
        found.reverse()
        return found

    def prune(self, session_id: str, now: datetime) -> list[Path]:
        """Remove the revision backups ``kept`` no longer keeps at ``now``; returns them."""
        revisions = [e for _, e, _ in self.files(session_id) if e.kind == "revision"]
        keep = kept([Kept(e.path, e.saved or now, e.size) for e in revisions], now)
        removed = []
        for entry in revisions:
            if entry.path not in keep:
                remove_quietly(entry.path)
                removed.append(entry.path)
        return removed

    def first_readable(
        self,
        session_id: str,
        revision: int | None,
        files: list[tuple[int, BackupEntry, int]],
    ) -> Session:
        """The session in the newest readable revision backup among ``files`` (``revision``:
        in that one, or ``DamagedSessionError``); what ``restore`` saves."""
        candidates = [
            entry
            for _, entry, _ in files
            if entry.kind == "revision" and (revision is None or entry.revision == revision)
        ]
        if not candidates:
            if revision is None:
                raise SessionNotFound(f"session {session_id!r} has no backups")
            raise SessionNotFound(f"session {session_id!r} has no backup of revision {revision}")
        problems: list[str] = []
        for entry in candidates:
            try:
                return parse(read_small(entry.path))
            except FileNotFoundError:
                problems.append(f"{entry.path.name}: gone")
            except Damage as damage:
                if revision is not None:
                    raise DamagedSessionError(
                        entry.path, damage.reason, "not restoring it"
                    ) from None
                problems.append(f"{entry.path.name}: {damage.reason}")
        raise StoreError(f"no backup of session {session_id!r} can be read ({'; '.join(problems)})")

    def ids(self) -> set[str]:
        """Ids that have a folder in ``backups/`` (one listing, not one per session)."""
        if os.path.islink(self.backups_dir):
            return set()
        try:
            return {
                item.name
                for item in os.scandir(self.backups_dir)
                if item.is_dir(follow_symlinks=False)
            }
        except OSError:
            return set()

    def has_revision(self, session_id: str) -> bool:
        return any(e.kind == "revision" for _, e, _ in self.files(session_id))

    def keep_damaged(self, session_id: str, path: Path) -> Path:
        """Keep the damaged file at ``path`` as ``backups/<id>/damaged-<UTC stamp>.toml``
        (a hard link, else a copy; a symlink stays a symlink, never followed).  The file in
        ``sessions/`` is left where it is: the restore replaces it afterwards."""
        try:
            directory = self.private_dir(self.folder_for(session_id))
            when = stamp()
            n = 1
            while True:
                unique = when if n == 1 else f"{when}-{n}"
                target = directory / f"damaged-{unique}{SUFFIX}"
                if os.path.lexists(target):
                    n += 1
                    continue
                try:
                    os.link(path, target, follow_symlinks=False)
                except FileExistsError:
                    n += 1
                    continue
                except (OSError, NotImplementedError):  # no hard links here: a copy
                    self._copy_damaged(path, target)
                break
        except OSError as err:
            raise StoreError(
                f"could not keep a copy of the damaged session file {path}: {reason(err)}; "
                "not restoring"
            ) from err
        self.flush(directory)
        return target

    def _copy_damaged(self, path: Path, target: Path) -> None:
        if stat.S_ISLNK(os.lstat(path).st_mode):
            os.symlink(os.readlink(path), target)
            return
        self._copy_file(path, read_any(path), target)


def _has_bytes(path: Path, data: bytes) -> bool:
    try:
        return read_small(path) == data
    except (OSError, Damage):
        return False
