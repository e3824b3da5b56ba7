"""codec: Session <-> TOML, validation naming the field, unknown keys kept."""

from __future__ import annotations

import dataclasses
import functools
import tomllib
from datetime import UTC, date, datetime, time, timedelta, timezone

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from backplan_tui.core import codec
from backplan_tui.core.codec import CodecError, NewerSchemaError
from backplan_tui.core.model import (
    ALL_STEPS,
    CONFIDENCES,
    DECISIONS,
    DIRECTIONS,
    NODE_STATUSES,
    PILOT_STATUSES,
    QUESTION_STATUSES,
    Adjustment,
    CheckIn,
    Facilitation,
    FutureState,
    MapNode,
    Outcome,
    Pilot,
    Question,
    Session,
)
from backplan_tui.core.textclean import clean_line, clean_text
from helpers import examples

FULL = """\
schema_version = 1
id = "improve-retention-3f9a"
title = "Improve 12-month retention"
team = "People Ops"
facilitator = "Dana"
participants = ["Dana", "Lee", "Sam"]
template = "hr-retention"
created = 2026-11-22T13:00:00Z
updated = 2026-11-22T14:10:00Z
revision = 12
current_step = "reverse_map"

[future_state]
statement = "By 2027-12-31, 90% of new hires stay.\\nSecond line."
target_date = 2027-12-31
aligned_objective = "Employer of choice"

[[future_state.outcomes]]
id = "o1"
metric = "12-month retention"
unit = "%"
baseline = 78
target = 90.5
direction = "increase"
due = 2027-12-31

[[questions]]
id = "q1"
prompt = "Who benefits from this initiative?"
answer = "New hires."
status = "answered"
owner = ""
key = "who_benefits"

[[map]]
id = "m1"
title = "Stay interviews"
parent = ""
owner = "Lee"
duration_days = 60
pinned_due = 2027-06-30
status = "doing"
votes = { Dana = 1, Sam = 2 }
notes = "Start with Sales."

[[map]]
id = "m2"
title = "Train managers"
parent = "m1"

[[pilots]]
id = "p1"
name = "Stay interviews in Sales"
hypothesis = "Attrition drops."
tests = ["m1", "m2"]
outcome = "o1"
metric = "90-day attrition"
owner = "Sam"
start = 2027-01-15
end = 2027-03-15
success_rule = "below 8%"
status = "running"
result = ""
decision = "scale"
votes = { Lee = 3 }

[[checkins]]
date = 2027-02-01
values = { o1 = 80.5 }
confidence = "at_risk"
note = "Started."

[[adjustments]]
date = 2027-02-02
what = "Moved the target date"
why = "Hiring freeze"

[facilitation]
timebox_minutes = { future_state = 10, pilots = 15 }
votes_per_person = 5
parking_lot = ["Budget?"]
"""


def full_session() -> Session:
    """FULL, built by hand."""
    return Session(
        id="improve-retention-3f9a",
        title="Improve 12-month retention",
        team="People Ops",
        facilitator="Dana",
        participants=["Dana", "Lee", "Sam"],
        template="hr-retention",
        created=datetime(2026, 11, 22, 13, 0, tzinfo=UTC),
        updated=datetime(2026, 11, 22, 14, 10, tzinfo=UTC),
        revision=12,
        current_step="reverse_map",
        future_state=FutureState(
            statement="By 2027-12-31, 90% of new hires stay.\nSecond line.",
            target_date=date(2027, 12, 31),
            aligned_objective="Employer of choice",
            outcomes=[
                Outcome(
                    id="o1",
                    metric="12-month retention",
                    unit="%",
                    baseline=78.0,
                    target=90.5,
                    direction="increase",
                    due=date(2027, 12, 31),
                )
            ],
        ),
        questions=[
            Question(
                id="q1",
                prompt="Who benefits from this initiative?",
                answer="New hires.",
                status="answered",
                key="who_benefits",
            )
        ],
        map=[
            MapNode(
                id="m1",
                title="Stay interviews",
                owner="Lee",
                duration_days=60,
                pinned_due=date(2027, 6, 30),
                status="doing",
                votes={"Dana": 1, "Sam": 2},
                notes="Start with Sales.",
            ),
            MapNode(id="m2", title="Train managers", parent="m1"),
        ],
        pilots=[
            Pilot(
                id="p1",
                name="Stay interviews in Sales",
                hypothesis="Attrition drops.",
                tests=["m1", "m2"],
                outcome="o1",
                metric="90-day attrition",
                owner="Sam",
                start=date(2027, 1, 15),
                end=date(2027, 3, 15),
                success_rule="below 8%",
                status="running",
                decision="scale",
                votes={"Lee": 3},
            )
        ],
        checkins=[
            CheckIn(
                date=date(2027, 2, 1), values={"o1": 80.5}, confidence="at_risk", note="Started."
            )
        ],
        adjustments=[
            Adjustment(date=date(2027, 2, 2), what="Moved the target date", why="Hiring freeze")
        ],
        facilitation=Facilitation(
            timebox_minutes={"future_state": 10, "pilots": 15},
            votes_per_person=5,
            parking_lot=["Budget?"],
        ),
    )


