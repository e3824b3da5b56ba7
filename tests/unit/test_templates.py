"""Starter templates: loading, completeness, relative dates, prompts, the demo."""

from __future__ import annotations

import dataclasses
import re
from datetime import UTC, date, datetime, timedelta

import pytest

from backplan_tui.core import coach, codec, templates
from backplan_tui.core.model import DIRECTIONS, METHOD_QUESTIONS, STEPS, Session
from backplan_tui.core.owners import owner_key
from backplan_tui.core.templates import TemplateError

TODAY = date(2026, 3, 2)

ALL_NAMES = [
    "blank",
    "hr-retention",
    "hr-leadership-pipeline",
    "hr-engagement",
    "td-program",
    "ops-streamline-production",
    "ops-supply-chain-delivery",
    "ops-customer-service",
]
NON_BLANK = [n for n in ALL_NAMES if n != "blank"]
METHOD_KEYS = ["who_benefits", "success_numbers", "daily_work"]
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def make(name: str, **kwargs) -> Session:
    return templates.instantiate(
        name, session_id="plan-0001", title="A plan", today=TODAY, **kwargs
    )


def all_ids(s: Session) -> list[str]:
    return (
        [o.id for o in s.future_state.outcomes]
        + [q.id for q in s.questions]
        + [n.id for n in s.map]
        + [p.id for p in s.pilots]
    )


def strings_in(obj) -> list[str]:
    """Every string anywhere inside a dataclass tree (values and dict keys)."""
    if isinstance(obj, str):
        return [obj]
    if dataclasses.is_dataclass(obj):
        return [s for f in dataclasses.fields(obj) for s in strings_in(getattr(obj, f.name))]
    if isinstance(obj, dict):
        return [s for k, v in obj.items() for s in strings_in(k) + strings_in(v)]
    if isinstance(obj, list | tuple):
        return [s for item in obj for s in strings_in(item)]
    return []


# --- catalogue ----------------------------------------------------------------------------


def test_list_templates_has_every_template_blank_first_then_by_category():
    infos = templates.list_templates()
    names = [i.name for i in infos]
    assert sorted(names) == sorted(ALL_NAMES)
    assert names[0] == "blank"
    categories = {i.name: i.category for i in infos}
    assert categories["hr-retention"] == "HR"
    assert categories["hr-leadership-pipeline"] == "HR"
    assert categories["hr-engagement"] == "HR"
    assert categories["td-program"] == "Training & development"
    assert categories["ops-customer-service"] == "Operations"
    assert names.index("hr-retention") < names.index("td-program")
    assert names.index("td-program") < names.index("ops-streamline-production")
    for info in infos:
        assert info.title.strip() and info.description.strip()


@pytest.mark.parametrize("name", ALL_NAMES)
def test_every_template_instantiates_as_a_new_session(name):
    before = datetime.now(UTC).replace(microsecond=0)
    s = make(name, team="Ops", facilitator="Dana", participants=["Dana", "Lee"])
    after = datetime.now(UTC)
    assert s.id == "plan-0001"
    assert s.title == "A plan"
    assert s.team == "Ops"
    assert s.facilitator == "Dana"
    assert s.participants == ["Dana", "Lee"]
    assert s.template == name
    assert s.revision == 0
    assert s.current_step == "future_state"
    assert s.created == s.updated
    assert s.created.tzinfo is not None and s.created.utcoffset() == timedelta(0)
    assert before <= s.created <= after
    assert s.checkins == [] and s.adjustments == []


def test_unknown_template_raises_a_clear_error():
    with pytest.raises(TemplateError, match="unknown template 'no-such-thing'.*hr-retention"):
        make("no-such-thing")
    with pytest.raises(TemplateError):
        make("../blank")


# --- content ------------------------------------------------------------------------------


def test_blank_has_only_the_three_open_method_questions():
    s = make("blank")
    assert [q.key for q in s.questions] == METHOD_KEYS
    assert [q.prompt for q in s.questions] == [METHOD_QUESTIONS[k] for k in METHOD_KEYS]
    assert all(q.status == "open" and q.answer == "" for q in s.questions)
    assert s.future_state.statement == ""
    assert s.future_state.aligned_objective == ""
    assert s.future_state.outcomes == []
    assert s.future_state.target_date is None
    assert s.map == [] and s.pilots == []
    assert s.facilitation.parking_lot == []


