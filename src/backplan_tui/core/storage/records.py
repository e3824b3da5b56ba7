"""The index's records (``core.storage.index``): their shape, their lines and the folder
they are checked against.

``index.py`` describes the format (``index.jsonl``: a header line, then one JSON array a
session file) and keeps the cache; this module is what reads and writes one record: whether a
record is exactly as written (``shape``) and of this very file (``same_stat``), a record as a
line and back, the lines in chunks, and the sessions folder listed and stat'ed name by name.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Container, Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

from backplan_tui.core.basics import SCHEMA_VERSION
from backplan_tui.core.storage.errors import Damage
from backplan_tui.core.storage.fileio import CLOEXEC
from backplan_tui.core.storage.layout import session_file_name
from backplan_tui.core.storage.sessionfile import load_file

__all__ = [
    "INDEX_FORMAT",
    "INDEX_VERSION",
    "RECORD_LENGTH",
    "Folder",
    "Record",
    "Stored",
    "all_parsed",
    "file_record",
    "glance_length",
    "index_parts",
    "line_chunks",
    "parse_line",
    "parse_lines",
    "record_line",
    "same_stat",
    "shape",
]

INDEX_FORMAT = "backplan-index"
# 3: each record holds the session's glance (health, risks, dated items); 4: each record is
# one array, the glance in it one string (read in half the time; see the module docstring)
# 5: each record ends with a digest of the file's first 4 KB, and the index is trusted only
# when it is this user's own private file; 6: the digest gives way to the file's ctime and
# owner (stat only: no file is read to check its record); 7: the glances move to
# ``index.glances``, read by offset for the rows shown (the JSON is a quarter the size); 8: JSON
# Lines, one record a line, parsed when used (``index.jsonl``; a start makes no object per line)
INDEX_VERSION = 8
RECORD_LENGTH = 16  # items in a record (see the module docstring)
Record = list[Any]
Stored = Record | int  # a record to write: a new one, or where its line starts in the index read


def shape(record: Any, end: int) -> datetime | None | bool:
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
        brief,
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
            and type(brief) is list  # (what is in it: the summarizer's to check)
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
        and brief is None
        and not (title or team or step or revision or at or length)
    ):
        return None
    return False


def same_stat(record: Record, info: os.stat_result) -> bool:
    """The record is of this very file (its types checked by ``shape``)."""
    return bool(
        record[0] == info.st_size
        and record[1] == info.st_mtime_ns
        and record[2] == info.st_ino
        and record[11] == info.st_ctime_ns
        and record[12] == info.st_uid
    )


def index_parts(header: dict[str, Any], records: dict[str, Stored], text: bytes) -> Iterator[bytes]:
    """``index.jsonl``'s bytes, about 64 KB at a time: the header line, then each record's."""
    lines = [json.dumps(header, separators=(",", ":")).encode("ascii")]
    size = 0
    for name, record in records.items():
        if type(record) is int:
            end = text.find(b"\n", record)
            line = text[record : end if end >= 0 else len(text)]
        else:
            line = record_line(name, record)  # type: ignore[arg-type]
        lines.append(line)
        size += len(line)
        if size > 1 << 16:
            yield b"\n".join(lines) + b"\n"
            lines, size = [], 0
    if lines:
        yield b"\n".join(lines) + b"\n"


def line_chunks(text: bytes, at: int, count: int) -> Iterator[tuple[int, list[bytes]]]:
    """The lines of ``text`` from byte ``at``, ``count`` at a time (never all at once), each
    batch with where its first line starts."""
    while at < len(text):
        end = at
        for _ in range(count):
            found = text.find(b"\n", end)
            if found < 0:
                end = len(text)
                break
            end = found + 1
        lines = text[at:end].split(b"\n")
        if not lines[-1]:
            lines.pop()
        yield at, lines
        at = end


class Folder:
    """The sessions folder, open: its names, and the ``lstat`` of one of them relative to
    it (an ``fstatat``, where the OS allows it: no look-up of the whole path)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.fd: int | None = None

    def __enter__(self) -> Folder:
        if os.stat in os.supports_dir_fd and os.listdir in os.supports_fd:
            try:
                self.fd = os.open(self.path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | CLOEXEC)
            except OSError:
                self.fd = None
        return self

    def __exit__(self, *_: object) -> None:
        if self.fd is not None:
            os.close(self.fd)

    def names_besides(self, suffix: str, known: Container[str]) -> Iterator[str]:
        """The names that end in ``suffix``, do not start with "." (as ``scan_files``) and
        are not in ``known``, as the folder is read (10,000 names are never held at once);
        none when it cannot be read."""
        try:
            with os.scandir(self.path if self.fd is None else self.fd) as scan:
                for item in scan:
                    name = item.name
                    if name.endswith(suffix) and name[:1] != "." and name not in known:
                        yield name
        except OSError:
            return

    def lstat(self, name: str) -> os.stat_result | None:
        """The ``lstat`` of the session file ``name`` in the folder; None when there is none
        (or ``name`` is not one: a name from the index may be anything)."""
        if not session_file_name(name):
            return None
        try:
            if self.fd is None:
                return os.lstat(self.path / name)
            return os.stat(name, dir_fd=self.fd, follow_symlinks=False)
        except OSError:
            return None


