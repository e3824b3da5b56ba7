"""Starter templates: a new session pre-filled with a real example plan.

Each template is one TOML file in this package (``<name>.toml``; the name is the file
stem, lowercase words joined by ``-``).  Files are read with ``importlib.resources`` so they
work from a source tree and from an installed wheel.

Template file format
--------------------

Dates are stored **relative**, so a template can be used on any day.  ``instantiate()``
resolves them against ``today`` and the target date (``target_date`` if given, otherwise
``today + horizon_days``)::

    title = "Improve retention"             # shown in the template picker (required)
    category = "HR"                         # General | HR | Training & development | Operations
    description = "One line for the picker" # (required)
    horizon_days = 365                      # default target date = today + horizon_days;
                                            # required when the template has outcomes

    [prompts]                               # template-specific guiding prompts, per step;
    future_state = ["..."]                  # the method's prompts (METHOD_PROMPTS) come first
    questions = ["..."]
    reverse_map = ["..."]
    pilots = ["..."]

    [future_state]
    statement = "By {target_date}, 88% of ..."   # {target_date} -> the ISO target date
    aligned_objective = "Company objective: ..."

    [[future_state.outcomes]]
    id = "o1"
    metric = "12-month new-hire retention"  # (required)
    unit = "%"
    baseline = 78                           # int or float
    target = 88
    direction = "increase"                  # model.DIRECTIONS; default "increase"
    due_before_target_days = 0              # due = target date - N days (default 0), never
                                            # before today (unless the target itself is past)

    [[questions]]
    id = "q1"
    key = "who_benefits"                    # one of model.METHOD_QUESTIONS, or absent;
                                            # every template has all three keys exactly once
    prompt = "..."                          # defaults to METHOD_QUESTIONS[key] when key is set
    status = "answered"                     # open | answered | parked (answered needs an answer)
    answer = "..."
    owner = "HR lead"

    [[map]]                                 # the reverse map; parent "" = enables the goal
    id = "m1"
    title = "..."                           # (required)
    parent = ""
    owner = "HR lead"
    duration_days = 60
    pinned_in_days = 30                     # optional: pinned_due = today + N days
    status = "todo"                         # model.NODE_STATUSES; default "todo"
    notes = ""
    milestone = true                        # optional: a milestone (a progress point)
    targets = { o1 = 82, o2 = 10 }          # a milestone's KPI values by its date, by
                                            # outcome id (only on a milestone)

    [[pilots]]
    id = "p1"
    name = "..."                            # (required)
    hypothesis = "..."
    tests = ["m1", "m5"]                    # map node ids
    outcome = "o2"                          # outcome id
    metric = "..."
    owner = "..."
    success_rule = "..."
    start_in_days = 14                      # start = today + N days
    length_days = 42                        # end = start + N days

    [[owners]]                              # the owner list (core.owners): items name them
    id = "w1"
    name = "HR lead"                        # (required; one entry per person, case ignored)
    capacity_hours = 8                      # optional: a week's hours for this plan
    [[stakeholders]] and [[communications]]: see ``templates/people.py``.

Ids must be unique within the template, parents / tests / outcome must name existing items,
and the map must not contain a cycle.  Unknown keys are rejected.  Any problem raises
``TemplateError("<file>: <field>: <message>")``.  Text is passed through ``textclean``.

``demo_session(today)`` builds the bundled demo from ``hr-retention``: a plan that started six
weeks before ``today``, with votes, a parking lot, a running pilot, a check-in, an
adjustment, an owner list (one owner over their hours), and stakeholders with a
communication plan (a resistant finance director first).  It is fully deterministic
for a given ``today``.

Reading and checking a file is ``templates.parsing``; finding the templates, making a session
from one and the demo are here.
"""

from __future__ import annotations

import functools
from datetime import UTC, date, datetime, time, timedelta
from importlib import resources
from importlib.resources.abc import Traversable