def test_blank_takes_an_explicit_target_date():
    assert make("blank", target_date=date(2026, 12, 31)).future_state.target_date == date(
        2026, 12, 31
    )


@pytest.mark.parametrize("name", NON_BLANK)
def test_non_blank_template_is_a_complete_plan(name):
    s = make(name)
    fs = s.future_state

    # Goal: a number besides the date, a target date in the future, an objective.
    assert fs.target_date is not None and fs.target_date > TODAY
    assert re.search(r"\d", fs.statement.replace(fs.target_date.isoformat(), ""))
    assert fs.target_date.isoformat() in fs.statement
    assert "{" not in fs.statement
    assert fs.aligned_objective.strip()

    # 3-5 measurable outcomes, due between today and the target date.
    assert 3 <= len(fs.outcomes) <= 5
    for o in fs.outcomes:
        assert o.metric.strip() and o.unit.strip()
        assert isinstance(o.baseline, float) and isinstance(o.target, float)
        assert o.baseline != o.target or o.direction in ("stay_above", "stay_below")
        assert o.direction in DIRECTIONS
        assert o.due is not None and TODAY <= o.due <= fs.target_date

    # The three method questions once each, 2-3 of the template's own, answered and open.
    keys = [q.key for q in s.questions if q.key]
    assert sorted(keys) == sorted(METHOD_KEYS)
    assert 2 <= sum(1 for q in s.questions if not q.key) <= 3
    assert any(q.status == "answered" for q in s.questions)
    assert any(q.status == "open" for q in s.questions)
    for q in s.questions:
        assert q.prompt.strip()
        assert (q.status == "answered") == bool(q.answer.strip())

    # Reverse map: 8+ nodes, each owned and sized, parents exist, 3 levels deep.
    assert len(s.map) >= 8
    ids = {n.id for n in s.map}
    for n in s.map:
        assert n.title.strip() and n.owner.strip()
        assert isinstance(n.duration_days, int) and n.duration_days > 0
        assert n.parent == "" or n.parent in ids
        assert n.status == "todo" and n.votes == {}
        assert s.depth(n.id) <= len(s.map)  # no cycle
    assert max(s.depth(n.id) for n in s.map) >= 3
    assert s.children("")

    # Two small pilots that test the map and move an outcome.
    assert len(s.pilots) == 2
    for p in s.pilots:
        assert p.name.strip() and p.hypothesis.strip() and p.metric.strip()
        assert p.owner.strip() and p.success_rule.strip()
        assert p.tests and all(t in ids for t in p.tests)
        assert s.outcome(p.outcome) is not None
        assert p.start is not None and p.end is not None
        assert TODAY <= p.start < p.end
        assert (p.end - p.start).days <= 56
        assert p.status == "planned" and p.decision == "" and p.result == ""

    # An owner list of 4-5 people, each with weekly hours and owning items on the map; a new
    # plan from a template asks no one for more than the default limits.
    assert 4 <= len(s.owners) <= 5
    used = {owner_key(n.owner) for n in s.map} | {owner_key(p.owner) for p in s.pilots}
    for owner in s.owners:
        assert owner.id.startswith("w") and owner.capacity_hours and owner.capacity_hours > 0
        assert owner_key(owner.name) in used
    assert not [f for f in coach.review(s, TODAY) if f.check.startswith("owner_")]


@pytest.mark.parametrize("name", ALL_NAMES)
def test_ids_are_unique_within_a_session(name):
    ids = all_ids(make(name))
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("name", ALL_NAMES)
def test_template_text_is_clean(name):
    for text in strings_in(make(name)):
        assert not CONTROL.search(text), repr(text)
        assert text == text.strip() or "\n" in text


# --- dates --------------------------------------------------------------------------------