# --- loading ---------------------------------------------------------------------------------


def test_loads_full_file_gives_the_hand_built_session():
    session = codec.loads(FULL)
    assert session == full_session()
    # an integer where a float is expected is accepted and becomes a float
    assert type(session.future_state.outcomes[0].baseline) is float


def test_full_session_round_trips_and_dumps_is_deterministic():
    session = full_session()
    text = codec.dumps(session)
    assert codec.loads(text) == session
    assert codec.dumps(session) == text
    assert codec.dumps(codec.loads(text)) == text
    assert text.endswith("\n") and not text.endswith("\n\n")


def test_minimal_file_gets_defaults_and_schema_version_1():
    session = codec.loads('id = "x"\ntitle = "T"\n')
    assert session.schema_version == 1
    assert session.revision == 0
    assert session.current_step == "future_state"
    assert session.template == "blank"
    assert session.facilitation == Facilitation()
    assert session.map == [] and session.extra == {}


def test_dumps_exact_text_of_a_small_session():
    session = Session(
        id="s-1",
        title="Small",
        created=datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
        updated=datetime(2026, 1, 2, 8, 4, 5, tzinfo=timezone(timedelta(hours=5))),
        revision=2,
        future_state=FutureState(
            outcomes=[Outcome(id="o1", metric="NPS", baseline=None, target=40)]
        ),
        map=[MapNode(id="m1", title="Do it", duration_days=None)],
        facilitation=Facilitation(timebox_minutes={"pilots": 30}, votes_per_person=2),
    )
    expected = (
        "schema_version = 1\n"
        'id = "s-1"\n'
        'title = "Small"\n'
        'template = "blank"\n'
        "created = 2026-01-02 03:04:05+00:00\n"
        "updated = 2026-01-02 03:04:05+00:00\n"
        "revision = 2\n"
        'current_step = "future_state"\n'
        # tomli-w writes an array of short tables inline (one per line), before the tables
        "map = [\n"
        '    { id = "m1", title = "Do it", status = "todo" },\n'
        "]\n"
        "\n"
        "[future_state]\n"
        "outcomes = [\n"
        '    { id = "o1", metric = "NPS", target = 40.0, direction = "increase" },\n'
        "]\n"
        "\n"
        "[facilitation]\n"
        "votes_per_person = 2\n"
        "\n"
        "[facilitation.timebox_minutes]\n"
        "pilots = 30\n"
    )
    assert codec.dumps(session) == expected


def test_to_dict_key_order_header_then_tables_then_extras():
    session = full_session()
    session.extra = {"zzz": 1, "aaa": {"b": 2}}
    assert list(codec.to_dict(session)) == [
        "schema_version",
        "id",
        "title",
        "team",
        "facilitator",
        "participants",
        "template",
        "created",
        "updated",
        "revision",
        "current_step",
        "future_state",
        "questions",
        "map",
        "pilots",
        "checkins",
        "adjustments",
        "facilitation",
        "zzz",
        "aaa",
    ]


def _walk(value):
    yield value
    if isinstance(value, dict):
        for v in value.values():
            yield from _walk(v)
    elif isinstance(value, list):
        for v in value:
            yield from _walk(v)


def test_none_is_never_written():
    session = Session(
        id="n",
        title="Nones",
        future_state=FutureState(
            target_date=None, outcomes=[Outcome(id="o1", baseline=None, target=None, due=None)]
        ),
        map=[MapNode(id="m1", duration_days=None, pinned_due=None)],
        pilots=[Pilot(id="p1", start=None, end=None)],
        extra={"gone": None, "kept": {"inner": None, "x": 1}},
    )
    data = codec.to_dict(session)
    assert all(v is not None for v in _walk(data))
    text = codec.dumps(session)
    for key in ("baseline", "target =", "due", "duration_days", "pinned_due", "start", "end"):
        assert key not in text
    assert "gone" not in text
    assert data["kept"] == {"x": 1}