def record_line(name: str, record: Record) -> bytes:
    """A record as its index line (ASCII: no line holds a newline)."""
    return json.dumps([name, *record], separators=(",", ":")).encode("ascii")


def parse_line(line: bytes) -> tuple[str, Record] | None:
    """(name, record) of one index line; None when it is not an array that starts with a
    name (its shape is checked by ``shape`` when it is used)."""
    try:
        item = json.loads(line)
    except (ValueError, RecursionError):
        return None
    return _named(item)


def _named(item: Any) -> tuple[str, Record] | None:
    if type(item) is not list or len(item) != RECORD_LENGTH + 1 or type(item[0]) is not str:
        return None
    return item[0], item[1:]


def parse_lines(lines: list[bytes]) -> list[tuple[str, Record] | None]:
    """``parse_line`` of each line, in one parse of them all when they all parse."""
    if not lines:
        return []
    try:
        items = json.loads(b"[" + b",".join(lines) + b"]")
    except (ValueError, RecursionError):
        items = None
    if type(items) is not list or len(items) != len(lines):  # a line not as written: each
        return [parse_line(line) for line in lines]
    size = RECORD_LENGTH + 1
    # (the name popped off the array: the record is the rest of it, no copy made)
    return [
        (item.pop(0), item)
        if type(item) is list and len(item) == size and type(item[0]) is str
        else None
        for item in items
    ]


def all_parsed(records: dict[str, Stored], text: bytes) -> dict[str, Stored]:
    """The records with each one that is a line of ``text`` parsed (a line that does not
    parse is left out: its file is parsed again next time)."""
    out: dict[str, Stored] = {}
    for name, record in records.items():
        if type(record) is int:
            end = text.find(b"\n", record)
            parsed = parse_line(text[record : end if end >= 0 else len(text)])
            if parsed is None:
                continue
            record = parsed[1]
        out[name] = record
    return out


def glance_length(record: Any) -> int:
    """The bytes of ``index.glances`` a record points to (0 when it is not as written)."""
    if type(record) is list and len(record) == RECORD_LENGTH and type(record[14]) is int:
        return max(record[14], 0)
    return 0


def file_record(
    path: Path, info: os.stat_result, today: date, summarize: Callable[[Any, date], str]
) -> tuple[Record, datetime | None, str | None]:
    """Parse one file: (its record, its ``updated``, its glance on ``today``); the
    record's glance place is filled in when the index is written."""
    size, mtime, inode = info.st_size, info.st_mtime_ns, info.st_ino
    owner = [info.st_ctime_ns, info.st_uid, 0, 0, None]  # (the glance's place, its brief)
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