def test_hr_retention_dates_from_a_fixed_today():
    s = make("hr-retention")
    fs = s.future_state
    # 2026-03-02 + 365 days (no 29 February in between)
    assert fs.target_date == date(2027, 3, 2)
    assert fs.statement.startswith("By 2027-03-02, 88% of new hires")
    assert [o.due for o in fs.outcomes] == [
        date(2027, 3, 2),  # o1: the target date
        date(2027, 3, 2),  # o2: the target date
        date(2026, 11, 2),  # o3: 120 days before 2027-03-02
        date(2027, 1, 1),  # o4: 60 days before 2027-03-02
    ]
    p1, p2 = s.pilots
    assert (p1.start, p1.end) == (date(2026, 3, 16), date(2026, 4, 27))  # +14, then 42 days
    assert (p2.start, p2.end) == (date(2026, 3, 23), date(2026, 5, 18))  # +21, then 56 days


def test_an_explicit_target_date_moves_goal_and_outcomes_but_not_pilots():
    s = make("hr-retention", target_date=date(2026, 12, 31))
    fs = s.future_state
    assert fs.target_date == date(2026, 12, 31)
    assert "By 2026-12-31," in fs.statement
    assert fs.outcomes[0].due == date(2026, 12, 31)
    assert fs.outcomes[2].due == date(2026, 9, 2)  # 120 days before 2026-12-31
    assert (s.pilots[0].start, s.pilots[0].end) == (date(2026, 3, 16), date(2026, 4, 27))


def test_outcome_due_dates_never_fall_before_today():
    s = make("hr-retention", target_date=date(2026, 4, 1))
    assert [o.due for o in s.future_state.outcomes] == [
        date(2026, 4, 1),
        date(2026, 4, 1),
        TODAY,  # 120 days before 2026-04-01 would be in 2025
        TODAY,
    ]


def test_pinned_dates_are_relative_to_today():
    s = make("hr-leadership-pipeline")
    pinned = [n for n in s.map if n.pinned_due is not None]
    assert [(n.id, n.pinned_due) for n in pinned] == [("m10", date(2026, 4, 1))]
    assert s.future_state.target_date == date(2027, 8, 24)  # 2026-03-02 + 365 + 175 days


def test_instances_do_not_share_mutable_state():
    a = make("hr-retention")
    a.map[0].votes["Dana"] = 2
    a.pilots[0].tests.append("m9")
    a.future_state.outcomes[0].target = 99.0
    a.questions[0].answer = "changed"
    b = make("hr-retention")
    assert b.map[0].votes == {}
    assert b.pilots[0].tests == ["m1", "m5"]
    assert b.future_state.outcomes[0].target == 88.0
    assert b.questions[0].answer != "changed"


def test_people_and_title_are_cleaned():
    s = templates.instantiate(
        "blank",
        session_id="x-1",
        title="Plan\x1b[31m\nA",
        today=TODAY,
        team="Ops\x07",
        participants=[" Dana ", "", "Lee\x00"],
    )
    assert s.title == "Plan[31m A"
    assert s.team == "Ops"
    assert s.participants == ["Dana", "Lee"]


# --- prompts ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ALL_NAMES)
def test_prompts_cover_all_four_steps(name):
    p = templates.prompts(name)
    assert list(p) == list(STEPS)
    for step in STEPS:
        assert p[step], step
        assert all(isinstance(text, str) and text.strip() for text in p[step])
        assert p[step][: len(templates.METHOD_PROMPTS[step])] == list(
            templates.METHOD_PROMPTS[step]
        )
        if name != "blank":
            assert len(p[step]) > len(templates.METHOD_PROMPTS[step]), (name, step)


def test_method_prompts_carry_the_method():
    p = templates.prompts("blank")
    assert any("SMART" in text for text in p["future_state"])
    assert any("what must be true before this?" in text for text in p["reverse_map"])
    assert any("scale, adjust or stop" in text for text in p["pilots"])
    assert any("daily work" in text for text in p["questions"])


def test_template_prompts_are_specific():
    assert any("recognition" in text for text in templates.prompts("hr-retention")["reverse_map"])
    assert any(
        "OTIF" in text for text in templates.prompts("ops-supply-chain-delivery")["future_state"]
    )


def test_unknown_template_gets_blank_prompts():
    assert templates.prompts("no-such-template") == templates.prompts("blank")
    assert templates.prompts("") == templates.prompts("blank")


