"""Three-way merge of sessions, item by item (team mode).

``merge(base, ours, theirs)`` works on the plain dicts of ``codec.to_dict`` (what a file
holds), so a field this version does not know merges like any other and is never dropped.
``base`` is the version both sides started from, ``ours`` the one in this process (or the
current branch, for git), ``theirs`` the other one (the file on disk, or the other branch).

The rules, in plain words:

- Items (outcomes, questions, map nodes, pilots, owners, stakeholders, communications) are
  matched by id. Edits of different
  items, or of different fields of one item, are all kept.
- An item added on either side is kept; added on both sides, both are kept. Two different
  items that got the same new id on both sides: theirs gets a fresh id, and every reference
  to it on their side (a parent, a pilot's tests, an outcome) follows.
- An item edited on one side and deleted on the other comes back with the edit, and the
  report says so. A map node deleted on one side while the other added a condition under it
  comes back too (a condition never loses its parent).
- Both sides changed the same field to different values: ours stays in place and theirs is
  kept as a conflict record in the session's ``conflicts`` list (item, field, their value),
  for the room to resolve. Never conflict markers, never a lost string.
- Check-ins, adjustments, report marks, parking-lot items, participants, a pilot's tests, a
  message's audience and the conflict records merge as multisets: what either side added is
  kept, what either side removed (and the other left alone) goes. Votes merge per voter;
  where both sides changed one voter's count, the larger count stays.
- The order of a list follows the side that reordered it (ours when both did); items added
  on one side sit after the item they followed there. Items added after the same item on
  both sides are ordered the same way whichever side is "ours", so merging disjoint edits
  commutes.
- Bookkeeping: ``revision``, ``updated`` and ``schema_version`` take the larger value;
  ``current_step`` is ours (each screen keeps its own place).

Pure: no I/O, no Textual.

Why one long module: it is one algorithm (the rules above, the order of lists, the id
separation and the map repair) that reads best in one place; its property tests treat it as
one unit.
"""

from __future__ import annotations

import json
from collections.abc import Hashable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Final

__all__ = ["ITEM_LISTS", "MergeReport", "merge", "merge_sessions", "renamed_session"]


class _Missing:
    """An absent key (TOML has no null: an empty optional value is an absent key)."""

    _instance: _Missing | None = None

    def __new__(cls) -> _Missing:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Final = _Missing()

# The lists of items with an ``id``, by their path in the session dict.
ITEM_LISTS: Final[dict[tuple[str, ...], str]] = {
    ("future_state", "outcomes"): "outcome",
    ("questions",): "question",
    ("map",): "map node",
    ("pilots",): "pilot",
    ("owners",): "owner",
    ("stakeholders",): "stakeholder",
    ("communications",): "communication",
}
# Per-process fields: each side keeps its own.
_OURS_ONLY: Final = frozenset({("current_step",)})
# Bookkeeping that only grows.
_LARGEST: Final = frozenset({("revision",), ("updated",), ("schema_version",)})
CONFLICTS_KEY: Final = "conflicts"


@dataclass
class MergeReport:
    """What a merge did that the room should hear about."""

    notes: list[str] = field(default_factory=list)  # one line each, for a toast or a log
    conflicts: list[dict[str, Any]] = field(default_factory=list)  # the records added
    renamed: dict[str, str] = field(default_factory=dict)  # their id -> the id it got
    # What the other side added, for the room: "Ben added the question 'Budget?'"
    arrived: list[str] = field(default_factory=list)

    def note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)


def _canon(value: Any) -> str:
    """A stable text for any TOML-able value (dates and datetimes as ISO text)."""
    return json.dumps(value, sort_keys=True, default=str, ensure_ascii=False)


def _get(data: Any, key: str) -> Any:
    return data.get(key, MISSING) if isinstance(data, dict) else MISSING


# --- ordering ---------------------------------------------------------------------------------


