"""The save path's read-back check (``readback.dumps_checked``) and the store's disk check.

``dumps_checked`` proves, piece by piece, what ``to_dict(loads(text)) == to_dict(session)``
proves for the whole text, re-checking only the items that changed since the last save.
These tests hold it to that: same bytes as ``dumps``, same verdicts as the full check, and
a serializer that writes something else is caught whether the item is new or not.
"""

from __future__ import annotations

import re
import tomllib
from datetime import UTC, date, datetime

import pytest
import tomli_w
from hypothesis import given, settings
from hypothesis import strategies as st

from backplan_tui.core import codec, readback, templates
from backplan_tui.core.model import (
    Adjustment,
    CheckIn,
    MapNode,
    Outcome,
    Pilot,
    Question,
    Session,
)
from backplan_tui.core.storage import SessionReadOnly, SessionStore, StoreError
from helpers import TODAY

NOTE = 'Line one.\nLine "two" with a \\ and \'\'\' and """ quotes.\n\tIndented é 日本 ⟨x⟩'


def big(nodes: int = 60) -> Session:
    session = templates.instantiate(
        "hr-retention", session_id="big-0001", title="Big", today=TODAY, team="People"
    )
    for i in range(nodes):
        parent = session.map[i % len(session.map)].id if i % 3 else ""
        session.map.append(
            MapNode(
                id=f"n{i}",
                title=f"Node {i}",
                parent=parent,
                owner="Dana",
                duration_days=i % 40 + 1,
                status=("todo", "doing", "done")[i % 3],
                votes={"Dana": 1, "Lee": 2} if i % 2 else {},
                notes=NOTE if i % 4 else "",
            )
        )
    session.pilots.append(
        Pilot(id="p9", name="Pilot", tests=["n1", "n2"], start=TODAY, end=TODAY, metric="m")
    )
    return session


def hostile() -> Session:
    session = Session(
        id="hostile-0001",
        title='Quotes " and \\ and \u202e bidi and \x1b[31m escape',
        team="T\tab",
        participants=["Dana", "Lee \u2066"],
        created=datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
        extra={"unknown_scalar": 3, "unknown_table": {"a": 1, "deep": {"b": [1, 2]}}},
    )
    session.future_state.outcomes.append(
        Outcome(id="o1", metric="Retention", unit="%", baseline=78, target=88.5)
    )
    session.questions.append(Question(id="q1", prompt="Why?", answer='"""\nx\\', owner="Ö"))
    session.map.append(
        MapNode(id="m1", title="[m1]", notes="a\r\nb", extra={"x": {"y": "z"}, "k.dot": 1})
    )
    session.map.append(MapNode(id="m2", title="child", parent="m1"))
    session.checkins.append(CheckIn(date=TODAY, values={"o1": 80}, confidence="on_track"))
    session.adjustments.append(Adjustment(date=TODAY, what="w", why="y" * 150))
    return session


def short_checkins() -> Session:
    """Every check-in fits on one line: tomli-w writes the array inline."""
    session = Session(id="short-0001", title="Short")
    session.checkins = [CheckIn(date=date(2026, 1, d), note=f"n{d}") for d in range(1, 6)]
    return session


def mixed_checkins() -> Session:
    """One check-in does not fit on one line: the whole array is written as tables."""
    session = short_checkins()
    session.checkins.append(CheckIn(date=date(2026, 2, 1), note="long " * 40))
    return session


def sessions() -> list[Session]:
    out = [templates.demo_session(TODAY), big(), hostile(), short_checkins(), mixed_checkins()]
    for info in templates.list_templates():
        out.append(
            templates.instantiate(info.name, session_id="t-0001", title=info.title, today=TODAY)
        )
    out.append(Session(id="empty-0001", title=""))
    return out


@pytest.fixture
def parses(monkeypatch):
    """The texts ``tomllib.loads`` parses (codec.loads calls are counted as "FULL")."""
    calls: list[str] = []
    real_tomllib, real_loads = tomllib.loads, codec.loads

    def counting_tomllib(text, **kw):
        calls.append(text)
        return real_tomllib(text, **kw)

    def counting_loads(text, *args, **kw):
        calls.append("FULL")
        return real_loads(text, *args, **kw)

    monkeypatch.setattr(tomllib, "loads", counting_tomllib)
    monkeypatch.setattr(codec, "loads", counting_loads)
    return calls


# --- same bytes, same verdicts -----------------------------------------------------------------