def test_prompts_are_fresh_lists():
    templates.prompts("hr-retention")["pilots"].append("scribble")
    assert "scribble" not in templates.prompts("hr-retention")["pilots"]


# --- the demo -----------------------------------------------------------------------------


def test_demo_is_deterministic_for_a_given_today():
    assert templates.demo_session(TODAY) == templates.demo_session(TODAY)
    assert templates.demo_session(TODAY) != templates.demo_session(TODAY + timedelta(days=1))


def test_demo_header():
    s = templates.demo_session(TODAY)
    assert s.id == templates.DEMO_ID == "demo"
    assert s.title == "Demo: Improve 12-month retention"
    assert s.template == "hr-retention"
    assert s.facilitator == "Dana"
    assert s.participants == ["Dana", "Lee", "Sam", "Priya"]
    assert s.team
    assert s.current_step == "reverse_map"
    assert s.revision == 0
    # Started six weeks ago, last touched yesterday, at fixed UTC times.
    assert s.created == datetime(2026, 1, 19, 9, 0, tzinfo=UTC)
    assert s.updated == datetime(2026, 3, 1, 16, 30, tzinfo=UTC)
    assert s.future_state.target_date == date(2027, 1, 19)


def test_demo_is_a_plan_in_flight():
    s = templates.demo_session(TODAY)
    outcome_ids = {o.id for o in s.future_state.outcomes}

    voted = [n for n in s.map if n.votes]
    assert len(voted) >= 2
    per_person: dict[str, int] = {}
    for n in voted:
        for person, count in n.votes.items():
            assert person in s.participants and count > 0
            per_person[person] = per_person.get(person, 0) + count
    assert set(per_person) == set(s.participants)
    assert all(used <= s.facilitation.votes_per_person for used in per_person.values())

    assert s.facilitation.parking_lot
    assert {n.status for n in s.map} >= {"todo", "doing", "done"}

    assert len(s.checkins) == 1
    checkin = s.checkins[0]
    assert checkin.date < TODAY
    assert checkin.values and set(checkin.values) <= outcome_ids

    assert len(s.adjustments) == 1
    adjustment = s.adjustments[0]
    assert adjustment.date < TODAY
    assert adjustment.what and adjustment.why

    running = [p for p in s.pilots if p.status == "running"]
    assert len(running) == 1
    assert running[0].start < TODAY <= running[0].end
    planned = [p for p in s.pilots if p.status == "planned"]
    assert planned and all(p.start > adjustment.date for p in planned)
    assert all((p.end - p.start).days <= 56 for p in s.pilots)

    assert sum(q.status == "answered" for q in s.questions) >= 4
    assert any(q.status == "open" for q in s.questions)

    # The owner list: the template's, with Lee added; the HR lead, with 6 hours a week,
    # has two steps at once: 2 x 4 h = 8 h, 133% of 6 h, over the default 100%.
    assert [o.name for o in s.owners][-1] == "Lee"
    found = [f for f in coach.review(s, TODAY) if f.check.startswith("owner_")]
    assert [f.check for f in found] == ["owner_over_capacity"]
    assert found[0].message.startswith('"HR lead" needs about 8 h a week from ')
    assert "(2 items x 4 h), 133% of the 6 h they have (allowed: 100%)" in found[0].message

    ids = all_ids(s)
    assert len(ids) == len(set(ids))
    for text in strings_in(s):
        assert not CONTROL.search(text)


# --- malformed template files -------------------------------------------------------------

HEAD = 'title = "T"\ncategory = "HR"\ndescription = "D"\nhorizon_days = 100\n'
METHOD = "".join(f'[[questions]]\nid = "q{i}"\nkey = "{k}"\n' for i, k in enumerate(METHOD_KEYS, 1))
OUTCOME = '[[future_state.outcomes]]\nid = "o1"\nmetric = "M"\n'
NODES = '[[map]]\nid = "m1"\ntitle = "A"\n[[map]]\nid = "m2"\ntitle = "B"\nparent = "m1"\n'


