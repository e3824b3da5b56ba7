"""Session <-> TOML.  Pure: no file I/O here (see ``store``), no Textual.

``from_dict`` is the only way data from a file becomes a ``Session``: it checks the type of
every field, every enum value, required keys, item ids and the shape of the reverse map, and
raises ``CodecError`` naming the offending field (``pilots[1].end: expected a date, got
'soon'``).  Text is cleaned of control characters on the way in *and* on the way out.

Keys this version does not know are kept in the ``extra`` dict of the table they were found
in and written back after the known keys, so a file edited by a newer version (or by hand)
loses nothing.  ``None`` is never written: an empty optional value is an absent key.

Why one long module: it is the file format's single reader and writer; the field specs,
the readers of whole tables that check them and the writer share the same private tables.
The single values (each read and checked, and ``CodecError``) are in ``core/codec_values.py``;
the save's read-back proof is this module's other half, in ``core/readback.py``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from backplan_tui.core import basics, tomlread
from backplan_tui.core.codec_values import (
    CodecError,
    NewerSchemaError,
    _enum,
    _fail,
    _key_path,
    _list_of,
    _map_of,
    _read_bool,
    _read_cadence,
    _read_date,
    _read_datetime,
    _read_extra,
    _read_float,
    _read_id,
    _read_int,
    _read_line,
    _read_table,
    _read_table_list,
    _read_text,
)
from backplan_tui.core.model import (
    ALL_STEPS,
    CADENCES,
    CONFIDENCES,
    DECISIONS,
    DEFAULT_REVIEW_CADENCE,
    DIRECTIONS,
    LEVELS,
    NODE_STATUSES,
    PILOT_STATUSES,
    QUESTION_STATUSES,
    SCHEMA_VERSION,
    STANCES,
    Adjustment,
    CheckIn,
    Communication,
    Conflict,
    Facilitation,
    FutureState,
    MapNode,
    Outcome,
    Owner,
    Pilot,
    Question,
    ReportMark,
    Session,
    Stakeholder,
)
from backplan_tui.core.textclean import clean_line, clean_text

__all__ = [
    "MAX_DEPTH",
    "MAX_FILE_BYTES",
    "MIGRATIONS",
    "CodecError",
    "NewerSchemaError",
    "dumps",
    "from_dict",
    "loads",
    "to_dict",
]

# tomllib and tomli_w are imported where they are used: a `backplan list` that only reads
# the index parses no TOML and should not pay for importing them.
MAX_FILE_BYTES = basics.MAX_FILE_BYTES
MAX_DEPTH = tomlread.MAX_DEPTH  # tables and arrays inside each other


# --- field specs ------------------------------------------------------------------------------

# How each kind of field is read (validated + cleaned) and written (cleaned).
_LINE = "line"
_TEXT = "text"


@dataclass(frozen=True)
class _Field:
    name: str
    read: Callable[[Any, str], Any]
    required: bool = False
    keep_empty: bool = False  # write even when "", [] or {}
    text: str = ""  # _LINE / _TEXT: how strings are cleaned on write
    default: Any = None  # a value not written (absent means it), when not None


def _line(name: str, **kw: Any) -> _Field:
    return _Field(name, _read_line, text=_LINE, **kw)


def _text(name: str) -> _Field:
    return _Field(name, _read_text, text=_TEXT)


_read_lines = _list_of(_read_line)
_read_texts = _list_of(_read_text)
_read_int_map = _map_of(_read_int)
_read_float_map = _map_of(_read_float)
_read_date_map = _map_of(_read_date)

_SESSION_HEADER: tuple[_Field, ...] = (
    _Field("id", _read_id, required=True, text=_LINE),
    _Field("title", _read_line, required=True, keep_empty=True, text=_LINE),
    _line("team"),
    _line("facilitator"),
    _Field("participants", _read_lines, text=_LINE),
    _line("template", keep_empty=True),
    _Field("created", _read_datetime),
    _Field("updated", _read_datetime),
    _Field("revision", _read_int),
    _Field("current_step", _enum(ALL_STEPS)),
    _Field("review_cadence", _read_cadence, default=DEFAULT_REVIEW_CADENCE),
)
_FUTURE_STATE: tuple[_Field, ...] = (
    _text("statement"),
    _Field("target_date", _read_date),
    _text("aligned_objective"),
    _Field("working_days", _read_bool),  # durations count Mon-Fri only (written when true)
)
_OUTCOME: tuple[_Field, ...] = (
    _Field("id", _read_id, required=True, text=_LINE),
    _line("metric"),
    _line("unit"),
    _Field("baseline", _read_float),
    _Field("target", _read_float),
    _Field("direction", _enum(DIRECTIONS)),
    _Field("due", _read_date),
    _line("by"),
)
_QUESTION: tuple[_Field, ...] = (
    _Field("id", _read_id, required=True, text=_LINE),
    _text("prompt"),
    _text("answer"),
    _Field("status", _enum(QUESTION_STATUSES)),
    _line("owner"),
    _line("key"),
    _line("by"),
)
_MAP_NODE: tuple[_Field, ...] = (
    _Field("id", _read_id, required=True, text=_LINE),
    _line("title"),
    _line("parent"),
    _line("owner"),
    _Field("duration_days", _read_int),
    _Field("pinned_due", _read_date),
    _Field("status", _enum(NODE_STATUSES)),
    _Field("votes", _read_int_map),
    _text("notes"),
    _Field("milestone", _read_bool),  # written when true
    _Field("targets", _read_float_map),  # a milestone's KPI targets: outcome id -> value
    _line("by"),
)
_PILOT: tuple[_Field, ...] = (
    _Field("id", _read_id, required=True, text=_LINE),
    _line("name"),
    _text("hypothesis"),
    _Field("tests", _read_lines, text=_LINE),
    _line("outcome"),
    _line("metric"),
    _line("owner"),
    _Field("start", _read_date),
    _Field("end", _read_date),
    _text("success_rule"),
    _Field("status", _enum(PILOT_STATUSES)),
    _text("result"),
    _Field("decision", _enum(DECISIONS)),
    _Field("votes", _read_int_map),
    _line("by"),
)
_CHECKIN: tuple[_Field, ...] = (
    _Field("date", _read_date, required=True),
    _Field("values", _read_float_map),
    _Field("confidence", _enum(CONFIDENCES)),
    _text("note"),
    _line("by"),
)
_ADJUSTMENT: tuple[_Field, ...] = (
    _Field("date", _read_date, required=True),
    _text("what"),
    _text("why"),
    _line("by"),
)
_OWNER: tuple[_Field, ...] = (
    _Field("id", _read_id, required=True, text=_LINE),
    _line("name"),
    _Field("capacity_hours", _read_float),
    _line("by"),
)
_STAKEHOLDER: tuple[_Field, ...] = (
    _Field("id", _read_id, required=True, text=_LINE),
    _line("name"),
    _line("role"),
    _Field("interest", _enum(LEVELS)),
    _Field("influence", _enum(LEVELS)),
    _Field("stance", _enum(STANCES)),
    _text("needs"),
    _line("by"),
)
_COMMUNICATION: tuple[_Field, ...] = (
    _Field("id", _read_id, required=True, text=_LINE),
    _text("what"),
    _Field("audience", _read_lines, text=_LINE),
    _line("channel"),
    _Field("cadence", _enum(CADENCES)),
    _Field("next", _read_date),
    _line("owner"),
    _line("by"),
)
_REPORT: tuple[_Field, ...] = (
    _Field("made", _read_date, required=True),
    _Field("due", _read_date_map),
    _Field("done", _read_lines, text=_LINE),
    _line("by"),
)
_CONFLICT: tuple[_Field, ...] = (
    _line("where"),
    _line("item"),
    _Field("field", _read_line, required=True, text=_LINE),
    _line("by"),
    _Field("theirs", lambda value, where: _read_extra(value), text=_TEXT),
)
_FACILITATION: tuple[_Field, ...] = (
    _Field("timebox_minutes", _read_int_map, keep_empty=True),
    _Field("votes_per_person", _read_int),
    _Field("parking_lot", _read_texts, text=_TEXT),
    _Field("used_seconds", _read_int_map),  # the timeboxes' use (core.timebox)
    _Field("added_seconds", _read_int_map),
)

# Keys of tables that hold nested structures, handled by hand.
_SESSION_TABLES = (
    "future_state",
    "questions",
    "map",
    "pilots",
    "checkins",
    "adjustments",
    "owners",
    "stakeholders",
    "communications",
    "reports",
    "facilitation",
    "conflicts",
)
_SESSION_KEYS = frozenset(["schema_version", *(f.name for f in _SESSION_HEADER), *_SESSION_TABLES])
_FUTURE_STATE_KEYS = frozenset([*(f.name for f in _FUTURE_STATE), "outcomes"])


def _read_fields(
    table: dict[str, Any], where: str, fields: tuple[_Field, ...], known: frozenset[str]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Known fields -> (kwargs, extra).  ``known`` also lists keys the caller handles itself."""
    kwargs: dict[str, Any] = {}
    for spec in fields:
        path = f"{where}.{spec.name}" if where else spec.name
        if spec.name in table:
            kwargs[spec.name] = spec.read(table[spec.name], path)
        elif spec.required:
            raise CodecError(path, "required but missing")
    extra = {clean_line(str(k)): _read_extra(v) for k, v in table.items() if k not in known}
    return kwargs, extra


