"""``index.jsonl`` and ``index.glances``: the listing cache, so that ``list()`` parses only new
or changed files.

The index is only a cache: it is never trusted over the file it describes, and deleting it
(either file) is always safe.  It is read on every start, so it is built to be read fast.
``index.jsonl`` is JSON Lines (version 8): a header line ``{"format": "backplan-index",
"version": 8, "summaries": START, "glances": TOKEN, "dead": DEAD}``, where START is how the
summarizer's texts start (``Summarizer.start``: an index made by another is rebuilt), and
then one line for each session file, in the list's order (``sort_entries``), each one JSON
array of 17 items, the file's name and its RECORD::

    [name, size, mtime_ns, inode, title, team, current_step, updated, revision, damaged,
     read_only, glance_day, ctime_ns, uid, glance_at, glance_length, brief]

The lines are written with ``ensure_ascii`` (any other character is an escape), so no line
holds a newline.  Why lines, not one JSON document (versions up to 7): a start in a big folder
(``check_over``) splits the file into lines and reads each line's name off its start; a line is
parsed only when its row is drawn (``core.storage.rows``) or when the check in a worker
compares it with its file, one at a time.  10,000 sessions then make about 20,000 objects
before the first paint instead of 170,000 (issue 21).

``size``, ``mtime_ns``, ``inode``, ``ctime_ns`` and ``uid`` are the file's ``lstat`` when it
was read: any change in one and the file is parsed again.  Checking a record needs only the
``lstat`` that listing the folder makes anyway: no file is opened.  ``ctime_ns`` is what
catches a file rewritten in place with its size and mtime put back (``os.utime`` can set the
mtime, never the ctime); ``uid`` catches a file put there by another user.  ``updated`` is
ISO 8601 text with a UTC offset.  A readable file's record has text in ``updated``,
``damaged`` null, ``read_only`` text or null, and its glance (the summarizer's text,
``Summarizer.text``) in ``index.glances``: ``glance_length`` UTF-8 bytes from byte
``glance_at``, made on ``glance_day`` (``YYYY-MM-DD``), and in ``brief`` a list, the little
of it that ``backplan list`` prints (``Summarizer.brief``: the summarizer checks what is in
it; one not as written gives way to the glance).  A damaged file's record has the reason in
``damaged``, empty texts, revision 0, nulls for ``read_only``, ``glance_day`` and ``brief``
and zeros for the glance's place.  Integers are never booleans.  A record of any other shape or
with other values is not as written: that file alone is parsed again.

``index.glances`` is the TOKEN line (random hex), then the glances one after the other.  The
glances are the bulk of the cache (about 750 of 800 bytes a session) and a list shows only the
rows on screen, so they are kept out of the lines: an entry reads its own by offset when it is
drawn (``Glances``, through a descriptor opened with the index, so a later rewrite of the pair
never mixes two of them).  The TOKEN ties the pair: when the glances file does not start with
the index's, the index is rebuilt.  A write keeps the glances file's bytes after its token line
as they were and adds the new glances after them, so the lines it keeps as they were still
point right (and are written back byte for byte, unparsed); DEAD counts the bytes no line
points to any more (the glances of files changed or gone), and once they outnumber the rest the
write makes the glances file anew from the glances in use.

An index of another version is rebuilt: version 7 was one JSON document ``index.json`` (its
records in a ``files`` object, without the brief; made into version 8 without parsing a
session file, ``upgrade``, and removed when version 8 is written), version 6 held each glance
in its record, version 5 kept a sha256 of each file's first 4 KB instead of ``ctime_ns`` and
``uid``.

Whoever can write the index could forge a record (with the right stat too).  So the index is
trusted only when both files are the current user's own that no other user can write
(``own_private``); one that is not (a shared folder where someone else replaced it) is
ignored and rebuilt, and what the list shows comes from the session files.

The storage knows nothing of plans: the glance is made by the ``Summarizer`` it is given.
"""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

