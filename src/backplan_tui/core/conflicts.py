"""Resolving what a merge kept from both sides: one conflict, one choice.

A merge that met two edits of one field keeps ours in place and theirs as a ``Conflict``
(``core.merge``).  The room settles each with one key: keep what is shown ("mine"), or take
theirs.  Taking theirs goes through the codec, so a value of the wrong type (a hand-edited
file) is refused with the field named instead of reaching the session.

Pure: no I/O, no Textual.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from backplan_tui.core import codec
from backplan_tui.core.model import Conflict, Session

Choice = Literal["mine", "theirs"]
_LABELS = {
    "future_state.outcomes": "outcome",
    "questions": "question",
    "map": "condition",
    "pilots": "pilot",
    "stakeholders": "stakeholder",
    "communications": "communication",
    "owners": "owner",
}
_NAME_KEYS = ("title", "name", "prompt", "metric", "what")


class ResolveError(ValueError):
    """Their value cannot be taken (the item is gone, or the value does not fit the field)."""


@dataclass(frozen=True)
class Shown:
    """A conflict as the room reads it."""

    what: str  # "the question 'Who benefits?'" / "the session"
    field: str
    mine: str
    theirs: str
    by: str


def _items(data: dict[str, Any], where: str) -> list[Any] | None:
    node: Any = data
    for key in where.split("."):
        node = node.get(key) if isinstance(node, dict) else None
    return node if isinstance(node, list) else None


def _target(data: dict[str, Any], conflict: Conflict) -> dict[str, Any] | None:
    """The table that holds the field: the item's, or the session's own."""
    if not conflict.where:
        return data
    for item in _items(data, conflict.where) or []:
        if isinstance(item, dict) and item.get("id") == conflict.item:
            return item
    return None


def _get(table: dict[str, Any], dotted: str) -> Any:
    node: Any = table
    for key in dotted.split("."):
        if not isinstance(node, dict) or key not in node:
            return None
        node = node[key]
    return node


def _set(table: dict[str, Any], dotted: str, value: Any) -> None:
    keys = dotted.split(".")
    node = table
    for key in keys[:-1]:
        child = node.get(key)
        if not isinstance(child, dict):
            child = {}
            node[key] = child
        node = child
    if value is None:
        node.pop(keys[-1], None)
    else:
        node[keys[-1]] = value


def _text(value: Any) -> str:
    if value is None:
        return "(empty)"
    if isinstance(value, list):
        return ", ".join(_text(v) for v in value) or "(empty)"
    if isinstance(value, dict):
        return ", ".join(f"{k}: {_text(v)}" for k, v in value.items()) or "(empty)"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def describe(session: Session, index: int) -> Shown:
    """Conflict ``index`` in words: what it is about, and both values."""
    return _shown(codec.to_dict(session), session.conflicts[index])


def describe_all(session: Session) -> list[Shown]:
    """Every conflict in words, in file order (the session read into a dict once)."""
    if not session.conflicts:
        return []
    data = codec.to_dict(session)
    return [_shown(data, conflict) for conflict in session.conflicts]


def _shown(data: dict[str, Any], conflict: Conflict) -> Shown:
    table = _target(data, conflict)
    if not conflict.where:
        what = "the session"
    else:
        label = _LABELS.get(conflict.where, "item")
        name = ""
        if table is not None:
            name = next((str(table[k]) for k in _NAME_KEYS if table.get(k)), "")
        what = f"the {label} '{name}'" if name else f"the {label} {conflict.item}"
        if table is None:
            what += " (deleted since)"
    mine = _get(table, conflict.field) if table is not None else None
    return Shown(what, conflict.field, _text(mine), _text(conflict.theirs), conflict.by)


def resolve(session: Session, index: int, choice: Choice) -> Session:
    """A new session with conflict ``index`` settled: "mine" drops their value, "theirs"
    puts it in place.  ``ResolveError`` when theirs cannot be taken."""
    if not 0 <= index < len(session.conflicts):
        raise ResolveError(f"there is no conflict {index + 1}")
    data = codec.to_dict(session)
    records = data.get("conflicts")
    if not isinstance(records, list) or index >= len(records):  # pragma: no cover - to_dict
        raise ResolveError(f"there is no conflict {index + 1}")
    conflict = session.conflicts[index]
    del records[index]
    if not records:
        data.pop("conflicts")
    if choice == "theirs":
        table = _target(data, conflict)
        if table is None:
            raise ResolveError(
                f"{describe(session, index).what} is no longer in the plan; keep yours instead"
            )
        if not conflict.where and conflict.field in ("id", "schema_version", "conflicts"):
            raise ResolveError(f"{conflict.field} cannot be taken from the other side")
        _set(table, conflict.field, conflict.theirs)
    try:
        return codec.from_dict(data, "merge")
    except codec.CodecError as error:
        raise ResolveError(f"their value does not fit: {error}") from error


def note(conflict: Conflict) -> str:
    """One line for an item's detail: "Ben also changed prompt: Who benefits most?"."""
    who = conflict.by or "Someone"
    return f"{who} also changed {conflict.field}: {_text(conflict.theirs)}"


def whose(by: str) -> str:
    """ "Ben's", or "theirs" when the other side had no name."""
    from backplan_tui.core.textclean import clean_line

    name = " ".join(clean_line(by).split())
    return f"{name}'s" if name else "theirs"


def count_label(count: int) -> str:
    """ "⚠ 1 conflict", "⚠ 2 conflicts" (words, not a colour); "" for none."""
    if count <= 0:
        return ""
    return f"⚠ {count} conflict{'' if count == 1 else 's'}"