def test_empty_optional_strings_and_lists_are_absent_keys():
    data = codec.to_dict(Session(id="e", title=""))
    assert "team" not in data and "participants" not in data and "future_state" not in data
    assert data["title"] == ""  # required: always written
    assert data["template"] == "blank"


def test_working_days_is_written_only_when_true():
    session = Session(id="w", title="T")
    assert "working_days" not in codec.dumps(session)
    session.future_state.working_days = True
    text = codec.dumps(session)
    assert "[future_state]\nworking_days = true\n" in text
    assert codec.loads(text).future_state.working_days is True


def test_datetimes_naive_are_utc_and_offsets_are_converted_on_load():
    text = (
        'id = "d"\ntitle = "T"\n'
        "created = 2026-05-01T10:00:00\n"
        "updated = 2026-05-01T10:00:00+02:30\n"
    )
    session = codec.loads(text)
    assert session.created == datetime(2026, 5, 1, 10, 0, tzinfo=UTC)
    assert session.created.utcoffset() == timedelta(0)
    assert session.updated.utcoffset() == timedelta(0)
    assert session.updated == datetime(2026, 5, 1, 7, 30, tzinfo=UTC)


def test_sub_minute_offsets_are_written_as_utc():
    odd = timezone(timedelta(hours=1, seconds=17))
    session = Session(id="d", title="T", created=datetime(2026, 5, 1, 10, 0, 0, tzinfo=odd))
    text = codec.dumps(session)
    assert "created = 2026-05-01 08:59:43+00:00\n" in text
    assert codec.loads(text).created == datetime(2026, 5, 1, 8, 59, 43, tzinfo=UTC)


def test_naive_datetime_in_memory_is_written_as_utc():
    session = Session(id="d", title="T", updated=datetime(2026, 5, 1, 10, 0))
    assert "updated = 2026-05-01 10:00:00+00:00\n" in codec.dumps(session)


# --- validation --------------------------------------------------------------------------

BASE = 'id = "s"\ntitle = "T"\n'
TWO_PILOTS = '[[pilots]]\nid = "p1"\nend = 2027-01-01\n[[pilots]]\nid = "p2"\n'