from backplan_tui.core.storage.backups import BackupFiles
from backplan_tui.core.storage.entries import SessionEntry, Summarizer
from backplan_tui.core.storage.errors import Damage, SessionNotFound, StoreError
from backplan_tui.core.storage.fileio import (
    FileSpan,
    read_small,
    remove_quietly,
    scan_files,
    write_temp,
)
from backplan_tui.core.storage.glances import Glances
from backplan_tui.core.storage.layout import (
    GLANCES_NAME,
    INDEX_NAME,
    OLD_INDEX_NAME,
    SUFFIX,
    session_file_name,
)
from backplan_tui.core.storage.records import (
    INDEX_FORMAT,
    INDEX_VERSION,
    Folder,
    Record,
    Stored,
    all_parsed,
    file_record,
    glance_length,
    index_parts,
    line_chunks,
    parse_line,
    parse_lines,
    same_stat,
    shape,
)
from backplan_tui.core.storage.rows import Rows, sort_entries
from backplan_tui.core.storage.upgrade import version_7

__all__ = [
    "INDEX_FORMAT",
    "INDEX_VERSION",
    "Glances",  # (core.storage.glances)
    "Index",
    "Listing",
    "Rows",  # (core.storage.rows)
    "resolve",
    "sort_entries",
]

TOKEN_BYTES = 8  # the token's random bytes (16 hex digits, then a newline)

# making a listed entry without its constructor (see ``Index.entries``)
_new = object.__new__
_set = object.__setattr__


