"""``index.json``: the listing cache, so that ``list()`` parses only new or changed files.

The index is only a cache: it is never trusted over the file it describes, and deleting it
is always safe.  It is read on every start, so it is built to be read fast: ``{"format":
"backplan-index", "version": 6, "files": {"<id>.toml": RECORD, ...}}`` where each RECORD is
one JSON array of 13 items::

    [size, mtime_ns, inode, title, team, current_step, updated, revision, damaged, read_only,
     glance, ctime_ns, uid]

``size``, ``mtime_ns``, ``inode``, ``ctime_ns`` and ``uid`` are the file's ``lstat`` when it
was read: any change in one and the file is parsed again.  Checking a record needs only the
``lstat`` that listing the folder makes anyway: no file is opened (issue 21: 10,000 sessions).
``ctime_ns`` is what catches a file rewritten in place with its size and mtime put back
(``os.utime`` can set the mtime, never the ctime: any write or ``utime`` moves it to now);
``uid`` catches a file put there by another user.  ``updated`` is ISO 8601 text with a UTC
offset; ``glance`` is the summarizer's text (``Summarizer.text``: compact JSON in a string
that starts with the day it was made), read only when shown.  Integers are never booleans.  A
readable file's record has text in ``updated`` and ``glance``, ``damaged`` null and
``read_only`` text or null; a damaged file's has the reason in ``damaged``, empty texts,
revision 0 and nulls elsewhere.  A record of any other shape or with other values is not as
written: that file alone is parsed again.  An index of another version is rebuilt (version 5
kept a sha256 of each file's first 4 KB instead of ``ctime_ns`` and ``uid``, which cost a read
of every file on every start).

Whoever can write the index could forge a record (with the right stat too).  So the index is
trusted only when it is the current user's own file that no other user can write
(``own_private``); one that is not (a shared folder where someone else replaced it) is
ignored and rebuilt, and what the list shows comes from the session files.

The storage knows nothing of plans: the glance is made by the ``Summarizer`` it is given.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from datetime import date, datetime
from operator import attrgetter
from pathlib import Path
from typing import Any

from backplan_tui.core.basics import SCHEMA_VERSION
from backplan_tui.core.storage.backups import BackupFiles
from backplan_tui.core.storage.entries import SessionEntry, Summarizer
from backplan_tui.core.storage.errors import Damage, SessionNotFound, StoreError
from backplan_tui.core.storage.fileio import read_small, remove_quietly, scan_files, write_temp
from backplan_tui.core.storage.layout import INDEX_NAME, SUFFIX
from backplan_tui.core.storage.sessionfile import load_file

__all__ = ["INDEX_FORMAT", "INDEX_VERSION", "Index", "Listing", "resolve", "sort_entries"]

INDEX_FORMAT = "backplan-index"
# 3: each record holds the session's glance (health, risks, dated items); 4: each record is
# one array, the glance in it one string (read in half the time; see the module docstring)
# 5: each record ends with a digest of the file's first 4 KB, and the index is trusted only
# when it is this user's own private file; 6: the digest gives way to the file's ctime and
# owner (stat only: no file is read to check its record)
INDEX_VERSION = 6
RECORD_LENGTH = 13  # items in a record (see the module docstring)
Record = list[Any]
_BY_ID = attrgetter("id")
_BY_UPDATED = attrgetter("updated")

# making a listed entry without its constructor (see ``Index.entries``)
_new = object.__new__
_set = object.__setattr__


def _by_mtime(item: tuple[str, os.stat_result]) -> int:
    return item[1].st_mtime_ns  # a pending file: (name, lstat)


class Index:
    """The index of one data folder's ``sessions/``."""

    def __init__(self, root: Path, sessions_dir: Path, backups: BackupFiles) -> None:
        self.path = root / INDEX_NAME
        self.root = root
        self.sessions_dir = sessions_dir
        self.backups = backups

    def entries(
        self, summarizer: Summarizer, *, today: date, refresh: bool = False
    ) -> list[SessionEntry]:
        """Every session file, newest ``updated`` first; damaged ones last (see
        ``SessionStore.list``).  With a current index: read ``index.json``, lstat each file
        (the folder's listing does), check each record (shape, stat), make the entries."""
        listing = self.listing(summarizer, today=today, refresh=refresh)
        listing.read(len(listing.pending))
        listing.finish()
        return sort_entries(listing.entries)

    def listing(self, summarizer: Summarizer, *, today: date, refresh: bool = False) -> Listing:
        """The entries the index has current records for, and the files left to parse
        (``Listing.pending``, newest first), for a caller that reads them in batches."""
        current = summarizer.prefix(today)  # how a glance made today starts (no parse needed)
        start = summarizer.start
        index = self.read()
        cached: dict[str, Any] = index or {}
        files = scan_files(self.sessions_dir, SUFFIX)
        listing = Listing(self, summarizer, today, cached, changed=index is None)
        listing.with_backups = self.backups.ids() if files else set()
        records, pending, add = listing.records, listing.pending, listing.add
        parse = datetime.fromisoformat
        for name, info in files:
            # The record is used only if it is exactly as written (the shapes in the module
            # docstring) and for this very file (its stat); else this one file is parsed again.
            record: Any = cached.get(name)
            updated: datetime | None = None
            usable = False
            if type(record) is list and len(record) == RECORD_LENGTH:
                (
                    size,
                    mtime_ns,
                    inode,
                    title,
                    team,
                    step,
                    text,
                    revision,
                    damaged,
                    ro,
                    glance,
                    ctime_ns,
                    uid,
                ) = record
                usable = (
                    type(size) is int  # never a bool or a float, which compare equal
                    and size == info.st_size
                    and type(mtime_ns) is int
                    and mtime_ns == info.st_mtime_ns
                    and type(inode) is int
                    and inode == info.st_ino
                    and type(ctime_ns) is int
                    and ctime_ns == info.st_ctime_ns
                    and type(uid) is int
                    and uid == info.st_uid
                    and type(title) is str
                    and type(team) is str
                    and type(step) is str
                    and type(revision) is int
                    and revision >= 0
                    and (
                        (  # a readable file: "updated" text with an offset, a glance
                            type(text) is str
                            and damaged is None
                            and (ro is None or type(ro) is str)
                            and type(glance) is str
                            and glance.startswith(start)
                        )
                        or (  # a damaged file: the reason and nothing else
                            text is None
                            and type(damaged) is str
                            and ro is None
                            and glance is None
                            and not (title or team or step or revision)
                        )
                    )
                )
                if usable and text is not None:
                    try:
                        updated = parse(text)
                    except ValueError:
                        usable = False
                    else:
                        usable = updated.tzinfo is not None
                    if refresh and usable and not glance.startswith(current):
                        usable = False  # computed on another day: parse it again, as asked
            if usable:
                records[name] = record
                add(name, record, updated)
                if text is not None and not glance.startswith(current):
                    listing.stale += 1
            else:
                pending.append((name, info))
        # newest files first: a first start shows the sessions worked on lately soonest
        pending.sort(key=_by_mtime, reverse=True)
        return listing

    @staticmethod
    def record(
        path: Path, info: os.stat_result, today: date, summarize: Callable[[Any, date], str]
    ) -> tuple[Record, datetime | None]:
        """Parse one file: (its record, with the glance on ``today``; its ``updated``)."""
        size, mtime, inode = info.st_size, info.st_mtime_ns, info.st_ino
        owner = [info.st_ctime_ns, info.st_uid]
        try:
            session, _ = load_file(path, allow_newer=True)
        except FileNotFoundError:
            reason = "the file disappeared while it was being read"
            return [size, mtime, inode, "", "", "", None, 0, reason, None, None, *owner], None
        except Damage as damage:
            reason = damage.reason
            return [size, mtime, inode, "", "", "", None, 0, reason, None, None, *owner], None
        read_only = None
        if session.schema_version > SCHEMA_VERSION:
            read_only = (
                f"written by a newer backplan (schema {session.schema_version}; this version "
                f"reads up to {SCHEMA_VERSION})"
            )
        record = [
            size,
            mtime,
            inode,
            session.title,
            session.team,
            session.current_step,
            session.updated.isoformat(),
            session.revision,
            None,
            read_only,
            summarize(session, today),
            *owner,
        ]
        return record, session.updated

    def read(self) -> dict[str, Any] | None:
        """The records by file name, not yet checked (``entries`` checks each one it uses);
        None when there is no usable index.  Never an error: a cache to rebuild."""
        try:
            text = read_small(self.path, private=True).decode("utf-8")  # the bytes go now
            data = json.loads(text)  # (a peak of text + objects, not bytes + text + objects)
        except (OSError, ValueError, Damage, RecursionError):
            return None
        del text
        if (
            type(data) is not dict
            or data.get("format") != INDEX_FORMAT
            or data.get("version") != INDEX_VERSION
            or type(data.get("files")) is not dict
        ):
            return None
        files: dict[str, Any] = data["files"]
        return files

    def write(self, records: dict[str, Record]) -> None:
        """Best effort: the index is a cache, so failing to write it is not an error."""
        payload = {"format": INDEX_FORMAT, "version": INDEX_VERSION, "files": records}
        # a cache: compact
        data = (json.dumps(payload, separators=(",", ":")) + "\n").encode("utf-8")
        tmp: Path | None = None
        try:
            tmp = write_temp(self.root, INDEX_NAME, data)
            os.replace(tmp, self.path)
            tmp = None
        except OSError:
            pass
        finally:
            remove_quietly(tmp)


