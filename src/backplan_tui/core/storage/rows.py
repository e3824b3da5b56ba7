"""``Rows``: the sessions of a listing in the list's order, each entry made when first asked for.

A list draws only the rows on screen, so a folder of 10,000 sessions need not make 10,000
entries (nor parse 10,000 index records) before its first paint (issue 21).  ``Rows`` holds,
for each session, either its ``SessionEntry`` or where its line starts in the index's text
(``core.storage.index``: one JSON array a line, parsed only when the entry is first asked
for; the text is kept whole, not cut into 10,000 lines); it knows every id from the start
(read off each line's start by one regular expression, without parsing the line).

Rows are never changed in place: ``merged`` gives new rows (a worker makes them while the
screen draws the old ones).  Entries made from lines are kept in the rows that made them.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import pairwise
from operator import attrgetter
from typing import overload

from backplan_tui.core.storage.entries import SessionEntry
from backplan_tui.core.storage.layout import SUFFIX, session_file_name

__all__ = ["Rows", "line_name", "sort_entries", "sort_key"]

Item = SessionEntry | int  # an entry, or the number of its line in the index's text
MakeEntry = Callable[[bytes, str], SessionEntry]  # (the line, its id) -> the entry
# The id in a line that names a session file plainly: no escape, not hidden, no folder,
# ".toml"
# (each line found by the newline before it: a literal the search skips to, which a
# multi-line "^" is not; three times faster over 10,000 lines)
_BY_ID = attrgetter("id")
_BY_UPDATED = attrgetter("updated")
_PLAIN_ID = re.compile(rb'\n\["([^"./\\\n][^"/\\\n]*)\.toml",')


def line_name(line: bytes) -> str | None:
    """The file name an index line starts with (``["<name>", ...``), read without parsing the
    line; None when it is not plain there (an escape, another byte): ``json`` reads it then."""
    if line[:2] != b'["':
        return None
    end = line.find(b'",', 2)
    if end < 0:
        return None
    name = line[2:end]
    if b"\\" in name:
        return None
    try:
        return name.decode("ascii")
    except UnicodeDecodeError:
        return None


def _line_id(line: bytes) -> str | None:
    """The session id of an index line; None when the line names no session file."""
    name = line_name(line)
    if name is None:  # an escaped character in the name: let json read it
        try:
            item = json.loads(line)
        except (ValueError, RecursionError):
            return None
        if type(item) is not list or not item or type(item[0]) is not str:
            return None
        name = item[0]
    if not session_file_name(name):
        return None
    return name[: -len(SUFFIX)]


def sort_key(entry: SessionEntry) -> tuple[int, float, str]:
    """The list's order as one key: newest ``updated`` first, equal times by id; damaged ones
    (no time) last, by id (``index.sort_entries``)."""
    updated = entry.updated
    if updated is None:
        return (1, 0.0, entry.id)
    try:
        stamp = updated.timestamp()
    except (OverflowError, ValueError, OSError):  # near year 1 or 9999 (a forged file)
        stamp = 0.0
    return (0, -stamp, entry.id)


class _Lines:
    """The index's lines in its text, found by number: where each starts is looked for only
    up to the highest number asked for (the rows drawn first are the first lines)."""

    __slots__ = ("starts", "text")

    def __init__(self, text: bytes, start: int) -> None:
        self.text = text
        self.starts = [start]  # where lines 0, 1 ... start (the last: where to look on)

    def __getitem__(self, number: int) -> bytes:
        text, starts = self.text, self.starts
        while len(starts) <= number + 1:
            found = text.find(b"\n", starts[-1])
            starts.append(len(text) + 1 if found < 0 else found + 1)
        return text[starts[number] : starts[number + 1] - 1]


class Rows(Sequence[SessionEntry]):
    """Sessions in the list's order: ``ids`` at once, each entry made on first use."""

    __slots__ = ("_items", "_lines", "_make", "_positions", "ids")

    def __init__(
        self,
        items: list[Item],
        ids: list[str],
        make: MakeEntry | None,
        lines: _Lines | None = None,
    ) -> None:
        self._items = items  # an entry, or the number of its line in ``_lines``
        self.ids = ids
        self._make = make
        self._lines = lines or _Lines(b"", 0)
        self._positions: dict[str, int] | None = None

    @classmethod
    def of_entries(cls, entries: Iterable[SessionEntry]) -> Rows:
        """Rows of entries already made (in the order given)."""
        made = list(entries)
        return cls(list(made), [entry.id for entry in made], None)

    @classmethod
    def of_text(cls, text: bytes, make: MakeEntry, start: int = 0) -> Rows:
        """Rows of the index lines in ``text`` from byte ``start`` (each line ends in a
        newline), in the list's order, made into entries by ``make`` when first asked for.
        A line that names no session file is left out (the check of the listing finds that
        file, if there is one, and reads it), as is a second line for one file."""
        lines = _Lines(text, start)
        count = text.count(b"\n", start)
        # Every line names a session file plainly (no escape): the ids by one regular
        # expression over the whole text (10,000 lines: a few milliseconds, and no object
        # for a line); a line of any other form, each line on its own
        after_newline = start > 0 and text[start - 1] == 0x0A  # (the header's, in an index)
        found = _PLAIN_ID.findall(text, start - 1) if after_newline else []
        ids: list[str] = []
        if len(found) == count:
            try:
                ids = b"\n".join(found).decode("ascii").split("\n") if found else []
            except UnicodeDecodeError:
                ids = []
        items: list[Item]
        if len(ids) == count:
            items = list(range(count))
        else:
            items, ids = [], []
            for number in range(count + (not text.endswith(b"\n") and len(text) > start)):
                session_id = _line_id(lines[number])
                if session_id is not None:
                    items.append(number)
                    ids.append(session_id)
        if len(set(ids)) != len(ids):  # a second line for one file: the first one stays
            first: dict[str, int] = {}
            for n, key in enumerate(ids):
                first.setdefault(key, n)
            keep = sorted(first.values())
            items, ids = [items[n] for n in keep], [ids[n] for n in keep]
        return cls(items, ids, make, lines)

    def __len__(self) -> int:
        return len(self._items)

    @overload
    def __getitem__(self, index: int) -> SessionEntry: ...

    @overload
    def __getitem__(self, index: slice) -> list[SessionEntry]: ...

    def __getitem__(self, index: int | slice) -> SessionEntry | list[SessionEntry]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self._items)))]
        item = self._items[index]
        if isinstance(item, SessionEntry):
            return item
        entry = self._make(self._lines[item], self.ids[index])  # type: ignore[misc]
        self._items[index] = entry  # kept: the next paint of this row makes nothing
        return entry

    def __iter__(self) -> Iterator[SessionEntry]:
        for index in range(len(self._items)):
            yield self[index]

    def position(self, session_id: str) -> int | None:
        """Where ``session_id`` is in the list, or None."""
        if self._positions is None:
            # the rows on screen at start are the first: found without indexing 10,000
            try:
                return self.ids.index(session_id, 0, 64)
            except ValueError:
                self._positions = {key: n for n, key in enumerate(self.ids)}
        return self._positions.get(session_id)

    def get(self, session_id: str) -> SessionEntry | None:
        """The entry of ``session_id``, made now if need be; None when it is not listed."""
        index = self.position(session_id)
        return None if index is None else self[index]

    @property
    def made(self) -> int:
        """How many entries have been made (the rest are lines yet)."""
        return sum(1 for item in self._items if isinstance(item, SessionEntry))

    def lazy(self) -> bool:
        """Some entries are index lines not yet made."""
        return any(not isinstance(item, SessionEntry) for item in self._items)

    def titles(self) -> Iterator[tuple[str, str, str]]:
        """(id, title, team) of each session, in order, without keeping an entry made for
        it: the line is parsed, read and let go (the filter's texts of 10,000 sessions)."""
        for session_id, item in zip(self.ids, self._items, strict=True):
            if isinstance(item, SessionEntry):
                yield session_id, item.title, item.team
                continue
            try:
                parsed = json.loads(self._lines[item])
                title, team = parsed[4], parsed[5]
            except (ValueError, RecursionError, TypeError, IndexError, KeyError):
                title = team = ""
            if type(title) is not str or type(team) is not str:
                title = team = ""
            yield session_id, title, team

    def merged(self, drop: set[str], add: Sequence[SessionEntry]) -> Rows:
        """New rows: without the sessions in ``drop``, with ``add`` each put in its place in
        the list's order (found by bisection: only the entries it compares with are made)."""
        items, ids = self._items, self.ids
        if drop:
            kept = [n for n, key in enumerate(ids) if key not in drop]
            items = [items[n] for n in kept]
            ids = [ids[n] for n in kept]
        else:
            items, ids = list(items), list(ids)
        rows = Rows(items, ids, self._make, self._lines)
        if not add:
            return rows
        for entry in sorted(add, key=sort_key):
            if rows.position(entry.id) is not None:  # listed already: this one replaces it
                rows = rows.merged({entry.id}, [])
            keys = _Keys(rows)
            at = bisect_left(keys, sort_key(entry))
            rows._items.insert(at, entry)
            rows.ids.insert(at, entry.id)
            rows._positions = None
        return rows


class _Keys(Sequence[tuple[int, float, str]]):
    """The sort keys of some rows, made only for the rows a bisection looks at."""

    def __init__(self, rows: Rows) -> None:
        self.rows = rows

    def __len__(self) -> int:
        return len(self.rows)

    @overload
    def __getitem__(self, index: int) -> tuple[int, float, str]: ...

    @overload
    def __getitem__(self, index: slice) -> list[tuple[int, float, str]]: ...

    def __getitem__(
        self, index: int | slice
    ) -> tuple[int, float, str] | list[tuple[int, float, str]]:
        if isinstance(index, slice):
            return [sort_key(entry) for entry in self.rows[index]]
        return sort_key(self.rows[index])


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