BAD = [
    (TWO_PILOTS + 'end = "soon"\n', "pilots[1].end: expected a date, got 'soon'"),
    (
        '[[map]]\nid = "m1"\nduration_days = "5"\n',
        "map[0].duration_days: expected an integer, got '5'",
    ),
    (
        '[[map]]\nid = "m1"\nduration_days = true\n',
        "map[0].duration_days: expected an integer, got true",
    ),
    (
        '[[map]]\nid = "m1"\nduration_days = -3\n',
        "map[0].duration_days: expected a number of 0 or more, got -3",
    ),
    (
        '[[future_state.outcomes]]\nid = "o1"\nbaseline = "x"\n',
        "future_state.outcomes[0].baseline: expected a number, got 'x'",
    ),
    (
        "[[future_state.outcomes]]\nid = 'o1'\ntarget = false\n",
        "future_state.outcomes[0].target: expected a number, got false",
    ),
    (
        "[[future_state.outcomes]]\nid = 'o1'\ntarget = nan\n",
        "future_state.outcomes[0].target: expected a finite number, got nan",
    ),
    (
        "[[future_state.outcomes]]\nid = 'o1'\ndirection = 'up'\n",
        "future_state.outcomes[0].direction: expected one of 'increase', 'decrease', "
        "'stay_above', 'stay_below', got 'up'",
    ),
    (
        "current_step = 'done'\n",
        "current_step: expected one of 'future_state', 'questions', 'reverse_map', "
        "'pilots', 'summary', got 'done'",
    ),
    ("[[questions]]\nid = 'q1'\nstatus = 'closed'\n", None),
    ("[[pilots]]\nid = 'p1'\ndecision = 'maybe'\n", None),
    ("[[checkins]]\ndate = 2027-01-01\nconfidence = 'meh'\n", None),
    ("[[questions]]\nprompt = 'Why?'\n", "questions[0].id: required but missing"),
    ("[[checkins]]\nnote = 'x'\n", "checkins[0].date: required but missing"),
    ("[[adjustments]]\nwhat = 'x'\n", "adjustments[0].date: required but missing"),
    (
        "[[adjustments]]\ndate = 2027-01-01T10:00:00Z\n",
        "adjustments[0].date: expected a date, got a datetime (2027-01-01T10:00:00+00:00)",
    ),
    ("created = 2026-01-01\n", "created: expected a date and time, got a date (2026-01-01)"),
    (
        "[[checkins]]\ndate = 2027-01-01\nvalues = { o1 = 'high' }\n",
        "checkins[0].values.o1: expected a number, got 'high'",
    ),
    (
        "[[map]]\nid = 'm1'\nvotes = { Dana = 1.5 }\n",
        "map[0].votes.Dana: expected an integer, got 1.5",
    ),
    (
        "[[map]]\nid = 'm1'\nvotes = { 'Dana Lee' = -1 }\n",
        'map[0].votes."Dana Lee": expected a number of 0 or more, got -1',
    ),
    ("participants = 'Dana'\n", "participants: expected an array, got 'Dana'"),
    ("participants = ['Dana', 3]\n", "participants[1]: expected a string, got 3"),
    ("revision = true\n", "revision: expected an integer, got true"),
    ("[questions]\nid = 'q1'\n", "questions: expected an array of tables, got a table"),
    ("questions = [1]\n", "questions[0]: expected a table, got 1"),
    ("future_state = 3\n", "future_state: expected a table, got 3"),
    (
        "[facilitation]\ntimebox_minutes = { pilots = 1.5 }\n",
        "facilitation.timebox_minutes.pilots: expected an integer, got 1.5",
    ),
    ("[facilitation]\nvotes_per_person = 2.0\n", None),
    ("[[map]]\nid = ''\n", "map[0].id: must not be empty"),
    (
        "[[map]]\nid = 'm1'\n[[map]]\nid = 'm1'\n",
        "map[1].id: duplicate id 'm1' (also used by map[0].id)",
    ),
    (
        "[[future_state.outcomes]]\nid = 'o1'\n[[pilots]]\nid = 'o1'\n",
        "pilots[0].id: duplicate id 'o1' (also used by future_state.outcomes[0].id)",
    ),
    ("[[map]]\nid = 'm1'\nparent = 'm9'\n", "map[0].parent: no map node has the id 'm9'"),
    (
        "[[map]]\nid = 'm1'\nparent = 'm2'\n[[map]]\nid = 'm2'\nparent = 'm1'\n",
        "map[0].parent: the parents form a cycle: m1 -> m2 -> m1",
    ),
    (
        "[[map]]\nid = 'm0'\n[[map]]\nid = 'm1'\nparent = 'm1'\n",
        "map[1].parent: the parents form a cycle: m1 -> m1",
    ),
    ("schema_version = '1'\n", "schema_version: expected an integer, got '1'"),
    (
        "[future_state]\nworking_days = 1\n",
        "future_state.working_days: expected true or false, got 1",
    ),
    ("schema_version = 0\n", "schema_version: expected 1 or more, got 0"),
]


@pytest.mark.parametrize(("extra_toml", "expected"), BAD)
def test_invalid_files_raise_codec_error_naming_the_field(extra_toml, expected):
    with pytest.raises(CodecError) as info:
        codec.loads(BASE + extra_toml)
    if expected is not None:
        assert str(info.value) == expected
    field, _, message = str(info.value).partition(": ")
    assert info.value.field == field
    assert info.value.message == message
    assert info.value.source == ""


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ('title = "no id"\n', "id"),
        ('id = "x"\n', "title"),
        ('id = ""\ntitle = "T"\n', "id"),
    ],
)
def test_missing_or_empty_required_header_keys(text, field):
    with pytest.raises(CodecError) as info:
        codec.loads(text)
    assert info.value.field == field


def test_cycle_below_a_valid_branch_is_found():
    text = BASE + (
        "[[map]]\nid = 'a'\n"
        "[[map]]\nid = 'b'\nparent = 'a'\n"
        "[[map]]\nid = 'c'\nparent = 'd'\n"
        "[[map]]\nid = 'd'\nparent = 'e'\n"
        "[[map]]\nid = 'e'\nparent = 'c'\n"
    )
    with pytest.raises(CodecError, match=r"^map\[2\]\.parent: the parents form a cycle: c -> d"):
        codec.loads(text)