def _read_items(
    data: dict[str, Any], key: str, where: str, fields: tuple[_Field, ...], cls: type
) -> list[Any]:
    if key not in data:
        return []
    known = frozenset(f.name for f in fields)
    return [
        _read_item(table, f"{where}[{i}]", fields, known, cls)
        for i, table in enumerate(_read_table_list(data[key], where))
    ]


def _read_item(
    table: dict[str, Any], where: str, fields: tuple[_Field, ...], known: frozenset[str], cls: type
) -> Any:
    """One item of an array of tables (a question, a map node, ...) -> its dataclass."""
    kwargs, extra = _read_fields(table, where, fields, known)
    return cls(**kwargs, extra=extra)


# Older schema -> the next one: pure dict -> dict functions, keyed by the version they read
# (``MIGRATIONS[1]`` turns a schema-1 dict into a schema-2 dict).  A file of an older version
# is migrated step by step when it is read; the store keeps a copy of the old file
# (``backups/<id>/pre-migration-v<N>.toml``) before the first save overwrites it.
MIGRATIONS: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {}
_MIGRATIONS = MIGRATIONS  # the old private name


def _oldest_readable() -> int:
    """The lowest schema version from which migrations reach ``SCHEMA_VERSION``."""
    version = SCHEMA_VERSION
    while version - 1 in MIGRATIONS:
        version -= 1
    return version