from backplan_tui.core import model
from backplan_tui.core.model import (
    STEPS,
    Adjustment,
    CheckIn,
    Facilitation,
    FutureState,
    MapNode,
    NodeStatus,
    Outcome,
    Owner,
    Pilot,
    Question,
    ReportMark,
    Session,
)
from backplan_tui.core.templates import people
from backplan_tui.core.templates.parsing import (
    _NAME,
    TARGET_DATE_PLACEHOLDER,
    TemplateError,
    TemplateInfo,
    _error,
    _Spec,
)
from backplan_tui.core.templates.parsing import (
    _parse as _parse,  # (tests read a template text through it)
)
from backplan_tui.core.textclean import clean_line

__all__ = [
    "DEMO_ID",
    "METHOD_PROMPTS",
    "TemplateError",
    "TemplateInfo",
    "demo_session",
    "instantiate",
    "list_templates",
    "prompts",
]

DEMO_ID = "demo"
DEMO_TEMPLATE = "hr-retention"
BLANK = "blank"

# Order of categories in the template picker (blank is always first).
CATEGORIES: tuple[str, ...] = ("General", "HR", "Training & development", "Operations")

# The method's guiding prompts, shown for every template.
METHOD_PROMPTS: dict[str, tuple[str, ...]] = {
    "future_state": (
        "Define the end goal first: specific, measurable, achievable, relevant, "
        "time-bound (SMART).",
        "What does success look like in numbers, and by what date?",
        "Which organizational objective does this goal serve? Say it in one line.",
        "Pick 3-5 KPIs; for each, today's baseline, the target and when it is due.",
        "Keep it to one goal: a statement that needs 'and' twice is probably two plans.",
    ),
    "questions": (
        "Who benefits from this initiative, and who pays for it in time or money?",
        "What does success look like in numbers? Agree how each number is measured.",
        "How will it change people's daily work: what starts, and what stops?",
        "What is the toughest question nobody has asked yet?",
        "Park what you cannot answer today, and give every open question an owner.",
    ),
    "reverse_map": (
        "Start at the goal and ask: what must be true before this?",
        "Keep asking until you reach something the team can start this week.",
        "Give every step an owner and a duration; deadlines are computed backward "
        "from the target date.",
        "Vote (v) on the conditions that most move a KPI: pilot those first.",
        "Mark the conditions that show progress on the way as milestones (m), with the "
        "KPI values expected by then.",
        "Is anything late before it starts? Cut scope, add people or move the date, "
        "and record why.",
    ),
    "pilots": (
        "Which step on the map is riskiest? Test it small before a big launch.",
        "Write the hypothesis: if we do X, then metric Y moves by Z.",
        "Keep it small: one team or site, 12 weeks at most, a fixed end date.",
        "Agree the success rule now: when do we scale, adjust or stop?",
        "Measure, adjust and log every change; report progress with evidence at each check-in.",
    ),
}

# --- discovery ----------------------------------------------------------------------------


def _root() -> Traversable:
    return resources.files(__name__)


@functools.cache
def _catalog() -> dict[str, Traversable]:
    """Template name -> its file, for every well-named ``*.toml`` in this package."""
    out: dict[str, Traversable] = {}
    for entry in _root().iterdir():
        stem = entry.name.removesuffix(".toml")
        if entry.name.endswith(".toml") and _NAME.match(stem) and entry.is_file():
            out[stem] = entry
    return out


@functools.cache
def _spec(name: str) -> _Spec:
    catalog = _catalog()
    entry = catalog.get(name)
    if entry is None:
        known = ", ".join(sorted(catalog))
        raise TemplateError(f"unknown template {name!r} (known: {known})")
    try:
        text = entry.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise _error(entry.name, "(file)", f"cannot read: {exc}") from None
    return _parse(text, entry.name)


def _sort_key(info: TemplateInfo) -> tuple[int, int, str]:
    rank = CATEGORIES.index(info.category) if info.category in CATEGORIES else len(CATEGORIES)
    return (info.name != BLANK, rank, info.name)


# --- public API ---------------------------------------------------------------------------


def list_templates() -> list[TemplateInfo]:
    """Every bundled template: blank first, then by category (HR, T&D, Operations), name."""
    return sorted((_spec(name).info for name in _catalog()), key=_sort_key)


def prompts(name: str) -> dict[str, list[str]]:
    """Step -> guiding prompts: the method's prompts, then the template's own.

    An unknown name (e.g. a session made from a template that no longer exists) gets the
    blank template's prompts.
    """
    spec = _spec(name if name in _catalog() else BLANK)
    own = dict(spec.prompts)
    return {step: [*METHOD_PROMPTS[step], *own.get(step, ())] for step in STEPS}