def test_source_is_prefixed_to_the_message():
    with pytest.raises(CodecError) as info:
        codec.loads(BASE + "revision = 'x'\n", source="plan.toml")
    assert str(info.value) == "plan.toml: revision: expected an integer, got 'x'"
    assert info.value.source == "plan.toml"


def test_toml_syntax_error_is_a_codec_error_with_field_toml():
    with pytest.raises(CodecError) as info:
        codec.loads('id = "x"\ntitle = \n', source="bad.toml")
    assert info.value.field == "(toml)"
    assert str(info.value).startswith("bad.toml: (toml): ")
    assert "line 2" in str(info.value)


def test_newer_schema_is_its_own_error():
    with pytest.raises(NewerSchemaError) as info:
        codec.loads("schema_version = 2\n" + BASE + "unknown_new_thing = [1]\n")
    assert isinstance(info.value, CodecError)
    assert info.value.field == "schema_version"
    assert "newer" in info.value.message
    assert info.value.found == 2


def test_from_dict_rejects_a_non_table():
    with pytest.raises(CodecError, match=r"^\(root\): expected a table, got an array$"):
        codec.from_dict([1, 2])  # type: ignore[arg-type]


def test_question_key_outside_the_method_questions_is_kept():
    session = codec.loads(BASE + "[[questions]]\nid = 'q1'\nkey = 'custom'\n")
    assert session.questions[0].key == "custom"


# --- unknown keys ------------------------------------------------------------------------

WITH_EXTRAS = """\
id = "x"
title = "T"
top_scalar = "hello"
top_list = [1, 2]
[top_table]
nested = { deep = 2026-01-01 }

[future_state]
statement = "S"
fs_flag = true

[[future_state.outcomes]]
id = "o1"
confidence_band = 0.5

[[questions]]
id = "q1"
asked_by = "Lee"

[[map]]
id = "m1"
colour = "red"

[[pilots]]
id = "p1"
budget = 1200

[[checkins]]
date = 2027-01-01
mood = "good"

[[adjustments]]
date = 2027-01-02
approved_by = ["Dana"]

[facilitation]
music = false
"""


def test_unknown_keys_at_every_level_are_kept_and_written_back():
    session = codec.loads(WITH_EXTRAS)
    assert session.extra == {
        "top_scalar": "hello",
        "top_list": [1, 2],
        "top_table": {"nested": {"deep": date(2026, 1, 1)}},
    }
    assert session.future_state.extra == {"fs_flag": True}
    assert session.future_state.outcomes[0].extra == {"confidence_band": 0.5}
    assert session.questions[0].extra == {"asked_by": "Lee"}
    assert session.map[0].extra == {"colour": "red"}
    assert session.pilots[0].extra == {"budget": 1200}
    assert session.checkins[0].extra == {"mood": "good"}
    assert session.adjustments[0].extra == {"approved_by": ["Dana"]}
    assert session.facilitation.extra == {"music": False}

    text = codec.dumps(session)
    again = codec.loads(text)
    assert again == session
    reparsed = tomllib.loads(text)
    assert reparsed["map"][0]["colour"] == "red"
    assert reparsed["top_table"] == {"nested": {"deep": date(2026, 1, 1)}}
    # extras come after the known keys of their table
    assert list(reparsed["map"][0]) == ["id", "status", "colour"]
    assert list(codec.to_dict(session))[-3:] == ["top_scalar", "top_list", "top_table"]


def test_an_extra_key_shadowing_a_known_field_is_refused_on_write():
    session = Session(id="x", title="T", map=[MapNode(id="m1", extra={"owner": "Lee"})])
    with pytest.raises(CodecError) as info:
        codec.to_dict(session)
    assert info.value.field == "map[0].owner"


# --- control characters ------------------------------------------------------------------


def test_control_characters_are_stripped_on_load():
    text = (
        'id = "x"\n'
        'title = "A\\u0007B\\nC\\u001b[31m"\n'
        "[future_state]\n"
        'statement = "line1\\r\\nline2\\ttab\\u0000\\u009b"\n'
        "[[map]]\n"
        'id = "m1"\n'
        'votes = { "Da\\u0001na" = 1 }\n'
        'notes = "ok\\u0008"\n'
        'surprise = "x\\u0007y"\n'
    )
    session = codec.loads(text)
    assert session.title == "AB C[31m"
    assert session.future_state.statement == "line1\nline2\ttab"
    assert session.map[0].votes == {"Dana": 1}
    assert session.map[0].notes == "ok"
    assert session.map[0].extra == {"surprise": "xy"}


