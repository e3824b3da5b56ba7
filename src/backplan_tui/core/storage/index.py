"""``index.json`` and ``index.glances``: the listing cache, so that ``list()`` parses only new
or changed files.

The index is only a cache: it is never trusted over the file it describes, and deleting it
(either file) is always safe.  It is read on every start, so it is built to be read fast:
``index.json`` is ``{"format": "backplan-index", "version": 7, "summaries": START,
"glances": TOKEN, "files": {"<id>.toml": RECORD, ...}}`` where START is how the summarizer's
texts start (``Summarizer.start``: an index made by another is rebuilt) and each RECORD is
one JSON array of 15 items::

    [size, mtime_ns, inode, title, team, current_step, updated, revision, damaged, read_only,
     glance_day, ctime_ns, uid, glance_at, glance_length]

``size``, ``mtime_ns``, ``inode``, ``ctime_ns`` and ``uid`` are the file's ``lstat`` when it
was read: any change in one and the file is parsed again.  Checking a record needs only the
``lstat`` that listing the folder makes anyway: no file is opened (issue 21: 10,000 sessions).
``ctime_ns`` is what catches a file rewritten in place with its size and mtime put back
(``os.utime`` can set the mtime, never the ctime: any write or ``utime`` moves it to now);
``uid`` catches a file put there by another user.  ``updated`` is ISO 8601 text with a UTC
offset.  A readable file's record has text in ``updated``, ``damaged`` null, ``read_only``
text or null, and its glance (the summarizer's text, ``Summarizer.text``) in
``index.glances``: ``glance_length`` UTF-8 bytes from byte ``glance_at``, made on
``glance_day`` (``YYYY-MM-DD``).  A damaged file's record has the reason in ``damaged``,
empty texts, revision 0, nulls for ``read_only`` and ``glance_day`` and zeros for the
glance's place.  Integers are never booleans.  A record of any other shape or with other
values is not as written: that file alone is parsed again.

``index.glances`` is the TOKEN line (random hex), then the glances one after the other.  The
glances are the bulk of the index (about 750 of 800 bytes a session) and a list shows only the
rows on screen, so they are kept out of the JSON that every start parses: an entry reads its
own by offset when it is drawn (``Glances``, through a descriptor opened with the index, so a
later rewrite of the pair never mixes two of them).  The TOKEN ties the pair: when the
glances file does not start with the index's, the index is rebuilt.

An index of another version is rebuilt (version 6 held each glance in its record; version 5
kept a sha256 of each file's first 4 KB instead of ``ctime_ns`` and ``uid``, which cost a read
of every file on every start).

Whoever can write the index could forge a record (with the right stat too).  So the index is
trusted only when both files are the current user's own that no other user can write
(``own_private``); one that is not (a shared folder where someone else replaced it) is
ignored and rebuilt, and what the list shows comes from the session files.

The storage knows nothing of plans: the glance is made by the ``Summarizer`` it is given.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable
from datetime import date, datetime
from itertools import pairwise
from operator import attrgetter
from pathlib import Path
from typing import Any

from backplan_tui.core.basics import SCHEMA_VERSION
from backplan_tui.core.storage.backups import BackupFiles
from backplan_tui.core.storage.entries import SessionEntry, Summarizer
from backplan_tui.core.storage.errors import Damage, SessionNotFound, StoreError
from backplan_tui.core.storage.fileio import read_small, remove_quietly, scan_files, write_temp
from backplan_tui.core.storage.glances import Glances
from backplan_tui.core.storage.layout import GLANCES_NAME, INDEX_NAME, SUFFIX
from backplan_tui.core.storage.sessionfile import load_file

__all__ = [
    "INDEX_FORMAT",
    "INDEX_VERSION",
    "Glances",  # (core.storage.glances)
    "Index",
    "Listing",
    "resolve",
    "sort_entries",
]

INDEX_FORMAT = "backplan-index"
# 3: each record holds the session's glance (health, risks, dated items); 4: each record is
# one array, the glance in it one string (read in half the time; see the module docstring)
# 5: each record ends with a digest of the file's first 4 KB, and the index is trusted only
# when it is this user's own private file; 6: the digest gives way to the file's ctime and
# owner (stat only: no file is read to check its record); 7: the glances move to
# ``index.glances``, read by offset for the rows shown (the JSON is a quarter the size)
INDEX_VERSION = 7
RECORD_LENGTH = 15  # items in a record (see the module docstring)
TOKEN_BYTES = 8  # the token's random bytes (16 hex digits, then a newline)
Record = list[Any]
_BY_ID = attrgetter("id")
_BY_UPDATED = attrgetter("updated")

# making a listed entry without its constructor (see ``Index.entries``)
_new = object.__new__
_set = object.__setattr__


def _by_mtime(item: tuple[str, os.stat_result]) -> int:
    return item[1].st_mtime_ns  # a pending file: (name, lstat)


def _shape(record: Any, end: int) -> datetime | None | bool:
    """A record's ``updated`` when it is exactly as written (the shapes in the module
    docstring) apart from its stat (checked by the caller), its glance within the glances
    file's ``end``; None for a damaged file's record; False when it is not as written."""
    if type(record) is not list or len(record) != RECORD_LENGTH:
        return False
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
        day,
        ctime_ns,
        uid,
        at,
        length,
    ) = record
    if not (
        type(size) is int  # never a bool or a float, which compare equal
        and type(mtime_ns) is int
        and type(inode) is int
        and type(ctime_ns) is int
        and type(uid) is int
        and type(title) is str
        and type(team) is str
        and type(step) is str
        and type(revision) is int
        and revision >= 0
        and type(at) is int
        and type(length) is int
    ):
        return False
    if damaged is None:  # a readable file: "updated" text with an offset, a glance
        if not (
            type(text) is str
            and (ro is None or type(ro) is str)
            and type(day) is str
            and len(day) == 10
            and day[4] == day[7] == "-"  # YYYY-MM-DD (compared with today's, never parsed)
            and at > 0
            and length > 0
            and at + length <= end
        ):
            return False
        try:
            updated = datetime.fromisoformat(text)
        except ValueError:
            return False
        return updated if updated.tzinfo is not None else False
    if (  # a damaged file: the reason and nothing else
        text is None
        and type(damaged) is str
        and ro is None
        and day is None
        and not (title or team or step or revision or at or length)
    ):
        return None
    return False


def _same_stat(record: Record, info: os.stat_result) -> bool:
    """The record is of this very file (its types checked by ``_shape``)."""
    return bool(
        record[0] == info.st_size
        and record[1] == info.st_mtime_ns
        and record[2] == info.st_ino
        and record[11] == info.st_ctime_ns
        and record[12] == info.st_uid
    )


class Index:
    """The index of one data folder's ``sessions/``."""

    def __init__(self, root: Path, sessions_dir: Path, backups: BackupFiles) -> None:
        self.path = root / INDEX_NAME
        self.glances_path = root / GLANCES_NAME
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

    def listing(
        self,
        summarizer: Summarizer,
        *,
        today: date,
        refresh: bool = False,
        check_over: int | None = None,
    ) -> Listing:
        """The entries the index has current records for, and the files left to parse
        (``Listing.pending``, newest first), for a caller that reads them in batches.

        ``check_over``: when the index holds more records than this, the files are not
        listed and stat'ed now: the entries are the index's records (their shapes checked),
        and ``Listing.check()`` (which the caller runs next, in a worker) compares them with
        the files, drops the records of files that are gone and makes the files that are new
        or changed pending.  What the list shows is then corrected a moment later; opening
        a session always reads its file."""
        today_text = today.isoformat()
        index = self.read(summarizer.start)
        cached: dict[str, Any] = {}
        glances: Glances | None = None
        if index is not None:
            cached, glances = index
        listing = Listing(self, summarizer, today, cached, glances, changed=index is None)
        end = glances.size if glances is not None else 0
        records, add = listing.records, listing.add
        if check_over is not None and len(cached) > check_over:
            listing.unchecked = True
            listing.with_backups = self.backups.ids()
            for name, kept in cached.items():
                updated = _shape(kept, end)
                if updated is False or not name.endswith(SUFFIX) or name.startswith("."):
                    continue  # the check finds its file and parses it
                records[name] = kept
                add(name, kept, updated)  # type: ignore[arg-type]
                if updated is not None and kept[10] != today_text:
                    listing.stale += 1
            return listing
        files = scan_files(self.sessions_dir, SUFFIX)
        listing.with_backups = self.backups.ids() if files else set()
        pending = listing.pending
        for name, info in files:
            # The record is used only if it is exactly as written (the shapes in the module
            # docstring) and for this very file (its stat); else this one file is parsed again.
            record: Any = cached.get(name)
            updated = _shape(record, end) if record is not None else False
            if updated is not False and _same_stat(record, info):
                if refresh and updated is not None and record[10] != today_text:
                    pending.append((name, info))  # computed on another day: parse it again
                    continue
                records[name] = record
                add(name, record, updated)  # type: ignore[arg-type]
                if updated is not None and record[10] != today_text:
                    listing.stale += 1
            else:
                pending.append((name, info))
        # newest files first: a first start shows the sessions worked on lately soonest
        pending.sort(key=_by_mtime, reverse=True)
        return listing

    @staticmethod
    def record(
        path: Path, info: os.stat_result, today: date, summarize: Callable[[Any, date], str]
    ) -> tuple[Record, datetime | None, str | None]:
        """Parse one file: (its record, its ``updated``, its glance on ``today``); the
        record's glance place is filled in when the index is written."""
        size, mtime, inode = info.st_size, info.st_mtime_ns, info.st_ino
        owner = [info.st_ctime_ns, info.st_uid, 0, 0]
        try:
            session, _ = load_file(path, allow_newer=True)
        except FileNotFoundError:
            reason = "the file disappeared while it was being read"
            return [size, mtime, inode, "", "", "", None, 0, reason, None, None, *owner], None, None
        except Damage as damage:
            reason = damage.reason
            return [size, mtime, inode, "", "", "", None, 0, reason, None, None, *owner], None, None
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
            today.isoformat(),
            *owner,
        ]
        return record, session.updated, summarize(session, today)

    def read(self, start: str) -> tuple[dict[str, Any], Glances] | None:
        """The records by file name, not yet checked (``listing`` checks each one it uses),
        and the glances they point into; None when there is no usable index (also one whose
        glances another summarizer made: ``start``).  Never an error: a cache to rebuild."""
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
            or type(data.get("glances")) is not str
            or data.get("summaries") != start
        ):
            return None
        glances = Glances.open(self.glances_path, data["glances"])
        if glances is None:
            return None
        files: dict[str, Any] = data["files"]
        return files, glances

    def write(
        self,
        start: str,
        records: dict[str, Record],
        texts: dict[str, str],
        glances: Glances | None,
    ) -> tuple[Glances, dict[str, Record]] | None:
        """Write the pair: each record's glance is its text in ``texts`` or, when it has
        none there, the one it points to in ``glances`` (the index read).  The new glances
        and the records as written (pointing into them).  Best effort: the index is a
        cache, so failing to write it is not an error (None)."""
        token = os.urandom(TOKEN_BYTES).hex()  # (``secrets`` costs `backplan list` 10 ms)
        head = (token + "\n").encode("ascii")
        chunks = [head]
        at = len(head)
        out: dict[str, Record] = {}
        for name, record in records.items():
            if record[8] is None:  # a readable file: its glance
                text = texts.get(name)
                if text is None and glances is not None:
                    text = glances.text(record[13], record[14])
                if text is None:
                    continue  # lost (the old glances file is damaged): parsed next time
                data = text.encode("utf-8")
                record = [*record[:13], at, len(data)]
                chunks.append(data)
                at += len(data)
            out[name] = record
        payload: dict[str, Any] = {"format": INDEX_FORMAT, "version": INDEX_VERSION}
        payload |= {"summaries": start, "glances": token, "files": out}
        # a cache: compact
        index = (json.dumps(payload, separators=(",", ":")) + "\n").encode("utf-8")
        tmp: Path | None = None
        try:
            # the glances first: an index is never in place before what it points to
            tmp = write_temp(self.root, GLANCES_NAME, b"".join(chunks))
            os.replace(tmp, self.glances_path)
            tmp = write_temp(self.root, INDEX_NAME, index)
            os.replace(tmp, self.path)
            tmp = None
        except OSError:
            return None
        finally:
            remove_quietly(tmp)
        written = Glances.open(self.glances_path, token)
        return None if written is None else (written, out)