def _read_schema_version(data: dict[str, Any], allow_newer: bool = False) -> int:
    if "schema_version" not in data:
        return SCHEMA_VERSION
    value = data["schema_version"]
    if type(value) is not int:
        raise _fail("schema_version", "an integer", value)
    if value > SCHEMA_VERSION and not allow_newer:
        raise NewerSchemaError(value)
    oldest = _oldest_readable()
    if value < oldest:
        raise CodecError("schema_version", f"expected {oldest} or more, got {value}")
    return value


def _migrate(data: dict[str, Any], version: int) -> dict[str, Any]:
    """Apply ``MIGRATIONS`` from ``version`` up to ``SCHEMA_VERSION``."""
    while version < SCHEMA_VERSION:
        try:
            data = MIGRATIONS[version](data)
        except CodecError:
            raise
        except Exception as err:  # a migration meeting data it did not expect
            raise CodecError(
                "schema_version", f"cannot migrate from schema {version}: {err}"
            ) from None
        if not isinstance(data, dict):
            break
        version += 1
    return data


def _check_depth(data: dict[str, Any]) -> None:
    """``tomlread.check_depth`` as a ``CodecError`` naming the top-level key."""
    try:
        tomlread.check_depth(data)
    except tomlread.NestingError as err:
        raise CodecError(err.field, err.message) from None


def from_dict(data: dict[str, Any], source: str = "", *, allow_newer: bool = False) -> Session:
    """A validated, cleaned ``Session`` from parsed TOML; ``CodecError`` names the bad field.

    An older ``schema_version`` is migrated (``MIGRATIONS``); a newer one raises
    ``NewerSchemaError`` unless ``allow_newer``, which reads it with this version's rules
    (for read-only viewing).  ``Session.schema_version`` tells the version of the *input*
    (``to_dict`` always writes the current one).
    """
    try:
        return _from_dict(data, allow_newer)
    except CodecError as err:
        raise err._with_source(source) from None