def _order(
    base: list[Hashable], ours: list[Hashable], theirs: list[Hashable], keep: set[Hashable]
) -> list[Hashable]:
    """The merged order of the keys in ``keep`` (each key unique within each list).

    Keys from the base on both sides follow the side that reordered them (ours when both
    did).  Every other key goes after an anchor: a key one side added goes after the nearest
    key before it on that side that both sides have; a key both sides added goes after the
    later of its two nearest base keys.  What lands after one anchor is placed by its first
    key's text, so swapping ours and theirs gives the same order when neither reordered.
    """
    in_base, in_ours, in_theirs = set(base), set(ours), set(theirs)
    common_set = {k for k in ours if k in in_theirs and k in keep}
    both_new = common_set - in_base
    old = common_set & in_base
    ours_old = [k for k in ours if k in old]
    theirs_old = [k for k in theirs if k in old]
    skeleton = theirs_old if ours_old == [k for k in base if k in old] else ours_old
    rank = {k: i for i, k in enumerate(skeleton)}
    runs: dict[Hashable, list[list[Hashable]]] = {}
    for side, other in ((ours, in_theirs), (theirs, in_ours)):
        anchor: Hashable = None
        run: list[Hashable] = []
        for key in side:
            if key in common_set:
                if run:
                    runs.setdefault(anchor, []).append(run)
                anchor, run = key, []
            elif key in keep and key not in other:
                run.append(key)
        if run:
            runs.setdefault(anchor, []).append(run)
    for key in both_new:  # the later of its nearest base keys on either side
        anchors = [_base_anchor(side, key, rank) for side in (ours, theirs)]
        anchor = max(anchors, key=lambda a: -1 if a is None else rank[a])
        runs.setdefault(anchor, []).append([key])

    def at(anchor: Hashable) -> Iterator[list[Hashable]]:
        return iter(sorted(runs.get(anchor, []), key=lambda r: _canon(r[0])))

    ordered: list[Hashable] = []
    for anchor in [None, *skeleton]:
        if anchor is not None:
            ordered.append(anchor)
        stack = [at(anchor)]
        while stack:
            following = next(stack[-1], None)
            if following is None:
                stack.pop()
                continue
            ordered.extend(following)
            if following[0] in both_new:
                stack.append(at(following[0]))
    return ordered


def _base_anchor(side: list[Hashable], key: Hashable, rank: dict[Hashable, int]) -> Hashable:
    """The nearest key before ``key`` in ``side`` that is in the skeleton (None: the start)."""
    found: Hashable = None
    for k in side:
        if k == key:
            return found
        if k in rank:
            found = k
    return found


def _occurrences(values: list[Any]) -> list[tuple[str, int]]:
    """Each value as (its canonical text, which occurrence of it this is)."""
    seen: dict[str, int] = {}
    keyed: list[tuple[str, int]] = []
    for value in values:
        text = _canon(value)
        seen[text] = seen.get(text, 0) + 1
        keyed.append((text, seen[text]))
    return keyed


# --- the merge --------------------------------------------------------------------------------