@pytest.mark.parametrize("cold", [True, False], ids=["cold", "warm"])
def test_dumps_checked_writes_exactly_what_dumps_writes(cold):
    for session in sessions():
        if cold:
            readback._CHECKED.clear()
        text = readback.dumps_checked(session)
        assert text == codec.dumps(session), session.id
        assert codec.to_dict(codec.loads(text)) == codec.to_dict(session)


def test_ordinary_sessions_take_the_fast_path(parses):
    for session in sessions():
        parses.clear()
        readback.dumps_checked(session)
        assert "FULL" not in parses, session.id


def test_only_the_changed_item_and_the_small_tables_are_parsed_again(parses):
    session = big()
    readback.dumps_checked(session)
    parses.clear()
    session.map[20].title = "Renamed"
    session.revision += 1
    text = readback.dumps_checked(session)
    assert "FULL" not in parses
    # the top-level keys, future_state, facilitation and the one changed node
    assert len(parses) == 4
    assert any('title = "Renamed"' in p and p.startswith("[[map]]") for p in parses)
    assert sum(len(p) for p in parses) < len(text) / 5
    parses.clear()
    assert readback.dumps_checked(session) == text
    assert len(parses) == 3


def test_an_unknown_array_of_tables_takes_the_full_check(parses):
    session = big(5)
    session.extra["newer_things"] = [{"a": 1}, {"b": "x" * 200}]
    text = readback.dumps_checked(session)
    assert "FULL" in parses
    assert text == codec.dumps(session)


@pytest.mark.parametrize(
    "mutate",
    [
        lambda s: s.map.append(MapNode(id=s.map[0].id, title="duplicate id")),
        lambda s: setattr(s.map[0], "parent", "nowhere"),
        lambda s: setattr(s.map[1], "status", "finished"),
        lambda s: setattr(s.pilots[0], "decision", "maybe"),
        lambda s: setattr(s, "current_step", "nowhere"),
        lambda s: setattr(s.future_state.outcomes[0], "id", "  "),
        lambda s: s.questions.append(Question(id=s.map[0].id)),
        lambda s: setattr(s.map[2], "duration_days", -1),
    ],
    ids=["dup-id", "parent", "status", "decision", "step", "blank-id", "cross-dup", "negative"],
)
@pytest.mark.parametrize("cold", [True, False], ids=["cold", "warm"])
def test_a_session_that_would_not_load_is_refused_with_the_full_checks_error(mutate, cold):
    session = templates.demo_session(TODAY)
    if not cold:
        readback.dumps_checked(session)
    mutate(session)
    if cold:
        readback._CHECKED.clear()
    with pytest.raises(codec.CodecError) as full:
        codec.loads(codec.dumps(session))
    with pytest.raises(codec.CodecError) as checked:
        readback.dumps_checked(session)
    assert str(checked.value) == str(full.value)


# --- a serializer bug is caught ------------------------------------------------------------------


def _buggy_dumps(monkeypatch, old: str, new: str) -> None:
    """tomli-w writes ``new`` where it should write ``old`` (a serializer bug)."""
    real = tomli_w.dumps

    def buggy(obj, **kw):
        return real(obj, **kw).replace(old, new)

    monkeypatch.setattr(tomli_w, "dumps", buggy)


@pytest.mark.parametrize(
    "old,new",
    [
        ('title = "Node 7"', 'title = "Node 8"'),  # a wrong value
        ("duration_days = 8\n", ""),  # a dropped key
        ('owner = "Dana"\n', 'owner = "Dana"\nowner = "Lee"\n'),  # text that does not parse
        ("[map.votes]", "[map.vote]"),  # a wrong table
        ('"""', '"'),  # a string quoted wrongly
    ],
    ids=["value", "dropped", "unparsable", "table", "quoting"],
)
@pytest.mark.parametrize("cold", [True, False], ids=["cold", "warm"])
def test_a_serializer_bug_in_a_new_item_is_caught(monkeypatch, old, new, cold):
    session = big(12)
    if not cold:
        readback.dumps_checked(session)  # every other item is known good
    node = session.map[-5]
    node.title, node.duration_days, node.owner, node.votes = "Node 7", 8, "Dana", {"Sam": 1}
    node.notes = "x\ny"
    if cold:
        readback._CHECKED.clear()
    _buggy_dumps(monkeypatch, old, new)
    with pytest.raises(codec.CodecError):
        readback.dumps_checked(session)


def test_a_serializer_bug_in_the_top_level_keys_is_caught(monkeypatch):
    session = big(3)
    readback.dumps_checked(session)
    _buggy_dumps(monkeypatch, 'team = "People"', 'team = "Peeple"')
    with pytest.raises(readback.ReadBackError):
        readback.dumps_checked(session)