def _from_dict(data: Any, allow_newer: bool = False) -> Session:
    if not isinstance(data, dict):
        raise _fail("(root)", "a table", data)
    _check_depth(data)
    found = _read_schema_version(data, allow_newer)
    if found < SCHEMA_VERSION:
        data = _migrate(data, found)
        if not isinstance(data, dict):
            raise CodecError("schema_version", f"migration from schema {found} failed")
        _check_depth(data)
    kwargs, extra = _read_fields(data, "", _SESSION_HEADER, _SESSION_KEYS)

    future_state = FutureState()
    if "future_state" in data:
        fs_table = _read_table(data["future_state"], "future_state")
        fs_kwargs, fs_extra = _read_fields(
            fs_table, "future_state", _FUTURE_STATE, _FUTURE_STATE_KEYS
        )
        outcomes = _read_items(fs_table, "outcomes", "future_state.outcomes", _OUTCOME, Outcome)
        future_state = FutureState(**fs_kwargs, outcomes=outcomes, extra=fs_extra)

    facilitation = Facilitation()
    if "facilitation" in data:
        fa_table = _read_table(data["facilitation"], "facilitation")
        fa_known = frozenset(f.name for f in _FACILITATION)
        fa_kwargs, fa_extra = _read_fields(fa_table, "facilitation", _FACILITATION, fa_known)
        facilitation = Facilitation(**fa_kwargs, extra=fa_extra)

    session = Session(
        **kwargs,
        schema_version=found,
        future_state=future_state,
        questions=_read_items(data, "questions", "questions", _QUESTION, Question),
        map=_read_items(data, "map", "map", _MAP_NODE, MapNode),
        pilots=_read_items(data, "pilots", "pilots", _PILOT, Pilot),
        checkins=_read_items(data, "checkins", "checkins", _CHECKIN, CheckIn),
        adjustments=_read_items(data, "adjustments", "adjustments", _ADJUSTMENT, Adjustment),
        owners=_read_items(data, "owners", "owners", _OWNER, Owner),
        stakeholders=_read_items(data, "stakeholders", "stakeholders", _STAKEHOLDER, Stakeholder),
        communications=_read_items(
            data, "communications", "communications", _COMMUNICATION, Communication
        ),
        reports=_read_items(data, "reports", "reports", _REPORT, ReportMark),
        facilitation=facilitation,
        conflicts=_read_items(data, "conflicts", "conflicts", _CONFLICT, Conflict),
        extra=extra,
    )
    _check_ids(session)
    _check_map(session)
    return session


def _check_ids(session: Session) -> None:
    """Item ids are unique across outcomes, questions, map nodes, pilots, owners,
    stakeholders and communications."""
    seen: dict[str, str] = {}
    groups: list[tuple[str, list[Any]]] = [
        ("future_state.outcomes", session.future_state.outcomes),
        ("questions", session.questions),
        ("map", session.map),
        ("pilots", session.pilots),
        ("owners", session.owners),
        ("stakeholders", session.stakeholders),
        ("communications", session.communications),
    ]
    for where, items in groups:
        for i, item in enumerate(items):
            path = f"{where}[{i}].id"
            if item.id in seen:
                raise CodecError(path, f"duplicate id {item.id!r} (also used by {seen[item.id]})")
            seen[item.id] = path


def _check_map(session: Session) -> None:
    """Every parent exists and following parents always reaches the goal (no cycles)."""
    index = {node.id: i for i, node in enumerate(session.map)}
    for i, node in enumerate(session.map):
        if node.parent and node.parent not in index:
            raise CodecError(f"map[{i}].parent", f"no map node has the id {node.parent!r}")
    done: set[str] = set()
    for node in session.map:
        path: list[str] = []
        on_path: set[str] = set()
        current: str = node.id
        while current and current not in done:
            if current in on_path:
                cycle = path[path.index(current) :] + [current]
                raise CodecError(
                    f"map[{index[current]}].parent",
                    "the parents form a cycle: " + " -> ".join(cycle),
                )
            path.append(current)
            on_path.add(current)
            current = session.map[index[current]].parent
        done.update(path)


# --- writing -----------------------------------------------------------------------------


def _is_empty(value: Any) -> bool:
    """None, "", [] or {} (not 0, not an empty tuple)."""
    return value is None or (not value and isinstance(value, (str, list, dict)))


def _write_value(value: Any, spec: _Field) -> Any:
    if isinstance(value, str):
        return clean_text(value) if spec.text == _TEXT else clean_line(value)
    if isinstance(value, datetime):
        return _utc(value)
    if type(value) is int and spec.read in (_read_float, _read_float_map):
        return float(value)
    if isinstance(value, dict):
        return {clean_line(str(k)): _write_value(v, spec) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_write_value(v, spec) for v in value]
    return value