class _Merger:
    def __init__(self, report: MergeReport, theirs_name: str) -> None:
        self.report = report
        self.theirs_name = theirs_name

    # values ---------------------------------------------------------------------------------

    def value(self, path: tuple[str, ...], base: Any, ours: Any, theirs: Any, item: Any) -> Any:
        """The merged value at ``path`` (``item``: (label, id) of the item it belongs to)."""
        if path in _OURS_ONLY:
            return ours
        if path in _LARGEST:
            present = [v for v in (ours, theirs) if v is not MISSING]
            try:
                return max(present) if present else MISSING
            except TypeError:
                return ours
        if ours == theirs:
            return ours
        if ours == base:
            self.arrivals(path, base, theirs)
            return theirs
        if theirs == base:
            return ours
        kinds = {type(v) for v in (base, ours, theirs) if v is not MISSING}
        if kinds == {dict}:
            return self.table(path, base, ours, theirs, item)
        if kinds == {list}:
            if path in ITEM_LISTS:
                return self.items(path, base, ours, theirs)
            return self.multiset(base, ours, theirs)
        if path and path[-1] == "votes" or (len(path) >= 2 and path[-2] == "votes"):
            numbers = [v for v in (ours, theirs) if isinstance(v, int)]
            return max(numbers) if numbers else ours
        self.conflict(path, ours, theirs, item)
        return ours

    def table(self, path: tuple[str, ...], base: Any, ours: Any, theirs: Any, item: Any) -> Any:
        b = base if isinstance(base, dict) else {}
        o = ours if isinstance(ours, dict) else {}
        t = theirs if isinstance(theirs, dict) else {}
        keys = list(o) + [k for k in t if k not in o]
        merged: dict[str, Any] = {}
        for key in keys:
            if key == CONFLICTS_KEY and not path:
                continue  # merged last (see ``merge``)
            value = self.value((*path, key), _get(b, key), _get(o, key), _get(t, key), item)
            if value is not MISSING:
                merged[key] = value
        if not merged and ours is MISSING:
            return MISSING
        return merged

    def multiset(self, base: Any, ours: Any, theirs: Any) -> list[Any]:
        """What either side added stays, what either side removed goes (counted per value)."""
        b = base if isinstance(base, list) else []
        o = ours if isinstance(ours, list) else []
        t = theirs if isinstance(theirs, list) else []
        bk, ok, tk = _occurrences(b), _occurrences(o), _occurrences(t)
        counts = {key: 0 for key in bk + ok + tk}
        in_b, in_o, in_t = set(bk), set(ok), set(tk)
        keep = {k for k in counts if (k in in_o and (k in in_t or k not in in_b))}
        keep |= {k for k in counts if k in in_t and k not in in_b and k not in in_o}
        values: dict[Hashable, Any] = {}
        for keys, items in ((bk, b), (tk, t), (ok, o)):
            values.update(zip(keys, items, strict=True))
        order = _order(list(bk), list(ok), list(tk), set[Hashable](keep))
        return [values[k] for k in order]

    def items(
        self, path: tuple[str, ...], base: Any, ours: Any, theirs: Any
    ) -> list[dict[str, Any]]:
        label = ITEM_LISTS[path]
        b, o, t = (_by_id(v) for v in (base, ours, theirs))
        keep: set[Hashable] = set()
        merged: dict[str, dict[str, Any]] = {}
        for item_id in [*o, *(k for k in t if k not in o)]:
            bi, oi, ti = b.get(item_id, MISSING), o.get(item_id, MISSING), t.get(item_id, MISSING)
            if oi is not MISSING and ti is not MISSING:
                result = self.value((*path, "*"), bi, oi, ti, (label, item_id))
            elif oi is not MISSING:  # theirs deleted it, or we added it
                if bi is MISSING:
                    result = oi
                elif oi == bi:
                    continue
                else:
                    result = oi
                    self.report.note(
                        f"The {label} {_name(oi)!r} was deleted by {self.theirs_name} and "
                        "edited here: it is kept, with the edit."
                    )
            else:  # we deleted it, or they added it
                if bi is MISSING:
                    result = ti
                    self.arrived(label, ti)
                elif ti == bi:
                    continue
                else:
                    result = ti
                    self.report.note(
                        f"The {label} {_name(ti)!r} was deleted here and edited by "
                        f"{self.theirs_name}: it is back, with their edit."
                    )
            merged[item_id] = result
            keep.add(item_id)
        order = _order(list(b), list(o), list(t), keep)
        extra = _unkeyed(ours) + [x for x in _unkeyed(theirs) if x not in _unkeyed(ours)]
        return [merged[k] for k in order if isinstance(k, str)] + extra

    # conflicts -------------------------------------------------------------------------------

    def arrived(self, label: str, item: Any) -> None:
        who = item.get("by") if isinstance(item, dict) else None
        who = who if isinstance(who, str) and who else self.theirs_name
        self.report.arrived.append(f"{who} added the {label} {_name(item)!r}")

    def arrivals(self, path: tuple[str, ...], base: Any, theirs: Any) -> None:
        """Report the items theirs added under ``path``, a part we left alone (and which is
        therefore taken as theirs whole)."""
        for list_path, label in ITEM_LISTS.items():
            if list_path[: len(path)] != path:
                continue
            b, t = base, theirs
            for key in list_path[len(path) :]:
                b, t = _get(b, key), _get(t, key)
            before = _by_id(b)
            for item_id, item in _by_id(t).items():
                if item_id not in before:
                    self.arrived(label, item)

    def conflict(self, path: tuple[str, ...], ours: Any, theirs: Any, item: Any) -> None:
        """Both sides changed ``path``: ours stays, theirs becomes a conflict record."""
        fields = [p for p in path if p != "*"]
        record: dict[str, Any] = {}
        if item:
            label, item_id = item
            where = next(p for p in ITEM_LISTS if ITEM_LISTS[p] == label)
            fields = fields[len(where) :]
            record.update(where=".".join(where), item=item_id)
            what = f"the {label} {item_id!r}"
        else:
            what = "the session"
        record.update(field=".".join(fields), by=self.theirs_name)
        if theirs is not MISSING:
            record["theirs"] = theirs
        self.report.conflicts.append(record)
        self.report.note(
            f"{self.theirs_name} also changed {'.'.join(fields)} of {what}: yours is "
            "shown, theirs is kept as a conflict to resolve."
        )