def test_control_characters_never_reach_the_written_text():
    session = Session(id="x", title="bell\x07", team="a\nb", extra={"k": "v\x1b"})
    session.future_state.statement = "keep\nnewline\x00"
    data = codec.to_dict(session)
    assert data["title"] == "bell"
    assert data["team"] == "a b"
    assert data["future_state"]["statement"] == "keep\nnewline"
    assert data["k"] == "v"


def test_multiline_text_is_written_as_a_multiline_string():
    session = Session(id="x", title="T")
    session.future_state.statement = "one\ntwo"
    assert 'statement = """\none\ntwo"""\n' in codec.dumps(session)


# --- property: every valid session round-trips ------------------------------------------

LINE = st.text(max_size=20).map(clean_line)
TEXT = st.text(max_size=60).map(clean_text)
ID = st.text(min_size=1, max_size=8).map(clean_line).filter(lambda s: s.strip() != "")
INTS = st.integers(min_value=0, max_value=2**63 - 1)
FLOATS = st.floats(allow_nan=False, allow_infinity=False)
# A session's dates lie in the years 1900..2999 (basics.MIN_YEAR, MAX_YEAR); unknown keys
# may hold any date.
DATES = st.dates(min_value=date(1900, 1, 1), max_value=date(2999, 12, 31))
ANY_DATES = st.dates()
ODD_OFFSETS = st.integers(min_value=-86399, max_value=86399).map(
    lambda s: timezone(timedelta(seconds=s))
)
DATETIMES = st.datetimes(
    min_value=datetime(1900, 1, 2),  # 1900-01-01T00:00+01:00 would be 1899 in UTC
    max_value=datetime(2200, 1, 1),
    timezones=st.just(UTC) | ODD_OFFSETS,
)
EXTRA_SCALARS = st.one_of(
    TEXT,
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    FLOATS,
    st.booleans(),
    ANY_DATES,
    st.times(),
    st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2200, 1, 1)),
    st.datetimes(
        min_value=datetime(1900, 1, 1), max_value=datetime(2200, 1, 1), timezones=st.just(UTC)
    ),
)
EXTRA_VALUES = st.recursive(
    EXTRA_SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(LINE, inner, max_size=3),
    max_leaves=6,
)


@functools.cache  # one strategy a class: a new one at each draw cost most of the test's time
def extras(cls) -> st.SearchStrategy[dict]:
    known = {f.name for f in dataclasses.fields(cls)}
    keys = LINE.filter(lambda k: k not in known)
    return st.dictionaries(keys, EXTRA_VALUES, max_size=2)


def optional(strategy):
    return st.none() | strategy


def votes():
    return st.dictionaries(LINE, st.integers(min_value=0, max_value=1000), max_size=3)