def sort_entries(entries: Iterable[SessionEntry]) -> list[SessionEntry]:
    """Newest ``updated`` first, equal times by id; damaged ones (no time) last, by id.
    (The index is written in this order, so a listing from it is found in order in one
    pass, without a sort.)"""
    entries = list(entries)
    if _in_order(entries):
        return entries
    entries.sort(key=_BY_ID)
    dated = [e for e in entries if e.updated is not None]
    dated.sort(key=_BY_UPDATED, reverse=True)  # stable: equal times keep the id order
    if len(dated) < len(entries):
        dated += [e for e in entries if e.updated is None]
    return dated


def _in_order(entries: list[SessionEntry]) -> bool:
    """``entries`` are in ``sort_entries``'s order already."""
    for a, b in pairwise(entries):
        first, second = a.updated, b.updated
        if first is None:
            if second is not None or a.id > b.id:
                return False
        elif second is not None and (first < second or (first == second and a.id > b.id)):
            return False
    return True


class Listing:
    """One listing of the folder in progress (``Index.listing``): ``entries`` made from
    current records so far (unsorted), ``pending`` the files still to parse (name, lstat),
    newest first, ``stale`` how many entries have a glance of another day.  ``read(n)``
    parses the next ``n`` and returns their entries; ``finish()`` writes the index when
    anything changed.  ``unchecked``: the entries are the index's, not yet compared with the
    files (``check()``).  Not shared between threads: one reads it."""

    def __init__(
        self,
        index: Index,
        summarizer: Summarizer,
        today: date,
        cached: dict[str, Any],
        glances: Glances | None,
        *,
        changed: bool,
    ) -> None:
        self.index = index
        self.summarizer = summarizer
        self.today = today
        self.cached = cached
        self.glances = glances
        self.changed = changed
        self.records: dict[str, Record] = {}
        self.texts: dict[str, str] = {}  # the glances of files parsed by this listing
        self.entries: list[SessionEntry] = []
        self.pending: list[tuple[str, os.stat_result]] = []
        self.with_backups: set[str] = set()
        self.folder = index.sessions_dir
        self.stale = 0  # entries whose glance was made on another day than ``today``
        self.unchecked = False

    @property
    def total(self) -> int:
        """Every file: listed or pending."""
        return len(self.entries) + len(self.pending)

    def check(self) -> set[str]:
        """Compare the index's records with the files (an ``unchecked`` listing): the ids
        of files that are gone (their entries dropped); files new or changed become pending
        (newest first; a changed file's entry is dropped until it is parsed again)."""
        if not self.unchecked:
            return set()
        self.unchecked = False
        records = self.records
        seen: set[str] = set()
        for name, info in scan_files(self.folder, SUFFIX):
            seen.add(name)
            record = records.get(name)
            if record is None or not _same_stat(record, info):
                records.pop(name, None)
                self.pending.append((name, info))
        self.pending.sort(key=_by_mtime, reverse=True)
        gone = {name for name in records if name not in seen}
        for name in gone:
            del records[name]
        cut = len(SUFFIX)
        dropped = gone | {name for name, _ in self.pending}
        if dropped:
            self.changed = True
            self.entries = [e for e in self.entries if f"{e.id}{SUFFIX}" not in dropped]
        return {name[:-cut] for name in gone}

    def read(self, count: int) -> list[SessionEntry]:
        """Parse the next ``count`` pending files; their entries (also added to ``entries``)."""
        batch, self.pending = self.pending[:count], self.pending[count:]
        made = len(self.entries)
        record_of, folder, today = self.index.record, self.folder, self.today
        summarize = self.summarizer.text
        for name, info in batch:
            record, updated, text = record_of(folder / name, info, today, summarize)
            self.records[name] = record
            if text is not None:
                self.texts[name] = text
            self.changed = True
            self.add(name, record, updated, text)
        return self.entries[made:]

    def add(
        self, name: str, record: Record, updated: datetime | None, text: str | None = None
    ) -> None:
        session_id = name[: -len(SUFFIX)]
        damaged = record[8]
        has_backup = session_id in self.with_backups
        if has_backup and damaged is not None:
            has_backup = self.index.backups.has_revision(session_id)
        # SessionEntry(...) made the cheap way: one dict, and ``path`` and ``glance_record``
        # made on first use (see ``SessionEntry.__getattr__``); test_store checks it equals
        # the constructor's
        entry = _new(SessionEntry)
        values = {
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
        }
        if damaged is not None:
            values["glance_record"] = None
        elif text is not None:
            values["glance_record"] = text
        else:  # read from index.glances when it is first shown
            values["_glance"] = (self.glances, record[13], record[14], record[10])
        _set(entry, "__dict__", values)
        self.entries.append(entry)

    def finish(self) -> None:
        """Write the index if a file was parsed again, a record was not usable or a file is
        gone.  Called with files still pending (the app quits while reading), it keeps the
        records of those read: the others have none, so the next listing parses them.  An
        ``unchecked`` listing writes nothing (its records are the index's)."""
        if self.unchecked:
            return
        changed = self.changed or len(self.records) != len(self.cached)
        if changed and self.index.sessions_dir.is_dir():
            # in the list's order: the next listing finds its entries sorted (``_in_order``)
            records = self.records
            order = [f"{entry.id}{SUFFIX}" for entry in sort_entries(self.entries)]
            self.records = {name: records[name] for name in order if name in records}
            self.records |= records  # any without an entry (none, unless read half-way)
            written = self.index.write(
                self.summarizer.start, self.records, self.texts, self.glances
            )
            self.changed = False
            if written is not None:  # the records now point into the new glances file
                self.glances, self.records = written
                self.texts = {}
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