def test_the_store_refuses_a_file_that_would_not_read_back(store, monkeypatch):
    session = store.create(big(12))
    path = store.path_for(session.id)
    before = path.read_bytes()
    session.map[-1].title = "Brand new title"
    _buggy_dumps(monkeypatch, "Brand new title", "Brand new tilte")
    with pytest.raises(StoreError, match="would not read back the same"):
        store.save(session)
    assert path.read_bytes() == before
    assert session.revision == 1
    assert sorted(p.name for p in store.sessions_dir.iterdir()) == [path.name]


# --- the store's disk check --------------------------------------------------------------------


def test_a_save_does_not_parse_the_file_it_wrote_or_loaded(store, parses):
    session = store.create(big(20))
    session.team = "Ops"  # a change worth a backup (an unchanged save keeps none)
    store.save(session)
    parses.clear()
    session.map[3].title = "Changed"
    store.save(session)
    assert "FULL" not in parses
    assert all(len(p) < 2000 for p in parses)  # pieces only, never the file
    other = SessionStore(store.root)
    loaded = other.load(session.id)
    parses.clear()
    loaded.team = "Support"
    other.save(loaded)
    assert "FULL" not in parses
    assert len(store.backups(session.id)) == 3


def test_a_file_changed_on_disk_is_still_parsed_and_refused(store, parses):
    session = store.create(big(3))
    path = store.path_for(session.id)
    path.write_text(path.read_text("utf-8").replace('title = "Big"', 'title = "Mine"'), "utf-8")
    parses.clear()
    with pytest.raises(StoreError, match="changed on disk"):
        store.save(session)
    assert "FULL" in parses  # the changed file was read to tell why


def test_a_newer_backplans_file_is_not_overwritten_even_by_a_same_revision_copy(store):
    session = store.create(big(3))
    path = store.path_for(session.id)
    newer = path.read_text("utf-8").replace("schema_version = 1", "schema_version = 2")
    path.write_text(newer, "utf-8")
    viewed = store.load(session.id, allow_newer=True)  # read-only view of the newer file
    assert viewed.schema_version == 2
    mine = codec.loads(codec.dumps(session))  # this version's session, same revision
    with pytest.raises(SessionReadOnly):
        store.save(mine)
    assert path.read_text("utf-8") == newer


# --- the helpers match what they stand for ------------------------------------------------------


_KEY_PART = r"""(?:[A-Za-z0-9_-]++|"(?:[^"\\\n]|\\.)*+"|'[^'\n]*+')"""
_DOTTED = re.compile(rf"(?<![A-Za-z0-9_-]){_KEY_PART}(?:[ \t]*+\.[ \t]*+{_KEY_PART})++")


def _long_dotted_key_reference(text: str) -> bool:
    """The scan of the whole text, as it was before the per-line pre-check."""
    for match in _DOTTED.finditer(text):
        if match.group().count(".") >= codec.MAX_DEPTH:
            follows = text[match.end() : match.end() + 80].lstrip(" \t")[:1]
            if follows in ("=", "]"):
                return True
    return False


_PIECES = ["a", "b.", ".", " ", "\t", "\n", "\r", "=", "]", "[", '"x.y"', "'p.q'", "\\", '"']
_PIECES += ["'", "é", "a." * 33, "k. " * 32, '"q".' * 32, "a." * 31 + "b"]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=60).map("".join))
def test_the_dotted_key_pre_check_gives_the_same_answer(text):
    assert codec._has_long_dotted_key(text) == _long_dotted_key_reference(text)


_VALUES = st.one_of(
    st.text(max_size=60),
    st.integers(-5, 10**6),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.lists(st.integers(0, 9), max_size=3),
    st.dictionaries(st.sampled_from(["a", "b c", "d"]), st.integers(0, 9), max_size=3),
)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.sampled_from(["id", "title", "notes", "x", "y", "z"]), _VALUES))
def test_the_inline_shortcut_agrees_with_tomli_w(table):
    inline = not tomli_w.dumps({"map": [table]}, multiline_strings=True).startswith("[[map]]")
    assert readback._inline("map", table) == inline


def test_the_checked_items_stay_within_their_budget():
    cache = readback._CheckedItems(budget=100)
    item = readback._CheckedItem("x" * 40, False, None, 40)
    for n in range(10):
        cache.put(("map", str(n)), item)
    assert len(cache) == 2
    assert cache.get(("map", "9")) is item and cache.get(("map", "0")) is None