def sort_entries(entries: list[SessionEntry]) -> list[SessionEntry]:
    """Newest ``updated`` first, equal times by id; damaged ones (no time) last, by id."""
    entries = sorted(entries, key=_BY_ID)
    dated = [e for e in entries if e.updated is not None]
    dated.sort(key=_BY_UPDATED, reverse=True)  # stable: equal times keep the id order
    if len(dated) < len(entries):
        dated += [e for e in entries if e.updated is None]
    return dated


class Listing:
    """One listing of the folder in progress (``Index.listing``): ``entries`` made from
    current records so far (unsorted), ``pending`` the files still to parse (name, lstat),
    newest first, ``stale`` how many entries have a glance of another day.  ``read(n)``
    parses the next ``n`` and returns their entries; ``finish()`` writes the index when
    anything changed.  Not shared between threads: one reads it."""

    def __init__(
        self,
        index: Index,
        summarizer: Summarizer,
        today: date,
        cached: dict[str, Any],
        *,
        changed: bool,
    ) -> None:
        self.index = index
        self.summarizer = summarizer
        self.today = today
        self.cached = cached
        self.changed = changed
        self.records: dict[str, Record] = {}
        self.entries: list[SessionEntry] = []
        self.pending: list[tuple[str, os.stat_result]] = []
        self.with_backups: set[str] = set()
        self.folder = index.sessions_dir
        self.stale = 0  # entries whose glance was made on another day than ``today``

    @property
    def total(self) -> int:
        """Every file: listed or pending."""
        return len(self.entries) + len(self.pending)

    def read(self, count: int) -> list[SessionEntry]:
        """Parse the next ``count`` pending files; their entries (also added to ``entries``)."""
        batch, self.pending = self.pending[:count], self.pending[count:]
        made = len(self.entries)
        record_of, folder, today = self.index.record, self.folder, self.today
        text = self.summarizer.text
        for name, info in batch:
            record, updated = record_of(folder / name, info, today, text)
            self.records[name] = record
            self.changed = True
            self.add(name, record, updated)
        return self.entries[made:]

    def add(self, name: str, record: Record, updated: datetime | None) -> None:
        session_id = name[: -len(SUFFIX)]
        damaged = record[8]
        has_backup = session_id in self.with_backups
        if has_backup and damaged is not None:
            has_backup = self.index.backups.has_revision(session_id)
        # SessionEntry(...) made the cheap way: one dict, and ``path`` made on first use
        # (see ``SessionEntry.__getattr__``); test_store checks it equals the constructor's
        entry = _new(SessionEntry)
        _set(
            entry,
            "__dict__",
            {
                "id": session_id,
                "_folder": self.folder,
                "_summarizer": self.summarizer,
                "title": record[3],
                "team": record[4],
                "current_step": record[5],
                "updated": updated,
                "revision": record[7],
                "damaged": damaged,
                "read_only_reason": record[9],
                "has_backup": has_backup,
                "glance_record": record[10],
            },
        )
        self.entries.append(entry)

    def finish(self) -> None:
        """Write the index if a file was parsed again, a record was not usable or a file is
        gone.  Called with files still pending (the app quits while reading), it keeps the
        records of those read: the others have none, so the next listing parses them."""
        changed = self.changed or len(self.records) != len(self.cached)
        if changed and self.index.sessions_dir.is_dir():
            self.index.write(self.records)
            self.changed = False
            self.cached = self.records


def resolve(entries: list[SessionEntry], query: str) -> str:
    """The one entry whose title is ``query`` (any case), else whose id starts with it."""
    folded = query.casefold()
    by_title = [e for e in entries if e.title.strip().casefold() == folded]
    if len(by_title) == 1:
        return by_title[0].id
    if len(by_title) > 1:
        raise StoreError(_ambiguous(query, by_title))
    by_prefix = [e for e in entries if e.id.casefold().startswith(folded)]
    if len(by_prefix) == 1:
        return by_prefix[0].id
    if len(by_prefix) > 1:
        raise StoreError(_ambiguous(query, by_prefix))
    raise SessionNotFound(f"no session matches {query!r}")


def _ambiguous(query: str, entries: list[SessionEntry]) -> str:
    ids = sorted(e.id for e in entries)
    shown = ", ".join(ids[:5]) + (", ..." if len(ids) > 5 else "")
    return f"{query!r} matches {len(ids)} sessions ({shown}); use the id"