def _by_mtime(item: tuple[str, os.stat_result]) -> int:
    return item[1].st_mtime_ns  # a pending file: (name, lstat)


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
        ``SessionStore.list``).  With a current index: read ``index.jsonl``, lstat each file
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
        listed and stat'ed now, nor the records parsed: ``Listing.rows`` are the index's
        lines, each made into an entry when it is first asked for (``core.storage.rows``),
        and ``Listing.check()`` (which the caller runs next, in a worker) compares them with
        the files, drops the rows of files that are gone and makes the files that are new
        or changed pending.  What the list shows is then corrected a moment later; opening
        a session always reads its file."""
        index = self.read(summarizer.start)
        if index is None and self.upgrade(summarizer):  # version 7's, made into this one
            index = self.read(summarizer.start)
        text, body = b"", 0
        glances: Glances | None = None
        dead = 0
        if index is not None:
            text, body, glances, dead = index
        listing = Listing(self, summarizer, today, glances, dead, changed=index is None)
        # (a line takes at least 100 bytes: no need to count them in a smaller index)
        if check_over is not None and len(text) - body > check_over * 100:
            rows = Rows.of_text(text, listing.entry_of_line, body)
            if len(rows) > check_over:
                listing.unchecked = True
                listing.with_backups = self.backups.ids()
                listing.text, listing.body, listing.rows = text, body, rows
                return listing
        listing.text = text  # what the records kept as they were are written back from
        lines = text[body:].split(b"\n")
        if lines and not lines[-1]:
            lines.pop()  # the last line's newline
        today_text = today.isoformat()
        end = glances.size if glances is not None else 0
        files = dict(scan_files(self.sessions_dir, SUFFIX))
        listing.with_backups = self.backups.ids() if files else set()
        records, add, pending = listing.records, listing.add, listing.pending
        listed: set[str] = set()  # the names the index has a line for
        at = body
        # In the index's order (the list's): the entries are then found sorted (``_in_order``)
        for line, parsed in zip(lines, parse_lines(lines), strict=True):
            line_at, at = at, at + len(line) + 1
            if parsed is None:
                listing.changed = True  # a line not as written: its file is found as new
                continue
            name, record = parsed
            info = files.get(name)
            if info is None or name in listed:  # gone (or a second line for one file)
                listing.changed = True
                listing.dead += glance_length(record)
                continue
            listed.add(name)
            # The record is used only if it is exactly as written (the shapes in the module
            # docstring) and for this very file (its stat); else this one file is parsed again
            # (``read``), and its glance in index.glances is dead.
            updated = shape(record, end)
            if updated is False or not same_stat(record, info):
                pending.append((name, info))
                listing.dead += glance_length(record)
            elif refresh and updated is not None and record[10] != today_text:
                pending.append((name, info))  # computed on another day: parse it again
                listing.dead += glance_length(record)
            else:
                records[name] = line_at  # written back as it was (its glance stays put)
                add(name, record, updated)  # type: ignore[arg-type]
                if updated is not None and record[10] != today_text:
                    listing.stale += 1
        del lines
        for name, info in files.items():
            if name not in listed:
                pending.append((name, info))
        # newest files first: a first start shows the sessions worked on lately soonest
        pending.sort(key=_by_mtime, reverse=True)
        return listing

    record = staticmethod(file_record)  # parse one file into its record (``records``)

    def upgrade(self, summarizer: Summarizer) -> bool:
        """Make ``index.jsonl`` from version 7's ``index.json`` when that is what there is
        (``upgrade.version_7``): the first start after the upgrade then parses no session
        file.  False when there is nothing to upgrade or it could not be written."""
        found = version_7(self.root / OLD_INDEX_NAME, self.glances_path, summarizer)
        if found is None:
            return False
        records, glances = found
        return self.write(summarizer.start, records, {}, glances, 0, b"") is not None

    def read(self, start: str) -> tuple[bytes, int, Glances, int] | None:
        """The index's text and where its lines start (after the header; not parsed: each
        names its file first), the glances they point into and the glances file's dead
        bytes; None when there is no usable index (also one whose glances another
        summarizer made: ``start``).  Never an error: a cache to rebuild."""
        try:
            data = read_small(self.path, private=True)
        except (OSError, Damage):
            return None
        end = data.find(b"\n")
        try:
            header = json.loads(data[:end] if end >= 0 else data)
        except (ValueError, RecursionError):
            return None
        if (
            type(header) is not dict
            or header.get("format") != INDEX_FORMAT
            or header.get("version") != INDEX_VERSION
            or type(header.get("glances")) is not str
            or header.get("summaries") != start
            or type(header.get("dead")) is not int
            or header["dead"] < 0
        ):
            return None
        glances = Glances.open(self.glances_path, header["glances"])
        if glances is None:
            return None
        return data, (end + 1 if end >= 0 else len(data)), glances, header["dead"]

    def write(
        self,
        start: str,
        records: dict[str, Stored],
        texts: dict[str, str],
        glances: Glances | None,
        dead: int,
        text: bytes,
    ) -> tuple[Glances, dict[str, Stored], int] | None:
        """Write the pair, the records in the order given.  A record that is where its line
        starts in ``text`` (the index read: an int) is written back as that line, byte for
        byte: its glance stays where it is in ``glances``, whose bytes after the token line
        are copied as they are; each other record's glance is its text in ``texts`` (added
        after them) or, with none there, where it points in ``glances``.  When ``dead``
        bytes (glances no record points to) outnumber the rest, the glances file is made
        anew from only those in use.  Neither file is held in memory whole: the lines go
        out in parts, the glances kept are copied from file to file.  The new glances, the
        records as written (still pointing into ``text`` where they did) and the new dead
        count; None when nothing could be written (the index is a cache: failing to write
        it is not an error)."""
        token = os.urandom(TOKEN_BYTES).hex()  # (``secrets`` costs `backplan list` 10 ms)
        head = (token + "\n").encode("ascii")
        parts: list[bytes | FileSpan] = [head]
        at = len(head)
        if glances is None:
            dead = 0
        elif dead * 2 > glances.size - len(head):  # mostly dead: only what is in use is kept
            records, dead = all_parsed(records, text), 0
        else:
            parts.append(FileSpan(glances.fd, len(head), glances.size - len(head)))
            at = glances.size
        kept = len(parts) > 1
        out: dict[str, Stored] = {}
        for name, record in records.items():
            if type(record) is int or (kept and record[8] is None and name not in texts):  # type: ignore[index]
                out[name] = record  # its glance is in the bytes kept, where it was
                continue
            assert isinstance(record, list)
            if record[8] is None:  # a readable file: its glance
                glance = texts.get(name)
                if glance is None and glances is not None:
                    glance = glances.text(record[13], record[14])
                if glance is None:
                    continue  # lost (the old glances file is damaged): parsed next time
                data = glance.encode("utf-8")
                record = [*record[:13], at, len(data), *record[15:]]
                parts.append(data)
                at += len(data)
            out[name] = record
        header = {"format": INDEX_FORMAT, "version": INDEX_VERSION, "summaries": start}
        header |= {"glances": token, "dead": dead}
        tmp: Path | None = None
        try:
            # the glances first: an index is never in place before what it points to
            tmp = write_temp(self.root, GLANCES_NAME, parts)
            os.replace(tmp, self.glances_path)
            tmp = write_temp(self.root, INDEX_NAME, index_parts(header, out, text))
            os.replace(tmp, self.path)
            tmp = None
        except OSError:
            return None
        finally:
            remove_quietly(tmp)
        remove_quietly(self.root / OLD_INDEX_NAME)  # version 7's, when it is still there
        written = Glances.open(self.glances_path, token)
        return None if written is None else (written, out, dead)


class Listing:
    """One listing of the folder in progress (``Index.listing``): ``entries`` made from
    current records so far (unsorted), ``pending`` the files still to parse (name, lstat),
    newest first, ``stale`` how many entries have a glance of another day.  ``read(n)``
    parses the next ``n`` and returns their entries; ``finish()`` writes the index when
    anything changed.  ``unchecked``: the listing's ``rows`` are the index's lines, not yet
    compared with the files (``check()``).  Not shared between threads: one reads it."""

    def __init__(
        self,
        index: Index,
        summarizer: Summarizer,
        today: date,
        glances: Glances | None,
        dead: int,
        *,
        changed: bool,
    ) -> None:
        self.index = index
        self.summarizer = summarizer
        self.today = today
        self.glances = glances
        self.dead = dead  # bytes of the glances file no record points to
        self.changed = changed
        # name -> the record to write: a new one, or where its line starts in ``text`` when
        # the index's record is current
        self.records: dict[str, Stored] = {}
        self.texts: dict[str, str] = {}  # the glances of files parsed by this listing
        self.entries: list[SessionEntry] = []
        self.pending: list[tuple[str, os.stat_result]] = []
        self.with_backups: set[str] = set()
        self.folder = index.sessions_dir
        self.stale = 0  # entries whose glance was made on another day than ``today``
        self.unchecked = False
        # the index's text (``Index.read``) and where its lines start (after the header)
        self.text = b""
        self.body = 0
        self.rows: Rows | None = None  # an unchecked listing's sessions, in the list's order
        self._end = glances.size if glances is not None else 0

    @property
    def total(self) -> int:
        """Every file: listed or pending."""
        listed = len(self.rows) if self.rows is not None else len(self.entries)
        return listed + len(self.pending)

    def sorted_rows(self) -> Rows:
        """The sessions listed so far, in the list's order."""
        if self.rows is not None:
            return self.rows
        return Rows.of_entries(sort_entries(self.entries))

    CHECK_CHUNK = 200  # lines parsed at once by ``check`` (one ``json.loads``; the memory
    # of 200 records at a time, never all of them; a quit waits for one chunk at most)

    def check(
        self,
        cancelled: Callable[[], bool] | None = None,
        seen: Callable[[str, str, str], None] | None = None,
    ) -> tuple[set[str], set[str]]:
        """Compare the index's lines with the files (an ``unchecked`` listing), a chunk of
        lines at a time: (the ids of files gone, the ids of files new or changed).  Files
        new or changed become pending (newest first) and their rows, and those of files
        gone, leave ``rows``; a changed file's comes back when it is read.  ``seen`` is given
        (id, title, team) of each session whose line is current, on the way (what the caller
        keeps of them is its own choice).  ``cancelled`` is asked between chunks: when it
        says so, the listing stays unchecked (nothing is written).

        Each record's file is stat'ed as its chunk comes, and the folder's names are listed
        at the end (for the files the index does not have): neither every record nor every
        file's stat is held at once (10,000 of each are megabytes, and this runs while home
        is on screen), and a quit waits for one chunk at most."""
        if not self.unchecked:
            return set(), set()
        today_text = self.today.isoformat()
        records, end = self.records, self._end
        cut = len(SUFFIX)
        gone: set[str] = set()
        with Folder(self.folder) as folder:
            for at, chunk in line_chunks(self.text, self.body, self.CHECK_CHUNK):
                if cancelled is not None and cancelled():
                    return set(), set()
                for line, parsed in zip(chunk, parse_lines(chunk), strict=True):
                    line_at, at = at, at + len(line) + 1
                    if parsed is None:
                        self.changed = True  # its file, if any, is found below as new
                        continue
                    name, record = parsed
                    if name in records or not session_file_name(name):  # (a second line, or
                        self.changed = True  # one naming no session file: never stat'ed)
                        continue
                    info = folder.lstat(name)
                    if info is None or stat.S_ISDIR(info.st_mode):  # gone
                        self.changed = True
                        self.dead += glance_length(record)
                        gone.add(name[:-cut])
                        continue
                    updated = shape(record, end)
                    if updated is False or not same_stat(record, info):
                        self.dead += glance_length(record)
                        continue  # parsed again below
                    records[name] = line_at
                    if seen is not None:
                        seen(name[:-cut], record[3], record[4])
                    if updated is not None and record[10] != today_text:
                        self.stale += 1
            changed: set[str] = set()
            for name in folder.names_besides(SUFFIX, records):  # new, changed, not as written
                info = folder.lstat(name)
                if info is not None and not stat.S_ISDIR(info.st_mode):
                    self.pending.append((name, info))
                    changed.add(name[:-cut])
        self.unchecked = False
        self.pending.sort(key=_by_mtime, reverse=True)
        gone -= changed  # (a line gone by its name, and a file of that name new since)
        if gone or changed:
            self.changed = True
            if self.rows is not None:
                self.rows = self.rows.merged(gone | changed, [])
        return gone, changed

    def read(self, count: int) -> list[SessionEntry]:
        """Parse the next ``count`` pending files; their entries (also added to ``entries``,
        and to ``rows`` in their place when the listing has rows)."""
        batch, self.pending = self.pending[:count], self.pending[count:]
        made = len(self.entries)
        record_of, folder, today = self.index.record, self.folder, self.today
        summarize = self.summarizer.text
        for name, info in batch:
            record, updated, text = record_of(folder / name, info, today, summarize)
            if text is not None:  # what ``backplan list`` shows of the glance, in the record
                record[15] = self.summarizer.brief(text)
            self.records[name] = record
            if text is not None:
                self.texts[name] = text
            self.changed = True
            self.add(name, record, updated, text)
        new = self.entries[made:]
        if self.rows is not None and new:
            self.rows = self.rows.merged(set(), new)
        return new

    def add(
        self, name: str, record: Record, updated: datetime | None, text: str | None = None
    ) -> None:
        self.entries.append(self.entry(name, record, updated, text))

    def entry(
        self, name: str, record: Record, updated: datetime | None, text: str | None = None
    ) -> SessionEntry:
        """The entry of a record whose shape is checked (``shape``: ``updated``)."""
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
            "brief": record[15],
        }
        if damaged is not None:
            values["glance_record"] = None
        elif text is not None:
            values["glance_record"] = text
        else:  # read from index.glances when it is first shown
            values["_glance"] = (self.glances, record[13], record[14], record[10])
        _set(entry, "__dict__", values)
        return entry

    def entry_of_line(self, line: bytes, session_id: str) -> SessionEntry:
        """The entry of an index line (``rows``: when its row is first drawn).  A line not
        as written gives a stand-in that shows the id until the check reads the file."""
        parsed = parse_line(line)
        if parsed is not None and parsed[0] == f"{session_id}{SUFFIX}":
            updated = shape(parsed[1], self._end)
            if updated is not False:
                return self.entry(parsed[0], parsed[1], updated)  # type: ignore[arg-type]
        return SessionEntry(
            id=session_id,
            path=self.folder / f"{session_id}{SUFFIX}",
            title=session_id,
            team="",
            current_step="",
            updated=None,
            revision=0,
            damaged=None,
        )

    def finish(self) -> None:
        """Write the index if a file was parsed again, a record was not usable or a file is
        gone.  Called with files still pending (the app quits while reading), it keeps the
        records of those read: the others have none, so the next listing parses them.  An
        ``unchecked`` listing writes nothing (its records are the index's)."""
        if self.unchecked:
            return
        if self.changed and self.index.sessions_dir.is_dir():
            # in the list's order: the next listing finds its entries sorted (``_in_order``)
            records = self.records
            ids = (
                self.rows.ids
                if self.rows is not None
                else [entry.id for entry in sort_entries(self.entries)]
            )
            order = [f"{session_id}{SUFFIX}" for session_id in ids]
            self.records = {name: records[name] for name in order if name in records}
            self.records |= records  # any without an entry (none, unless read half-way)
            written = self.index.write(
                self.summarizer.start,
                self.records,
                self.texts,
                self.glances,
                self.dead,
                self.text,
            )
            self.changed = False
            if written is not None:  # the records now point into the new glances file
                self.glances, self.records, self.dead = written
                self._end = self.glances.size
                self.texts = {}


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