def _name(item: Any) -> str:
    for key in ("title", "name", "prompt", "metric"):
        if isinstance(item.get(key), str) and item[key]:
            return str(item[key])
    return str(item.get("id", ""))


def _by_id(items: Any) -> dict[str, dict[str, Any]]:
    """Items by id (the first of a repeated id, as ``model.by_id``)."""
    found: dict[str, dict[str, Any]] = {}
    if isinstance(items, list):
        for item in items:
            if isinstance(item, dict) and isinstance(item.get("id"), str):
                found.setdefault(item["id"], item)
    return found


def _unkeyed(items: Any) -> list[Any]:
    """Entries of an item list that have no usable id (kept as they are, never dropped)."""
    if not isinstance(items, list):
        return []
    seen: set[str] = set()
    out: list[Any] = []
    for item in items:
        item_id = item.get("id") if isinstance(item, dict) else None
        if isinstance(item_id, str) and item_id not in seen:
            seen.add(item_id)
            continue
        out.append(item)
    return out


# --- ids added on both sides ------------------------------------------------------------------


def _item_ids(data: Any) -> dict[str, tuple[tuple[str, ...], dict[str, Any]]]:
    found: dict[str, tuple[tuple[str, ...], dict[str, Any]]] = {}
    for path in ITEM_LISTS:
        items: Any = data
        for key in path:
            items = _get(items, key)
        for item_id, item in _by_id(items).items():
            found.setdefault(item_id, (path, item))
    return found


def _fresh_id(old: str, taken: set[str]) -> str:
    prefix = old.rstrip("0123456789") or "x"
    n = 1
    while f"{prefix}{n}" in taken:
        n += 1
    return f"{prefix}{n}"


def _rename_ids(data: dict[str, Any], renames: dict[str, str]) -> dict[str, Any]:
    """``data`` with every item id in ``renames`` and every reference to it renamed."""

    def swap(value: Any) -> Any:
        return renames.get(value, value) if isinstance(value, str) else value

    out = _deep_copy(data)
    for path in ITEM_LISTS:
        items: Any = out
        for key in path:
            items = _get(items, key)
        if not isinstance(items, list):
            continue
        for item in items:
            if not isinstance(item, dict):
                continue
            for key in ("id", "parent", "outcome"):
                if key in item:
                    item[key] = swap(item[key])
            for key in ("tests", "audience"):  # a pilot's conditions, a message's people
                if isinstance(item.get(key), list):
                    item[key] = [swap(t) for t in item[key]]
            if isinstance(item.get("targets"), dict):  # a milestone's outcome ids
                item["targets"] = {swap(k): v for k, v in item["targets"].items()}
    for checkin in _get(out, "checkins") if isinstance(_get(out, "checkins"), list) else []:
        if isinstance(checkin, dict) and isinstance(checkin.get("values"), dict):
            checkin["values"] = {swap(k): v for k, v in checkin["values"].items()}
    for mark in _get(out, "reports") if isinstance(_get(out, "reports"), list) else []:
        if isinstance(mark, dict) and isinstance(mark.get("due"), dict):
            mark["due"] = {swap(k): v for k, v in mark["due"].items()}
        if isinstance(mark, dict) and isinstance(mark.get("done"), list):
            mark["done"] = [swap(t) for t in mark["done"]]
    for record in _get(out, CONFLICTS_KEY) if isinstance(_get(out, CONFLICTS_KEY), list) else []:
        if isinstance(record, dict) and "item" in record:
            record["item"] = swap(record["item"])
    renamed: dict[str, Any] = out
    return renamed


def _deep_copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _deep_copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_deep_copy(v) for v in value]
    return value


def _separate_new_ids(
    base: dict[str, Any], ours: dict[str, Any], theirs: dict[str, Any], report: MergeReport
) -> dict[str, Any]:
    """Theirs, with a fresh id for each item both sides added under one id (unless the two
    are the same item, added the same way)."""
    in_base, in_ours, in_theirs = _item_ids(base), _item_ids(ours), _item_ids(theirs)
    taken = set(in_base) | set(in_ours) | set(in_theirs)
    renames: dict[str, str] = {}
    for item_id, (path, item) in in_theirs.items():
        if item_id in in_base or item_id not in in_ours:
            continue
        if in_ours[item_id] == (path, item):
            continue
        new = _fresh_id(item_id, taken)
        taken.add(new)
        renames[item_id] = new
    if not renames:
        return theirs
    report.renamed.update(renames)
    return _rename_ids(theirs, renames)