def _due(target: date, before_days: int, today: date) -> date:
    """``before_days`` before the target, but not before today (unless the target is past)."""
    return max(target - timedelta(days=before_days), min(today, target))


def instantiate(
    name: str,
    *,
    session_id: str,
    title: str,
    today: date,
    team: str = "",
    facilitator: str = "",
    participants: list[str] | None = None,
    target_date: date | None = None,
) -> Session:
    """A new session (revision 0, step "future_state") filled from template ``name``."""
    spec = _spec(name)
    if target_date is not None:
        target: date | None = target_date
    elif spec.horizon_days is not None:
        target = today + timedelta(days=spec.horizon_days)
    else:
        target = None

    statement = spec.statement
    if target is not None:
        statement = statement.replace(TARGET_DATE_PLACEHOLDER, target.isoformat())

    outcomes = [
        Outcome(
            id=o.id,
            metric=o.metric,
            unit=o.unit,
            baseline=o.baseline,
            target=o.target,
            direction=o.direction,
            due=_due(target, o.due_before_target_days, today) if target else None,
        )
        for o in spec.outcomes
    ]
    questions = [
        Question(
            id=q.id, prompt=q.prompt, answer=q.answer, status=q.status, owner=q.owner, key=q.key
        )
        for q in spec.questions
    ]
    nodes = [
        MapNode(
            id=n.id,
            title=n.title,
            parent=n.parent,
            owner=n.owner,
            duration_days=n.duration_days,
            pinned_due=(
                today + timedelta(days=n.pinned_in_days) if n.pinned_in_days is not None else None
            ),
            status=n.status,
            notes=n.notes,
            milestone=n.milestone,
            targets=dict(n.targets),
        )
        for n in spec.map
    ]
    pilots = []
    for p in spec.pilots:
        start = today + timedelta(days=p.start_in_days) if p.start_in_days is not None else None
        end = start + timedelta(days=p.length_days) if start and p.length_days else None
        pilots.append(
            Pilot(
                id=p.id,
                name=p.name,
                hypothesis=p.hypothesis,
                tests=list(p.tests),
                outcome=p.outcome,
                metric=p.metric,
                owner=p.owner,
                start=start,
                end=end,
                success_rule=p.success_rule,
            )
        )

    stakeholders, communications = people.build(spec.stakeholders, spec.communications, today)
    now = model.utc_now()
    names = [clean_line(p).strip() for p in participants or []]
    return Session(
        id=session_id,
        title=clean_line(title).strip(),
        team=clean_line(team).strip(),
        facilitator=clean_line(facilitator).strip(),
        participants=[p for p in names if p],
        template=name,
        created=now,
        updated=now,
        revision=0,
        current_step="future_state",
        future_state=FutureState(
            statement=statement,
            target_date=target,
            aligned_objective=spec.aligned_objective,
            outcomes=outcomes,
        ),
        questions=questions,
        map=nodes,
        pilots=pilots,
        stakeholders=stakeholders,
        communications=communications,
        facilitation=Facilitation(),
        owners=[Owner(id=i, name=n, capacity_hours=h) for i, n, h in spec.owners],
    )


# --- the demo -----------------------------------------------------------------------------

DEMO_TITLE = "Demo: Improve 12-month retention"
DEMO_PARTICIPANTS = ("Dana", "Lee", "Sam", "Priya")
DEMO_STARTED_DAYS_AGO = 42

# Dot votes (3 per person) on the first-level conditions of the map.
_DEMO_VOTES: dict[str, dict[str, int]] = {
    "m1": {"Dana": 2, "Lee": 1, "Priya": 2},
    "m2": {"Lee": 2, "Priya": 1},
    "m3": {"Dana": 1, "Sam": 2},
    "m4": {"Sam": 1},
}
_DEMO_PINNED_DAYS = {"m9": 7, "m11": 40}
_DEMO_NODE_STATUS: dict[str, NodeStatus] = {
    "m13": "done",
    "m10": "done",
    "m5": "doing",
    "m12": "doing",
}