def test_a_minimal_valid_template_parses():
    spec = templates._parse(HEAD + OUTCOME + METHOD + NODES, "ok.toml")
    assert spec.info.name == "ok"
    assert [n.id for n in spec.map] == ["m1", "m2"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("title = \n", "bad.toml: (toml): "),
        ('category = "HR"\ndescription = "D"\n' + METHOD, "bad.toml: title: must not be empty"),
        (HEAD + 'titel = "x"\n' + METHOD, "bad.toml: titel: unknown key"),
        (HEAD + "horizon_days = 1\n" + METHOD, "bad.toml: (toml): "),
        (HEAD.replace("100", "0") + METHOD, "bad.toml: horizon_days: must be 1 or more"),
        (
            HEAD.replace("horizon_days = 100\n", "") + OUTCOME + METHOD,
            "bad.toml: horizon_days: required",
        ),
        (
            HEAD + OUTCOME + 'direction = "up"\n' + METHOD,
            "bad.toml: future_state.outcomes[0].direction: must be one of increase",
        ),
        (
            HEAD + OUTCOME + 'baseline = "78"\n' + METHOD,
            "bad.toml: future_state.outcomes[0].baseline: expected a number",
        ),
        (
            HEAD + METHOD.replace('key = "daily_work"', 'prompt = "Own"'),
            "bad.toml: questions: missing method question 'daily_work'",
        ),
        (HEAD + METHOD + '[[questions]]\nid = "q9"\nkey = "who_benefits"\n', "appears twice"),
        (
            HEAD + '[[questions]]\nid = "q0"\nprompt = "P"\nstatus = "answered"\n' + METHOD,
            "bad.toml: questions[0].answer: an answered question needs an answer",
        ),
        (HEAD + METHOD + NODES.replace('id = "m2"', 'id = "q1"'), "map[1].id: duplicate id 'q1'"),
        (
            HEAD + METHOD + '[[map]]\nid = "m1"\ntitle = "A"\nduration_days = true\n',
            "bad.toml: map[0].duration_days: expected a whole number",
        ),
        (
            HEAD + METHOD + NODES.replace('parent = "m1"', 'parent = "m7"'),
            "bad.toml: map[1].parent: no map node 'm7'",
        ),
        (
            HEAD + METHOD + NODES.replace('title = "A"', 'title = "A"\nparent = "m2"'),
            "bad.toml: map[0].parent: cycle",
        ),
        (
            HEAD + METHOD + NODES + '[[pilots]]\nid = "p1"\nname = "P"\ntests = ["m1", "m3"]\n',
            "bad.toml: pilots[0].tests[1]: no map node 'm3'",
        ),
        (
            HEAD + METHOD + NODES + '[[pilots]]\nid = "p1"\nname = "P"\noutcome = "o9"\n',
            "bad.toml: pilots[0].outcome: no outcome 'o9'",
        ),
        (
            HEAD + METHOD + '[[pilots]]\nid = "p1"\nname = "P"\nlength_days = 0\n',
            "bad.toml: pilots[0].length_days: must be 1 or more",
        ),
        (HEAD + METHOD + "[prompts]\npilots = [1]\n", "bad.toml: prompts.pilots[0]: expected"),
        (HEAD + METHOD + "[prompts]\nsummary = []\n", "bad.toml: prompts.summary: unknown key"),
        (HEAD + "map = 3\n" + METHOD, "bad.toml: map: expected an array of tables"),
        (
            HEAD + OUTCOME + METHOD + NODES + 'milestone = "yes"\n',
            "bad.toml: map[1].milestone: expected true or false",
        ),
        (
            HEAD + OUTCOME + METHOD + NODES + "milestone = true\ntargets = { o9 = 1 }\n",
            "bad.toml: map[1].targets.o9: unknown key",
        ),
        (
            HEAD + OUTCOME + METHOD + NODES + 'milestone = true\ntargets = { o1 = "82" }\n',
            "bad.toml: map[1].targets.o1: expected a number",
        ),
        (
            HEAD + OUTCOME + METHOD + NODES + "targets = { o1 = 82 }\n",
            "bad.toml: map[1].targets: only a milestone has targets",
        ),
        (HEAD + METHOD + '[[owners]]\nid = "w1"\n', "bad.toml: owners[0].name: must not be"),
        (
            HEAD + METHOD + '[[owners]]\nid = "w1"\nname = "Priya"\n'
            '[[owners]]\nid = "w2"\nname = "priya "\n',
            "bad.toml: owners[1].name: owner 'priya' is listed twice",
        ),
        (
            HEAD + METHOD + '[[owners]]\nid = "w1"\nname = "P"\ncapacity_hours = 200\n',
            "bad.toml: owners[0].capacity_hours: must be from 0 to 168",
        ),
    ],
)
def test_malformed_template_names_file_and_field(text, message):
    with pytest.raises(TemplateError) as info:
        templates._parse(text, "bad.toml")
    assert message in str(info.value)
    assert "\n" not in str(info.value)