# --- the map stays a tree ---------------------------------------------------------------------


def _repair_map(
    merged: dict[str, Any],
    base: dict[str, Any],
    ours: dict[str, Any],
    merger: _Merger,
) -> None:
    """Every parent exists (a deleted parent of a new condition comes back) and the parents
    form no cycle (a parent moved on their side is put back where ours has it)."""
    nodes = merged.get("map")
    if not isinstance(nodes, list):
        return
    index = {n["id"]: n for n in nodes if isinstance(n, dict) and isinstance(n.get("id"), str)}
    base_nodes, our_nodes = _by_id(_get(base, "map")), _by_id(_get(ours, "map"))
    changed = True
    while changed:
        changed = False
        for node in list(index.values()):
            parent = node.get("parent", "")
            if parent and parent not in index:
                revived = base_nodes.get(parent) or our_nodes.get(parent)
                if revived is None:
                    node.pop("parent", None)  # nowhere to find it: under the goal
                else:
                    revived = _deep_copy(revived)
                    position = nodes.index(node)
                    nodes.insert(position, revived)
                    index[parent] = revived
                    merger.report.note(
                        f"The map node {_name(revived)!r} came back: a condition was added "
                        "under it while it was deleted."
                    )
                changed = True
    for _ in range(len(index) + 1):
        cycle = _find_cycle(index)
        if not cycle:
            return
        for node_id in cycle:
            ours_parent = _get(our_nodes.get(node_id, {}), "parent")
            current = index[node_id].get("parent", "")
            wanted = "" if ours_parent is MISSING else ours_parent
            if current != wanted:
                merger.conflict(("map", "*", "parent"), MISSING, current, ("map node", node_id))
                if wanted:
                    index[node_id]["parent"] = wanted
                else:
                    index[node_id].pop("parent", None)
                break
        else:  # pragma: no cover - ours has no cycle, so some node differs from ours
            index[cycle[0]].pop("parent", None)


def _find_cycle(index: dict[str, dict[str, Any]]) -> list[str]:
    done: set[str] = set()
    for start in index:
        path: list[str] = []
        on_path: set[str] = set()
        current = start
        while current and current in index and current not in done:
            if current in on_path:
                return path[path.index(current) :]
            path.append(current)
            on_path.add(current)
            current = index[current].get("parent", "")
        done.update(path)
    return []


# --- entry points -----------------------------------------------------------------------------


def merge(
    base: dict[str, Any],
    ours: dict[str, Any],
    theirs: dict[str, Any],
    *,
    theirs_name: str = "someone else",
) -> tuple[dict[str, Any], MergeReport]:
    """The merged session dict and a report (see the module docstring for the rules)."""
    report = MergeReport()
    theirs = _separate_new_ids(base, ours, theirs, report)
    merger = _Merger(report, theirs_name)
    merged = merger.table((), base, ours, theirs, None)
    if merged is MISSING:  # pragma: no cover - a session always has its header
        merged = {}
    _repair_map(merged, base, ours, merger)
    records = merger.multiset(
        _get(base, CONFLICTS_KEY), _get(ours, CONFLICTS_KEY), _get(theirs, CONFLICTS_KEY)
    )
    records += [r for r in report.conflicts if r not in records]
    if records:
        merged[CONFLICTS_KEY] = records
    return merged, report


def merge_sessions(base: Any, ours: Any, theirs: Any, *, theirs_name: str = "someone else") -> Any:
    """``merge`` over ``Session`` objects: (the merged Session, the report)."""
    from backplan_tui.core import codec

    merged, report = merge(
        codec.to_dict(base), codec.to_dict(ours), codec.to_dict(theirs), theirs_name=theirs_name
    )
    return codec.from_dict(merged), report


def renamed_session(session: Any, renames: dict[str, str]) -> Any:
    """``session`` with the item ids a merge gave fresh ids (``MergeReport.renamed``) renamed,
    and every reference to them: the other side's version as the merged one names it."""
    from backplan_tui.core import codec

    if not renames:
        return session
    return codec.from_dict(_rename_ids(codec.to_dict(session), renames))


def strings_in(value: Any) -> Iterable[str]:
    """Every string in a session dict (keys excepted): what "never a lost string" counts."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings_in(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings_in(item)