def demo_session(today: date) -> Session:
    """The bundled demo: the hr-retention plan six weeks in.  Deterministic for ``today``."""
    started = today - timedelta(days=DEMO_STARTED_DAYS_AGO)
    s = instantiate(
        DEMO_TEMPLATE,
        session_id=DEMO_ID,
        title=DEMO_TITLE,
        today=started,
        team="People Ops",
        facilitator="Dana",
        participants=list(DEMO_PARTICIPANTS),
    )
    s.created = datetime.combine(started, time(9, 0), tzinfo=UTC)
    s.updated = datetime.combine(today - timedelta(days=1), time(16, 30), tzinfo=UTC)
    s.current_step = "reverse_map"

    for q in s.questions:
        if q.key == "daily_work":
            q.status = "answered"
            q.owner = "Lee"
            q.answer = (
                "Managers: a 30-minute stay interview with each person every quarter, and one "
                "follow-up action they report back on. New hires: a buddy from day one and "
                "check-ins at 30, 60 and 90 days. HR: a monthly retention review by team "
                "instead of reading exit surveys once a year."
            )

    for node in s.map:
        node.votes = dict(_DEMO_VOTES.get(node.id, {}))
        node.status = _DEMO_NODE_STATUS.get(node.id, node.status)
        # A plan in flight: the recognition channel was promised for next week's all-hands
        # but has not started (late), and the job-family agreement must start within two
        # weeks (the start-now list).
        if node.id in _DEMO_PINNED_DAYS:
            node.pinned_due = today + timedelta(days=_DEMO_PINNED_DAYS[node.id])

    support, buddy = s.pilots[0], s.pilots[1]
    support.status = "running"
    # The adjustment below moved the buddy pilot to the next, larger new-hire cohort.
    buddy.start = today + timedelta(days=7)
    buddy.end = buddy.start + timedelta(days=56)

    # The owner list is the template's, but the HR lead has only 6 hours a week for this plan
    # (two of their steps overlap in the autumn: the coach flags it), and Lee is on it too.
    for owner in s.owners:
        if owner.name == "HR lead":
            owner.capacity_hours = 6.0
    s.owners.append(
        Owner(id=model.next_id("w", [o.id for o in s.owners]), name="Lee", capacity_hours=4)
    )

    s.facilitation.parking_lot = [
        "Budget for manager training: ask Finance before the Q3 plan",
        "Do contractors count in the retention numbers?",
    ]
    s.checkins = [
        CheckIn(
            date=today - timedelta(days=14),
            values={"o1": 78.5, "o2": 11.6, "o3": 10.0},
            confidence="on_track",
            note=(
                "Stay-interview guide tested with two Support managers; baseline by team and "
                "tenure is done. 90-day attrition ticked down in the last cohort, too early "
                "to credit the pilot."
            ),
        )
    ]
    s.adjustments = [
        Adjustment(
            date=today - timedelta(days=10),
            what="Moved the buddy pilot to start with the next new-hire cohort (in 1 week)",
            why="The original cohort had only 3 new hires, too few to learn from; "
            "the next one has 11.",
        )
    ]
    _demo_people(s, today)
    s.reports = [_demo_report_mark(s, today)]
    return s


def _demo_report_mark(s: Session, today: date) -> ReportMark:
    """The demo's last progress report, 12 days ago (after the check-in, before the
    adjustment): the recognition channel (m9) was due a week earlier then, and the
    stay-interview guide (m10) was not done yet, so the next report has a slipped date, an
    item done and an adjustment to tell."""
    from backplan_tui.core import report, schedule

    made = today - timedelta(days=12)
    mark = report.make_mark(s, made, schedule.compute(s, made), "Dana")
    mark.due["m9"] = mark.due["m9"] - timedelta(days=7)
    mark.done = [i for i in mark.done if i != "m10"]
    return mark


def _demo_people(s: Session, today: date) -> None:
    """The demo's stakeholders (the template's): the finance director resists, so the
    retention and cost figures go to her monthly; the next steering meeting is in 5 days
    and the managers' newsletter in 9 (both on Track's due list)."""
    finance = s.stakeholders[0]
    finance.name, finance.role = "Ines", "Finance director, budget holder"
    s.communications[0].next = today + timedelta(days=5)
    s.communications[1].next = today + timedelta(days=9)