def test_control_characters_in_a_template_are_removed():
    text = HEAD.replace('"T"', '"Re\\u001btention"') + METHOD.replace(
        'key = "who_benefits"\n',
        'key = "who_benefits"\nstatus = "answered"\nanswer = "line one\\nline\\u0007 two"\n',
    )
    spec = templates._parse(text, "ctl.toml")
    assert spec.info.title == "Retention"
    assert spec.questions[0].answer == "line one\nline two"


@pytest.fixture
def package_root(tmp_path, monkeypatch):
    """Point template discovery at a temporary directory; restore the caches afterwards."""
    monkeypatch.setattr(templates, "_root", lambda: tmp_path)
    templates._catalog.cache_clear()
    templates._spec.cache_clear()
    yield tmp_path
    templates._catalog.cache_clear()
    templates._spec.cache_clear()


def test_a_broken_file_in_the_package_raises_naming_the_file(package_root):
    (package_root / "blank.toml").write_text(HEAD + METHOD, encoding="utf-8")
    (package_root / "broken.toml").write_text(
        HEAD + METHOD + '[[map]]\nid = "m1"\n', encoding="utf-8"
    )
    (package_root / "Not A Name.toml").write_text("junk = [", encoding="utf-8")
    (package_root / "notes.txt").write_text("junk", encoding="utf-8")
    assert sorted(templates._catalog()) == ["blank", "broken"]
    with pytest.raises(TemplateError, match=r"^broken\.toml: map\[0\]\.title: must not be empty$"):
        templates.instantiate("broken", session_id="x-1", title="X", today=TODAY)
    assert templates.prompts("Not A Name") == templates.prompts("blank")


# --- the session file ---------------------------------------------------------------------


@pytest.mark.parametrize("name", ALL_NAMES)
def test_templates_survive_the_codec(name):
    s = make(name)
    assert codec.loads(codec.dumps(s)) == s


def test_demo_survives_the_codec():
    s = templates.demo_session(TODAY)
    assert codec.loads(codec.dumps(s), source="demo.toml") == s


# --- milestones ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", NON_BLANK)
def test_every_template_has_milestones_that_bend_a_trajectory_the_right_way(name):
    """Each non-blank template marks at least one milestone; each target is dated strictly
    inside its outcome's trajectory (so it bends the line) and none goes the wrong way."""
    from backplan_tui.core import coach, schedule
    from backplan_tui.core.trajectory import trajectory

    s = make(name)
    s.created = datetime(2026, 3, 2, 9, tzinfo=UTC)  # made on TODAY (instantiate stamps now)
    marked = [n for n in s.map if n.milestone]
    assert marked and all(n.targets for n in marked), name
    plan = schedule.compute(s, TODAY)
    for outcome in s.future_state.outcomes:
        line = trajectory(s, outcome, plan)
        wanted = {n.id for n in marked if outcome.id in n.targets}
        assert {p.node_id for p in line.milestones} == wanted, (name, outcome.id)
    assert not [f for f in coach.review(s, TODAY) if f.check == "milestone_wrong_way"]


def test_a_template_milestone_is_read_with_its_targets():
    text = HEAD + OUTCOME + METHOD + NODES + "milestone = true\ntargets = { o1 = 82 }\n"
    spec = templates._parse(text, "ok.toml")
    assert (spec.map[1].milestone, spec.map[1].targets) == (True, (("o1", 82.0),))
    assert (spec.map[0].milestone, spec.map[0].targets) == (False, ())
