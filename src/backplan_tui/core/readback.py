"""The save's proof that a session's text reads back as the same session.

``dumps_checked(session)`` is ``codec.dumps`` with that proof, done in pieces so a save after
a small edit re-checks only what changed (see there).  The codec's other half: it reads the
codec's field tables and item readers, which is why it may use the codec's private names.

Pure: no file I/O, no Textual.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from backplan_tui.core import codec
from backplan_tui.core.model import (
    Adjustment,
    CheckIn,
    Communication,
    MapNode,
    Owner,
    Pilot,
    Question,
    ReportMark,
    Session,
    Stakeholder,
)

__all__ = ["ReadBackError", "dumps_checked"]


class ReadBackError(codec.CodecError):
    """The text written for a session would not read back as the same session."""

    def __init__(self, source: str = "") -> None:
        super().__init__("", "the file would not read back the same", source)


# The arrays of tables that hold a session's items, each with how one item is read.
_ITEM_TABLES: dict[str, tuple[tuple[codec._Field, ...], type]] = {
    "questions": (codec._QUESTION, Question),
    "map": (codec._MAP_NODE, MapNode),
    "pilots": (codec._PILOT, Pilot),
    "checkins": (codec._CHECKIN, CheckIn),
    "adjustments": (codec._ADJUSTMENT, Adjustment),
    "reports": (codec._REPORT, ReportMark),
    "owners": (codec._OWNER, Owner),
    "stakeholders": (codec._STAKEHOLDER, Stakeholder),
    "communications": (codec._COMMUNICATION, Communication),
}
_ITEM_KNOWN = {key: frozenset(f.name for f in fields) for key, (fields, _) in _ITEM_TABLES.items()}


class _NoFastPath(Exception):
    """Internal: ``dumps_checked`` takes the full check instead (never an answer by itself)."""


@dataclass(frozen=True)
class _CheckedItem:
    text: str  # the item as one ``[[key]]`` table, the way tomli-w writes it in its array
    inline: bool  # tomli-w writes this item inline if every item of its array is like it
    item: Any  # the item as read back from ``text`` (only looked at: ids and parents)
    size: int  # characters held, for the cache's budget


class _CheckedItems:
    """Items whose text passed the read-back check, keyed by (array, ``repr`` of the item's
    table).  The least recently used go beyond ``budget`` characters.  Thread-safe: saves
    run in worker threads."""

    def __init__(self, budget: int) -> None:
        self.budget = budget
        self._size = 0
        self._items: OrderedDict[tuple[str, str], _CheckedItem] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[str, str]) -> _CheckedItem | None:
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
            return found

    def put(self, key: tuple[str, str], checked: _CheckedItem) -> None:
        with self._lock:
            if key in self._items:
                return
            self._items[key] = checked
            self._size += checked.size
            while self._size > self.budget and self._items:
                self._size -= self._items.popitem(last=False)[1].size

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._size = 0

    def __len__(self) -> int:
        return len(self._items)


_CHECKED = _CheckedItems(budget=4_000_000)


def dumps_checked(session: Session) -> str:
    """``dumps(session)``, proven to read back: ``loads`` of the text gives a session whose
    ``to_dict`` equals ``to_dict(session)``.  ``ReadBackError`` when it would not, the
    ``CodecError`` of ``loads`` when the text would not load at all.

    The proof is done in pieces so that a save after a small edit re-checks only what
    changed.  The text is tomli-w's own output cut where it starts a new top-level table or
    ``[[array]]`` item.  Each item of the arrays in ``_ITEM_TABLES`` is written alone, parsed
    alone with ``tomllib``, compared with its table, read (validated) and written again; an
    item whose table is the same as one already checked reuses that checked text, byte for
    byte (``_CHECKED``).  Everything else (the top-level keys, ``future_state``,
    ``facilitation``, unknown tables) is written and parsed on every call and validated with
    ``from_dict``; then the ids and the map's parents are checked across all items.  A TOML
    text cut this way parses to the union of its pieces: every piece ends with a newline and
    parses alone (so no string or array is left open), and each one after the first starts
    with a table header of its own top-level key.  Anything unexpected is no answer: the full
    check (``to_dict(loads(text)) == to_dict(session)``) decides.
    """
    import tomli_w

    data = codec.to_dict(session)
    try:
        return _dumps_in_pieces(data)
    except (_NoFastPath, codec.CodecError, TypeError, ValueError):  # TOMLDecodeError too
        pass
    text = tomli_w.dumps(data, multiline_strings=True)
    text = text if text.endswith("\n") else text + "\n"
    if codec.to_dict(codec.loads(text)) != data:
        raise ReadBackError()
    return text


def _dumps_in_pieces(data: dict[str, Any]) -> str:
    import tomli_w

    rest: dict[str, Any] = {}  # everything but the arrays written item by item
    literals: dict[str, Any] = {}
    tables: list[tuple[str, Any]] = []  # (key, a table or the checked items of an array)
    arrays: dict[str, list[_CheckedItem]] = {}
    for key, value in data.items():
        if isinstance(value, dict):
            tables.append((key, value))
            rest[key] = value
        elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            if key not in _ITEM_TABLES:
                raise _NoFastPath  # an unknown array of tables (a newer file): rare
            items = [_checked_item(key, i, table) for i, table in enumerate(value)]
            if all(item.inline for item in items):  # tomli-w writes the whole array inline
                literals[key] = rest[key] = value
            else:
                tables.append((key, items))
                arrays[key] = items
        else:
            literals[key] = rest[key] = value

    parts: list[str] = []
    parsed: dict[str, Any] = {}
    if literals:
        piece = tomli_w.dumps(literals, multiline_strings=True)
        parsed.update(_parse_piece(piece, literals))
        parts.append(piece)
    for key, value in tables:
        if isinstance(value, dict):
            piece = tomli_w.dumps({key: value}, multiline_strings=True)
            if not piece.startswith("["):
                raise _NoFastPath
            parsed.update(_parse_piece(piece, {key: value}))
            if parts:
                parts.append("\n")
            parts.append(piece)
        else:
            for item in value:
                if parts:
                    parts.append("\n")
                parts.append(item.text)

    # The rest reads back as itself (validated by from_dict), then the checks across items.
    session = codec._from_dict(parsed)
    if codec.to_dict(session) != rest:
        raise _NoFastPath
    for key, items in arrays.items():
        setattr(session, key, [item.item for item in items])
    codec._check_ids(session)
    codec._check_map(session)
    return "".join(parts)


def _parse_piece(piece: str, expected: dict[str, Any]) -> dict[str, Any]:
    """``piece`` parsed alone; ``_NoFastPath`` unless it is exactly ``expected``."""
    import tomllib

    if not piece.endswith("\n") or codec._has_long_dotted_key(piece):
        raise _NoFastPath
    parsed = tomllib.loads(piece)
    if parsed != expected:
        raise _NoFastPath
    return parsed


def _checked_item(key: str, index: int, table: dict[str, Any]) -> _CheckedItem:
    """One item of ``data[key]`` as text that was checked to read back as ``table``."""
    import tomli_w

    cache_key = (key, repr(table))
    checked = _CHECKED.get(cache_key)
    if checked is not None:
        return checked
    # In an array of tables tomli-w writes an item as the plain table with its header
    # doubled, or inline when every item of the array fits on one line (``_inline``).
    head, _, body = tomli_w.dumps({key: table}, multiline_strings=True).partition("\n")
    if head != f"[{key}]":
        raise _NoFastPath
    text = f"[[{key}]]\n{body}"
    inline = _inline(key, table)
    parsed = _parse_piece(text, {key: [table]})
    codec._check_depth(parsed)
    where = f"{key}[{index}]"
    fields, cls = _ITEM_TABLES[key]
    known = _ITEM_KNOWN[key]
    item = codec._read_item(parsed[key][0], where, fields, known, cls)
    if codec._write_item(item, where, fields, known) != table:
        raise _NoFastPath
    checked = _CheckedItem(text, inline, item, len(text) + len(cache_key[1]))
    _CHECKED.put(cache_key, checked)
    return checked


def _inline(key: str, table: dict[str, Any]) -> bool:
    """Whether tomli-w finds ``table`` short enough to write inline (one line of at most
    100 characters).  Strings longer than that together, a string with a newline (written
    as a multi-line string) or an array (one item a line) rule it out without writing it."""
    strings = 0
    for value in table.values():
        if isinstance(value, str):
            if "\n" in value:
                return False
            strings += len(value)
        elif isinstance(value, (list, tuple)) and value:
            return False
    if strings > 100:
        return False
    import tomli_w

    return not tomli_w.dumps({key: [table]}, multiline_strings=True).startswith(f"[[{key}]]\n")