@st.composite
def sessions(draw) -> Session:
    ids = draw(st.lists(ID, unique=True, max_size=14))
    n_map, n_out, n_q = (draw(st.integers(0, len(ids))) for _ in range(3))
    map_ids, rest = ids[:n_map], ids[n_map:]  # the map first: nested maps are the point
    out_ids, rest = rest[:n_out], rest[n_out:]
    q_ids, pilot_ids = rest[:n_q], rest[n_q:]

    outcomes = [
        Outcome(
            id=i,
            metric=draw(LINE),
            unit=draw(LINE),
            baseline=draw(optional(FLOATS | st.integers(-1000, 1000).map(float))),
            target=draw(optional(FLOATS)),
            direction=draw(st.sampled_from(DIRECTIONS)),
            due=draw(optional(DATES)),
            extra=draw(extras(Outcome)),
        )
        for i in out_ids
    ]
    questions = [
        Question(
            id=i,
            prompt=draw(TEXT),
            answer=draw(TEXT),
            status=draw(st.sampled_from(QUESTION_STATUSES)),
            owner=draw(LINE),
            key=draw(LINE),
            extra=draw(extras(Question)),
        )
        for i in q_ids
    ]
    nodes = []
    for n, i in enumerate(map_ids):
        parent = draw(st.sampled_from(["", *map_ids[:n]]))  # earlier nodes: never a cycle
        nodes.append(
            MapNode(
                id=i,
                title=draw(LINE),
                parent=parent,
                owner=draw(LINE),
                duration_days=draw(optional(INTS)),
                pinned_due=draw(optional(DATES)),
                status=draw(st.sampled_from(NODE_STATUSES)),
                votes=draw(votes()),
                notes=draw(TEXT),
                extra=draw(extras(MapNode)),
            )
        )
    nodes = draw(st.permutations(nodes))  # children may come before their parents
    pilots = [
        Pilot(
            id=i,
            name=draw(LINE),
            hypothesis=draw(TEXT),
            tests=draw(st.lists(st.sampled_from(map_ids) if map_ids else LINE, max_size=3)),
            outcome=draw(st.sampled_from(["", *out_ids])),
            metric=draw(LINE),
            owner=draw(LINE),
            start=draw(optional(DATES)),
            end=draw(optional(DATES)),
            success_rule=draw(TEXT),
            status=draw(st.sampled_from(PILOT_STATUSES)),
            result=draw(TEXT),
            decision=draw(st.sampled_from(DECISIONS)),
            votes=draw(votes()),
            extra=draw(extras(Pilot)),
        )
        for i in pilot_ids
    ]
    checkins = draw(
        st.lists(
            st.builds(
                CheckIn,
                date=DATES,
                values=st.dictionaries(LINE, FLOATS, max_size=3),
                confidence=st.sampled_from(CONFIDENCES),
                note=TEXT,
                extra=extras(CheckIn),
            ),
            max_size=3,
        )
    )
    adjustments = draw(
        st.lists(
            st.builds(Adjustment, date=DATES, what=TEXT, why=TEXT, extra=extras(Adjustment)),
            max_size=3,
        )
    )
    return Session(
        id=draw(ID),
        title=draw(LINE),
        team=draw(LINE),
        facilitator=draw(LINE),
        participants=draw(st.lists(LINE, max_size=4)),
        template=draw(LINE),
        created=draw(DATETIMES),
        updated=draw(DATETIMES),
        revision=draw(INTS),
        current_step=draw(st.sampled_from(ALL_STEPS)),
        future_state=FutureState(
            statement=draw(TEXT),
            target_date=draw(optional(DATES)),
            aligned_objective=draw(TEXT),
            outcomes=outcomes,
            working_days=draw(st.booleans()),
            extra=draw(extras(FutureState)),
        ),
        questions=questions,
        map=list(nodes),
        pilots=pilots,
        checkins=checkins,
        adjustments=adjustments,
        facilitation=Facilitation(
            timebox_minutes=draw(st.dictionaries(LINE, INTS, max_size=5)),
            votes_per_person=draw(INTS),
            parking_lot=draw(st.lists(TEXT, max_size=3)),
            extra=draw(extras(Facilitation)),
        ),
        extra=draw(extras(Session)),
    )


@pytest.mark.slow  # 500 generated sessions (150 in make test)
@settings(
    max_examples=examples(500, 150), deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(sessions())
def test_property_every_valid_session_round_trips(session):
    text = codec.dumps(session)
    assert codec.loads(text) == session
    assert codec.from_dict(codec.to_dict(session)) == session
    assert codec.dumps(session) == text  # deterministic
    assert codec.dumps(codec.loads(text)) == text
    assert text.endswith("\n")


def test_property_strategy_covers_what_the_property_is_about():
    # guard against a strategy that silently stops producing interesting sessions
    wanted = {
        "nested map": lambda s: any(n.parent for n in s.map),
        "unicode title": lambda s: any(ord(c) > 0x7F for c in s.title),
        "nested extra": lambda s: any(isinstance(v, dict) for v in s.extra.values()),
        "None field": lambda s: any(o.baseline is None for o in s.future_state.outcomes),
        "non-UTC datetime": lambda s: s.created.utcoffset() != timedelta(0),
    }
    seen: set[str] = set()

    @settings(max_examples=60, deadline=None, phases=[Phase.generate], derandomize=True)
    @given(sessions())
    def probe(session):
        seen.update(name for name, check in wanted.items() if check(session))

    probe()
    assert set(wanted) - seen == set()


def test_time_values_in_extras_survive():
    session = Session(id="x", title="T", extra={"alarm": time(7, 30)})
    assert codec.loads(codec.dumps(session)).extra == {"alarm": time(7, 30)}