def _utc(value: datetime) -> datetime:
    # tomli-w writes sub-minute offsets as invalid TOML, so datetimes are always written in UTC.
    if value.tzinfo is None or value.utcoffset() is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def _write_fields(obj: Any, fields: tuple[_Field, ...], out: dict[str, Any]) -> dict[str, Any]:
    for spec in fields:
        value = getattr(obj, spec.name)
        if value is None or value is False:  # no null in TOML; a false flag is the default
            continue
        if spec.default is not None and value == spec.default:
            continue
        if _is_empty(value) and not (spec.required or spec.keep_empty):
            continue
        out[spec.name] = _write_value(value, spec)
    return out


def _write_extra(
    obj: Any, where: str, known: frozenset[str], out: dict[str, Any]
) -> dict[str, Any]:
    for key, value in (obj.extra or {}).items():
        key = clean_line(str(key))
        if key in known:
            raise CodecError(
                _key_path(where, key) if where else key,
                "an unknown-key (extra) value has the name of a known field",
            )
        if value is not None:
            out[key] = _read_extra(value)
    return out


def _write_items(items: list[Any], where: str, fields: tuple[_Field, ...]) -> list[dict]:
    known = frozenset(f.name for f in fields)
    return [_write_item(item, f"{where}[{i}]", fields, known) for i, item in enumerate(items)]


def _write_item(item: Any, where: str, fields: tuple[_Field, ...], known: frozenset[str]) -> dict:
    """One item (a question, a map node, ...) -> its table; the inverse of ``_read_item``."""
    return _write_extra(item, where, known, _write_fields(item, fields, {}))


def to_dict(session: Session) -> dict[str, Any]:
    """A TOML-able dict in the documented key order; datetimes in UTC; no ``None`` anywhere."""
    out: dict[str, Any] = {"schema_version": SCHEMA_VERSION}
    _write_fields(session, _SESSION_HEADER, out)

    fs = session.future_state
    fs_out = _write_fields(fs, _FUTURE_STATE, {})
    outcomes = _write_items(fs.outcomes, "future_state.outcomes", _OUTCOME)
    if outcomes:
        fs_out["outcomes"] = outcomes
    _write_extra(fs, "future_state", _FUTURE_STATE_KEYS, fs_out)
    if fs_out:
        out["future_state"] = fs_out

    for key, items, fields in (
        ("questions", session.questions, _QUESTION),
        ("map", session.map, _MAP_NODE),
        ("pilots", session.pilots, _PILOT),
        ("checkins", session.checkins, _CHECKIN),
        ("adjustments", session.adjustments, _ADJUSTMENT),
        ("owners", session.owners, _OWNER),
        ("stakeholders", session.stakeholders, _STAKEHOLDER),
        ("communications", session.communications, _COMMUNICATION),
        ("reports", session.reports, _REPORT),
    ):
        written = _write_items(items, key, fields)
        if written:
            out[key] = written

    fa = session.facilitation
    fa_known = frozenset(f.name for f in _FACILITATION)
    out["facilitation"] = _write_extra(
        fa, "facilitation", fa_known, _write_fields(fa, _FACILITATION, {})
    )
    conflicts = _write_items(session.conflicts, "conflicts", _CONFLICT)
    if conflicts:
        out["conflicts"] = conflicts
    return _write_extra(session, "", _SESSION_KEYS, out)


def dumps(session: Session) -> str:
    """The session as TOML text: deterministic (same session -> same text), final newline."""
    import tomli_w

    text = tomli_w.dumps(to_dict(session), multiline_strings=True)
    return text if text.endswith("\n") else text + "\n"


# The nesting limits of every TOML file backplan reads (kept under their old names here).
_has_long_dotted_key = tomlread.has_long_dotted_key


def loads(text: str, source: str = "", *, allow_newer: bool = False) -> Session:
    """Parse and validate TOML text.  A syntax error is ``CodecError`` with field ``(toml)``."""
    import tomllib

    try:
        data = tomlread.parse(text, check=False)  # from_dict checks the depth
    except tomllib.TOMLDecodeError as err:
        raise CodecError("(toml)", str(err), source) from None
    except tomlread.NestingError as err:
        raise CodecError(err.field, err.message, source) from None
    return from_dict(data, source, allow_newer=allow_newer)
