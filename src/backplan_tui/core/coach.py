"""The plan-health coach: the method's pitfalls, checked live.

Building blocks the step screens use directly: ``smart_check`` (the goal, letter by letter),
``step_state`` (empty / in progress / done), ``pilot_flags`` (why a pilot is not a small,
testable experiment; ``all_pilot_flags`` for every pilot at once) and ``answered_count``.

The coach, ``review(session, today)``, returns ``Finding`` objects: a severity (problem /
warning / tip), the step the finding belongs to (one of ``model.STEPS`` or "track"), the item
(an outcome, question, map node or pilot id; "" for the plan as a whole), a one-line message
and a one-line fix.  ``step_health`` turns them into the stepper's badges and
``summary_counts`` into "2 problems, 3 warnings".  ``CHECKS`` lists every check with its
severity, step and what it looks for.  Pure: ``today`` is passed in.

Decisions the issue left open:

- *Problem* means the plan cannot work as written (``backplan check`` exits 1): no goal, no
  number, no target date or a past one, a path that had to start before today, a pinned date
  that contradicts what it enables, and a method question still unanswered once the plan is
  under way.  Everything else that needs doing is a *warning*; *tips* are polish and never
  change a badge.
- **Under way** (``under_way``): a map node doing/done, a pilot running/done, or a check-in;
  or a map exists and the session was created more than one review cadence ago.  The review
  cadence is the session's ``review_cadence`` (weekly, fortnightly or monthly), with the
  meaning Track gives it (``progress.cadence_after``).  Once under way, a check-in overdue by
  that cadence (counted from the last check-in, else from ``created``, as Track's "next
  check-in due" is) is a warning.
- **Method questions**: not answered (open or parked) is a warning during the workshop and a
  problem once the plan is under way; a method question missing from the list is a warning.
  The team's own open questions are tips.
- **A target far beyond the baseline**: an increase/decrease outcome whose target is at
  least half the baseline away from it (or any change from a baseline of 0), when no pilot
  has that outcome.  stay_above / stay_below outcomes are never a stretch.
- **Dates moved without an adjustment** (``no_adjustment``): history is not stored, so the
  coach uses what it can see: a map node that went late (its latest start, or for a doing
  node its due date, passed) *after the session was created*, with no adjustment dated on or
  after that day.  A plan late from its first day is ``path_late`` only.  An outcome due after
  the target date (the goal moved, its KPIs did not) is ``outcome_due_after_goal``.
- **The map**: checks use the live nodes (``schedule.walk``: dropped branches left out);
  owner/duration are asked of open nodes only (done work needs neither).  A late path is
  reported once, at its deepest late node (the one that has to move first).
- **Pilots**: a done pilot is history: its design gaps are not reported, a missing decision
  is.  ``pilot_flags`` keeps the labels the pilot cards show.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from datetime import date

from backplan_tui.core import schedule as schedule_mod
from backplan_tui.core.model import METHOD_QUESTIONS, STEP_TITLES, STEPS, Pilot, Session
from backplan_tui.core.progress import cadence_after, next_checkin_due
from backplan_tui.core.progress import review_cadence as review_cadence
from backplan_tui.core.textclean import shorten

PILOT_MAX_DAYS = 12 * 7  # a pilot longer than 12 weeks is not small

_NUMBER = re.compile(r"\d")
_YEAR_OR_DATE = re.compile(
    r"\b(19|20)\d\d\b|\bby (end of |the end of )?(q[1-4]|[a-z]+ \d{4})\b", re.I
)
_COMPOUND = re.compile(r"\b(and also|as well as|in addition)\b|;", re.I)


@dataclass(frozen=True)
class SmartLetter:
    letter: str
    name: str
    ok: bool
    advice: str  # what to add when not ok; what was found when ok


def smart_check(session: Session, today: date) -> list[SmartLetter]:
    """Specific, Measurable, Achievable, Relevant, Time-bound: each letter explained."""
    fs = session.future_state
    statement = fs.statement.strip()
    words = statement.split()

    if not statement:
        specific = SmartLetter("S", "Specific", False, "Write the goal as one sentence.")
    elif len(words) < 6:
        specific = SmartLetter("S", "Specific", False, "Say what changes, for whom (6+ words).")
    elif len(words) > 45 or _COMPOUND.search(statement):
        specific = SmartLetter("S", "Specific", False, "One goal per statement: split it.")
    else:
        specific = SmartLetter("S", "Specific", True, "One clear goal.")

    measurable_outcomes = [o for o in fs.outcomes if o.target is not None and o.metric]
    if _NUMBER.search(statement) or measurable_outcomes:
        measurable = SmartLetter("M", "Measurable", True, "Has a number to hit.")
    else:
        measurable = SmartLetter("M", "Measurable", False, "Add a number or an outcome target.")

    stretched = [
        o
        for o in fs.outcomes
        if o.baseline is not None
        and o.target is not None
        and o.baseline != 0
        and abs(o.target - o.baseline) > abs(o.baseline)
    ]
    if not fs.outcomes:
        achievable = SmartLetter("A", "Achievable", False, "Add outcomes with a baseline.")
    elif stretched:
        names = ", ".join(o.metric or o.id for o in stretched)
        achievable = SmartLetter(
            "A", "Achievable", False, f"Target more than doubles the baseline: {names}."
        )
    else:
        achievable = SmartLetter("A", "Achievable", True, "Targets are within reach.")

    if fs.aligned_objective.strip():
        relevant = SmartLetter("R", "Relevant", True, "Aligned with an organizational objective.")
    else:
        relevant = SmartLetter("R", "Relevant", False, "Name the organizational objective.")

    if fs.target_date is not None and fs.target_date <= today:
        timebound = SmartLetter("T", "Time-bound", False, "The target date has passed.")
    elif fs.target_date is not None or _YEAR_OR_DATE.search(statement):
        timebound = SmartLetter("T", "Time-bound", True, "Has a date.")
    else:
        timebound = SmartLetter("T", "Time-bound", False, "Set a target date.")

    return [specific, measurable, achievable, relevant, timebound]


def step_state(session: Session, step: str) -> str:
    """ "empty", "in_progress" or "done" for one of the four workshop steps."""
    if step == "future_state":
        fs = session.future_state
        if not fs.statement and not fs.outcomes and fs.target_date is None:
            return "empty"
        complete = fs.statement and fs.target_date is not None and fs.outcomes
        return "done" if complete else "in_progress"
    if step == "questions":
        if not session.questions or not any(q.status != "open" for q in session.questions):
            return "empty"
        return "in_progress" if any(q.status == "open" for q in session.questions) else "done"
    if step == "reverse_map":
        if not session.map:
            return "empty"
        traced = any(n.parent for n in session.map)
        owned = all(n.owner for n in session.map)
        return "done" if traced and owned else "in_progress"
    if step == "pilots":
        if not session.pilots:
            return "empty"
        good = not any(all_pilot_flags(session).values())
        return "done" if good else "in_progress"
    return "empty"


def pilot_flags(session: Session, pilot: Pilot) -> list[str]:
    """Why a pilot is not yet a small, testable experiment (empty when it is)."""
    gaps = _pilot_gaps(
        pilot,
        lambda node_id: session.node(node_id) is not None,
        lambda outcome_id: session.outcome(outcome_id) is not None,
    )
    return [label for _, label in gaps]


def all_pilot_flags(session: Session) -> dict[str, list[str]]:
    """``pilot_flags`` of every pilot, by pilot id, from one index of the map and outcomes
    (not a scan of the map per pilot tested node).  A repeated id keeps its first pilot's."""
    node_ids = {n.id for n in session.map}
    outcome_ids = {o.id for o in session.future_state.outcomes}
    flags: dict[str, list[str]] = {}
    for pilot in session.pilots:
        if pilot.id not in flags:
            gaps = _pilot_gaps(pilot, node_ids.__contains__, outcome_ids.__contains__)
            flags[pilot.id] = [label for _, label in gaps]
    return flags


def _pilot_gaps(
    pilot: Pilot, has_node: Callable[[str], bool], has_outcome: Callable[[str], bool]
) -> list[tuple[str, str]]:
    """(check name, label) for each gap of ``pilot``; the lookups are passed in so the coach
    can use its indexes instead of scanning the session once per pilot."""
    gaps: list[tuple[str, str]] = []
    if not any(has_node(node_id) for node_id in pilot.tests):
        gaps.append(("pilot_tests_nothing", "tests nothing on the map"))
    if not pilot.metric and not has_outcome(pilot.outcome):
        gaps.append(("pilot_no_metric", "no metric"))
    if pilot.end is None:
        gaps.append(("pilot_no_end", "no end date"))
    elif pilot.start is not None and (pilot.end - pilot.start).days > PILOT_MAX_DAYS:
        gaps.append(("pilot_not_small", "not small (over 12 weeks)"))
    if not pilot.success_rule:
        gaps.append(("pilot_no_rule", "no decision rule"))
    return gaps


def answered_count(session: Session) -> tuple[int, int]:
    """(answered, total) tough questions."""
    return sum(q.status == "answered" for q in session.questions), len(session.questions)


# --- the coach ------------------------------------------------------------------------------

SEVERITIES: tuple[str, ...] = ("problem", "warning", "tip")
HEALTH_STEPS: tuple[str, ...] = (*STEPS, "track")
HEALTH_STATES: tuple[str, ...] = ("healthy", "warnings", "problems", "empty")
HEALTH_STEP_TITLES: dict[str, str] = {step: STEP_TITLES[step] for step in STEPS} | {
    "track": "Track"
}
SEVERITY_LABELS: dict[str, str] = {"problem": "PROBLEM", "warning": "warning", "tip": "tip"}
STRETCH_SHARE = 0.5  # a target at least 50% of the baseline away from it is a big jump

# Every check, in the order findings of equal severity, step and item are listed.
# (severity, step, what it looks for)
CHECKS: dict[str, tuple[str, str, str]] = {
    # Step 1: the goal and its outcomes.
    "goal_missing": ("problem", "future_state", "the goal has no statement"),
    "goal_no_number": (
        "problem",
        "future_state",
        "no number in the statement and no outcome with a metric and a target",
    ),
    "goal_no_date": ("problem", "future_state", "no target date (nothing can be scheduled)"),
    "goal_date_past": ("problem", "future_state", "the target date is today or past"),
    "goal_vague": ("warning", "future_state", "a statement under 6 words"),
    "goal_compound": (
        "warning",
        "future_state",
        "a statement over 45 words, or joined with 'and also' / 'as well as' / ';'",
    ),
    "goal_number_outside": (
        "tip",
        "future_state",
        "the statement has no number although the outcomes do",
    ),
    "no_objective": ("warning", "future_state", "no aligned organizational objective"),
    "no_outcomes": ("warning", "future_state", "no measurable outcomes (KPIs)"),
    "outcome_incomplete": (
        "warning",
        "future_state",
        "an outcome without a metric, baseline, target or due date",
    ),
    "outcome_due_after_goal": (
        "warning",
        "future_state",
        "an outcome due after the target date (the date moved, the outcome did not)",
    ),
    "target_stretch": (
        "warning",
        "future_state",
        "an increase/decrease target at least 50% of the baseline away from it (or any "
        "change from a baseline of 0) and no pilot whose outcome is that outcome",
    ),
    # Step 2: the tough questions.
    "method_question_missing": (
        "warning",
        "questions",
        "one of the method's three questions is not in the session",
    ),
    "method_question_open": (
        "warning",
        "questions",
        "a method question not answered (open or parked); a PROBLEM once the plan is under way",
    ),
    "question_open": ("tip", "questions", "another question still open"),
    # Step 3: the reverse map and its schedule.
    "map_empty": ("warning", "reverse_map", "the reverse map has no (live) node"),
    "map_one_level": ("warning", "reverse_map", "every node enables the goal directly"),
    "path_late": (
        "problem",
        "reverse_map",
        "a todo node whose latest start is before today (reported at the deepest late node)",
    ),
    "pinned_conflict": (
        "problem",
        "reverse_map",
        "a pinned date after the start of the node it enables (or after the target date)",
    ),
    "node_overdue": ("warning", "reverse_map", "a doing node past its due date"),
    "node_no_owner": ("warning", "reverse_map", "an open node without an owner"),
    "node_no_duration": ("warning", "reverse_map", "an open node without a duration"),
    # Step 4: the pilots.
    "no_pilot": ("warning", "pilots", "no pilot at all"),
    "pilot_tests_nothing": ("warning", "pilots", "a pilot linked to no existing map node"),
    "pilot_no_metric": ("warning", "pilots", "a pilot with no metric and no outcome"),
    "pilot_no_end": ("warning", "pilots", "a pilot with no end date"),
    "pilot_not_small": ("warning", "pilots", "a pilot longer than 12 weeks"),
    "pilot_no_rule": ("warning", "pilots", "a pilot with no decision rule"),
    "pilot_ended": ("warning", "pilots", "a planned/running pilot whose end date has passed"),
    "pilot_no_decision": ("warning", "pilots", "a done pilot without scale/adjust/stop"),
    "pilot_no_owner": ("tip", "pilots", "a pilot that is not done and has no owner"),
    # Tracking (revisit).
    "no_checkin": (
        "warning",
        "track",
        "under way, and no check-in for more than the review cadence",
    ),
    "no_adjustment": (
        "warning",
        "track",
        "a date passed since the plan was made (a node late or overdue) and no adjustment "
        "is logged on or after it",
    ),
}

_SEVERITY_RANK = {name: i for i, name in enumerate(SEVERITIES)}
_STEP_RANK = {name: i for i, name in enumerate(HEALTH_STEPS)}
_CHECK_RANK = {name: i for i, name in enumerate(CHECKS)}


@dataclass(frozen=True)
class Finding:
    """One thing the coach noticed.  ``message`` and ``fix`` may quote what people typed:
    render them as plain text, never as markup."""

    severity: str  # one of SEVERITIES
    step: str  # one of HEALTH_STEPS (model.STEPS or "track")
    item_id: str  # outcome / question / map node / pilot id; "" for the plan as a whole
    message: str
    fix: str  # one line: what to do about it
    check: str = ""  # the key in CHECKS

    def as_dict(self) -> dict[str, str]:
        """Plain dict (for ``backplan check --json``)."""
        return asdict(self)


def under_way(session: Session, today: date) -> bool:
    """Whether the plan is being carried out (so check-ins are due).

    True when any map node is doing/done, any pilot is running/done or a check-in exists;
    also when the map has nodes and the session was created more than one review cadence
    before ``today`` (the workshop made a plan and time has passed, whether or not anyone
    updated a status).
    """
    if any(n.status in ("doing", "done") for n in session.map):
        return True
    if any(p.status in ("running", "done") for p in session.pilots) or session.checkins:
        return True
    first_due = cadence_after(session.created.date(), review_cadence(session))
    return bool(session.map) and today > first_due


def _quote(text: str, fallback: str) -> str:
    return f'"{shorten(" ".join(text.split()) or fallback, 50)}"'


def _num(value: float) -> str:
    return f"{value:g}"


def _stretched(baseline: float | None, target: float | None, direction: str) -> bool:
    if baseline is None or target is None or direction not in ("increase", "decrease"):
        return False
    if baseline == 0:
        return target != 0
    return abs(target - baseline) >= STRETCH_SHARE * abs(baseline)


class _Plan:
    """What every check needs, indexed once (O(size of the session))."""

    def __init__(self, session: Session, today: date, sched: schedule_mod.Schedule | None) -> None:
        self.session = session
        self.today = today
        self.schedule = sched if sched is not None else schedule_mod.compute(session, today)
        # The schedule walked the map already (when it could: it needs a target date).
        self.live = self.schedule.live if self.schedule.ready else schedule_mod.walk(session)
        self.node_ids = {n.id for n in session.map}
        self.outcome_ids = {o.id for o in session.future_state.outcomes}
        self.titles: dict[str, str] = {}
        for n in session.map:
            self.titles.setdefault(n.id, n.title)
        self.under_way = under_way(session, today)

    def node_name(self, node_id: str) -> str:
        return _quote(self.titles.get(node_id, ""), node_id)


def _future_state(plan: _Plan) -> Iterator[Finding]:
    fs = plan.session.future_state
    statement = fs.statement.strip()
    if not statement:
        yield Finding(
            "problem",
            "future_state",
            "",
            "The goal has no statement.",
            "Write the goal as one sentence: what changes, by how much, by when.",
            "goal_missing",
        )
    else:
        words = statement.split()
        if len(words) < 6:
            yield Finding(
                "warning",
                "future_state",
                "",
                f"The goal is vague: {len(words)} word{'s' if len(words) != 1 else ''}.",
                "Say what changes, for whom and by how much (6 words or more).",
                "goal_vague",
            )
        elif len(words) > 45 or _COMPOUND.search(statement):
            yield Finding(
                "warning",
                "future_state",
                "",
                f"The goal looks like several goals in one ({len(words)} words).",
                "Keep one goal per plan; give the others their own session.",
                "goal_compound",
            )
        measurable = any(o.metric.strip() and o.target is not None for o in fs.outcomes)
        if not _NUMBER.search(statement):
            if measurable:
                yield Finding(
                    "tip",
                    "future_state",
                    "",
                    "The statement has no number; only the outcomes do.",
                    "Put the headline number in the statement so everyone quotes one goal.",
                    "goal_number_outside",
                )
            else:
                yield Finding(
                    "problem",
                    "future_state",
                    "",
                    "The goal has no number: nothing says how much must change.",
                    "Put a number in the statement or add an outcome with a target.",
                    "goal_no_number",
                )
    if fs.target_date is None:
        yield Finding(
            "problem",
            "future_state",
            "",
            "The goal has no target date.",
            "Set a target date: the map's deadlines are computed backward from it.",
            "goal_no_date",
        )
    elif fs.target_date <= plan.today:
        yield Finding(
            "problem",
            "future_state",
            "",
            f"The target date ({fs.target_date.isoformat()}) is not in the future.",
            "Move the target date and log the adjustment, or close the plan.",
            "goal_date_past",
        )
    if not fs.aligned_objective.strip():
        yield Finding(
            "warning",
            "future_state",
            "",
            "The goal is not tied to an organizational objective.",
            "Name the organizational objective this goal serves, in one line.",
            "no_objective",
        )
    if not fs.outcomes:
        yield Finding(
            "warning",
            "future_state",
            "",
            "No measurable outcomes (KPIs).",
            "Add 3-5 outcomes, each with a baseline, a target and a due date.",
            "no_outcomes",
        )
    tested = {p.outcome for p in plan.session.pilots if p.outcome}
    for o in fs.outcomes:
        name = _quote(o.metric, o.id)
        missing = [
            label
            for label, absent in (
                ("metric", not o.metric.strip()),
                ("baseline", o.baseline is None),
                ("target", o.target is None),
                ("due date", o.due is None),
            )
            if absent
        ]
        if missing:
            listed = missing[0] if len(missing) == 1 else ", ".join(missing[:-1])
            if len(missing) > 1:
                listed += f" or {missing[-1]}"
            yield Finding(
                "warning",
                "future_state",
                o.id,
                f"Outcome {name} has no {listed}.",
                f"Add its {listed.replace(' or ', ' and ')}.",
                "outcome_incomplete",
            )
        if o.due is not None and fs.target_date is not None and o.due > fs.target_date:
            yield Finding(
                "warning",
                "future_state",
                o.id,
                f"Outcome {name} is due {o.due.isoformat()}, after the target date "
                f"{fs.target_date.isoformat()}.",
                "Bring its due date in line with the target date, or log why the goal moved.",
                "outcome_due_after_goal",
            )
        if o.id not in tested and _stretched(o.baseline, o.target, o.direction):
            assert o.baseline is not None and o.target is not None
            yield Finding(
                "warning",
                "future_state",
                o.id,
                f"Outcome {name}: {_num(o.baseline)} to {_num(o.target)} is a big jump "
                "and no pilot tests it.",
                "Design a small pilot that moves this outcome, or set a nearer target.",
                "target_stretch",
            )


def _questions(plan: _Plan) -> Iterator[Finding]:
    questions = plan.session.questions
    present = {q.key for q in questions if q.key}
    for key, prompt in METHOD_QUESTIONS.items():
        if key not in present:
            yield Finding(
                "warning",
                "questions",
                "",
                f"The method question {_quote(prompt, key)} is missing.",
                "Add it back: the method always asks it.",
                "method_question_missing",
            )
    for q in questions:
        prompt = _quote(q.prompt or METHOD_QUESTIONS.get(q.key, ""), q.id)
        if q.key in METHOD_QUESTIONS:
            if q.status == "answered":
                continue
            state = "parked" if q.status == "parked" else "not answered"
            if plan.under_way:
                yield Finding(
                    "problem",
                    "questions",
                    q.id,
                    f"{prompt} is {state}, and the plan is already under way.",
                    "Answer it with the team at the next check-in.",
                    "method_question_open",
                )
            else:
                yield Finding(
                    "warning",
                    "questions",
                    q.id,
                    f"{prompt} is {state}.",
                    "Answer it before the plan starts: the method always asks it.",
                    "method_question_open",
                )
        elif q.status == "open":
            yield Finding(
                "tip",
                "questions",
                q.id,
                f"{prompt} is still open.",
                "Answer it or park it; give it an owner until then.",
                "question_open",
            )


def _reverse_map(plan: _Plan) -> Iterator[Finding]:
    live = plan.live
    if not live:
        yield Finding(
            "warning",
            "reverse_map",
            "",
            "The reverse map is empty.",
            "Start at the goal and ask: what must be true before this?",
            "map_empty",
        )
    elif all(item.depth == 1 for item in live):
        yield Finding(
            "warning",
            "reverse_map",
            "",
            "The map has only one level: it is not traced backward yet.",
            "Under each condition, ask again: what must be true before this?",
            "map_one_level",
        )

    sched = plan.schedule
    target = plan.session.future_state.target_date
    if sched.ready and target is not None:
        late_parents = {
            item.parent for item in live if "starts_in_past" in sched.nodes[item.node.id].flags
        }
        for item in live:  # review() sorts the findings into file order
            node_id = item.node.id
            ns = sched.nodes[node_id]
            if not ns.flags:
                continue
            if "starts_in_past" in ns.flags and node_id not in late_parents:
                days = -ns.slack_days
                yield Finding(
                    "problem",
                    "reverse_map",
                    node_id,
                    f"{plan.node_name(node_id)} had to start by {ns.start.isoformat()} "
                    f"({days} day{'s' if days != 1 else ''} ago): the path to the goal is late.",
                    "Cut scope, add people or move a date, and log the adjustment.",
                    "path_late",
                )
            if "pinned_conflict" in ns.flags:
                limit = sched.nodes[item.parent].start if item.parent else target
                what = (
                    f"after {plan.node_name(item.parent)} must start ({limit.isoformat()})"
                    if item.parent
                    else f"after the target date ({limit.isoformat()})"
                )
                yield Finding(
                    "problem",
                    "reverse_map",
                    node_id,
                    f"{plan.node_name(node_id)} is pinned to {ns.due.isoformat()}, {what}.",
                    f"Pin it to {limit.isoformat()} or earlier, or unpin it.",
                    "pinned_conflict",
                )
            if "overdue" in ns.flags:
                yield Finding(
                    "warning",
                    "reverse_map",
                    node_id,
                    f"{plan.node_name(node_id)} was due {ns.due.isoformat()} and is not done.",
                    "Mark it done, or re-plan it and log the adjustment.",
                    "node_overdue",
                )

    for item in live:
        if item.settled:
            continue
        node = item.node
        if not node.owner.strip():
            yield Finding(
                "warning",
                "reverse_map",
                node.id,
                f"{plan.node_name(node.id)} has no owner.",
                "Name one person who owns it.",
                "node_no_owner",
            )
        if node.duration_days is None:
            yield Finding(
                "warning",
                "reverse_map",
                node.id,
                f"{plan.node_name(node.id)} has no duration.",
                "Estimate it in days: the deadlines below it depend on it.",
                "node_no_duration",
            )


_PILOT_GAP_TEXT: dict[str, tuple[str, str]] = {
    "pilot_tests_nothing": ("tests nothing on the map", "Link it to the map step it tests."),
    "pilot_no_metric": (
        "has no metric",
        "Name the metric it should move, or link it to an outcome.",
    ),
    "pilot_no_end": ("has no end date", "Give it a fixed end date, 12 weeks at most."),
    "pilot_not_small": (
        "is not small",
        "Cut it to 12 weeks or less: one team, one site.",
    ),
    "pilot_no_rule": (
        "has no decision rule",
        "Agree now when you will scale, adjust or stop.",
    ),
}


def _pilots(plan: _Plan) -> Iterator[Finding]:
    session = plan.session
    if not session.pilots:
        yield Finding(
            "warning",
            "pilots",
            "",
            "No pilot: nothing on the map is tested small before the launch.",
            "Pick the riskiest step and design a small pilot with an end date and a rule.",
            "no_pilot",
        )
    node_ids, outcome_ids = plan.node_ids, plan.outcome_ids
    for p in session.pilots:
        name = _quote(p.name, p.id)
        if p.status != "done":
            for check, _label in _pilot_gaps(p, node_ids.__contains__, outcome_ids.__contains__):
                text, fix = _PILOT_GAP_TEXT[check]
                if check == "pilot_not_small" and p.start and p.end:
                    text = f"runs {(p.end - p.start).days} days: not small (over 12 weeks)"
                yield Finding("warning", "pilots", p.id, f"Pilot {name} {text}.", fix, check)
            if p.end is not None and p.end < plan.today:
                yield Finding(
                    "warning",
                    "pilots",
                    p.id,
                    f"Pilot {name} ended on {p.end.isoformat()} but is still {p.status}.",
                    "Record the result and decide: scale, adjust or stop.",
                    "pilot_ended",
                )
            if not p.owner.strip():
                yield Finding(
                    "tip",
                    "pilots",
                    p.id,
                    f"Pilot {name} has no owner.",
                    "Name one person who runs it.",
                    "pilot_no_owner",
                )
        elif not p.decision:
            yield Finding(
                "warning",
                "pilots",
                p.id,
                f"Pilot {name} is done but no decision is recorded.",
                "Record the decision: scale, adjust or stop.",
                "pilot_no_decision",
            )


def _track(plan: _Plan) -> Iterator[Finding]:
    session = plan.session
    if plan.under_way:
        due = next_checkin_due(session, plan.today)  # Track's own "next check-in due"
        if due.last is not None:
            gap = (plan.today - due.last).days
            message = (
                f"The last check-in was {gap} days ago; the plan is reviewed {due.cadence} "
                f"(a check-in was due {due.due.isoformat()})."
            )
        else:
            gap = (plan.today - session.created.date()).days
            message = (
                f"No check-in in the {gap} days since the plan was made; it is reviewed "
                f"{due.cadence} (a check-in was due {due.due.isoformat()})."
            )
        if due.overdue:
            yield Finding(
                "warning",
                "track",
                "",
                message,
                "Record a check-in: KPI actuals, confidence and a note.",
                "no_checkin",
            )

    sched = plan.schedule
    if sched.ready:
        created = session.created.date()
        unlogged: list[tuple[date, str]] = []
        for node_id in sched.late():
            ns = sched.nodes[node_id]
            missed = ns.start if "starts_in_past" in ns.flags else ns.due
            if missed >= created and not any(a.date >= missed for a in session.adjustments):
                unlogged.append((missed, node_id))
        if unlogged:
            missed, node_id = min(unlogged)
            more = f" (and {len(unlogged) - 1} more)" if len(unlogged) > 1 else ""
            yield Finding(
                "warning",
                "track",
                "",
                f"{plan.node_name(node_id)} slipped past {missed.isoformat()}{more} and no "
                "adjustment is logged since.",
                "Log what changed and why, then re-plan the dates.",
                "no_adjustment",
            )


_STEP_CHECKS = (_future_state, _questions, _reverse_map, _pilots, _track)


def review(
    session: Session, today: date, schedule: schedule_mod.Schedule | None = None
) -> list[Finding]:
    """Every finding for ``session`` on ``today``: problems first, then warnings, then tips;
    within a severity by step (``HEALTH_STEPS``), then plan-level before items, items in file
    order, then by check (``CHECKS`` order).

    Pass ``schedule`` when the caller already computed it (e.g. in working-days mode);
    otherwise it is computed here in calendar days.
    """
    plan = _Plan(session, today, schedule)
    found = [f for check in _STEP_CHECKS for f in check(plan)]

    rank: dict[tuple[str, str], int] = {}
    for step, items in (
        ("future_state", session.future_state.outcomes),
        ("questions", session.questions),
        ("reverse_map", session.map),
        ("pilots", session.pilots),
    ):
        for i, item in enumerate(items):
            rank.setdefault((step, item.id), i)

    def key(f: Finding) -> tuple[int, int, int, int]:
        item_rank = rank.get((f.step, f.item_id), len(rank)) if f.item_id else -1
        return (
            _SEVERITY_RANK[f.severity],
            _STEP_RANK[f.step],
            item_rank,
            _CHECK_RANK[f.check],
        )

    return sorted(found, key=key)


def summary_counts(findings: list[Finding]) -> tuple[int, int, int]:
    """(problems, warnings, tips)."""
    counts = dict.fromkeys(SEVERITIES, 0)
    for f in findings:
        counts[f.severity] += 1
    return counts["problem"], counts["warning"], counts["tip"]


def overall_health(findings: list[Finding]) -> str:
    """ "problems", "warnings" or "healthy" (tips do not count) - the home screen's column."""
    problems, warnings, _ = summary_counts(findings)
    return "problems" if problems else "warnings" if warnings else "healthy"


def _step_empty(session: Session, step: str, today: date) -> bool:
    if step == "pilots":
        return not session.pilots
    if step == "track":
        return not (session.checkins or session.adjustments or under_way(session, today))
    return step_state(session, step) == "empty"


def step_health(
    session: Session, today: date, findings: list[Finding] | None = None
) -> dict[str, str]:
    """The stepper's badge for each of HEALTH_STEPS: "empty", "problems", "warnings" or
    "healthy".

    A step is "empty" only while it and every step after it are empty (not reached yet);
    once the team has moved past an empty step, the step shows its findings like any other.
    Tips never change a badge.  Pass ``findings`` from ``review`` to avoid computing twice.
    """
    if findings is None:
        findings = review(session, today)
    severities: dict[str, set[str]] = {step: set() for step in HEALTH_STEPS}
    for f in findings:
        severities[f.step].add(f.severity)
    health: dict[str, str] = {}
    reached = False
    for step in reversed(HEALTH_STEPS):
        empty = _step_empty(session, step, today)
        if empty and not reached:
            health[step] = "empty"
        elif "problem" in severities[step]:
            health[step] = "problems"
        elif "warning" in severities[step]:
            health[step] = "warnings"
        else:
            health[step] = "healthy"
        reached = reached or not empty
    return {step: health[step] for step in HEALTH_STEPS}


def by_step(findings: list[Finding]) -> dict[str, list[Finding]]:
    """Findings grouped per HEALTH_STEPS entry (every step present, order kept)."""
    grouped: dict[str, list[Finding]] = {step: [] for step in HEALTH_STEPS}
    for f in findings:
        grouped[f.step].append(f)
    return grouped


def finding_line(finding: Finding) -> str:
    """One plain-text line: ``PROBLEM  Future state: <message>  Fix: <fix>``.  The severity is
    spelled out (nothing relies on colour); the text may quote user input."""
    label = SEVERITY_LABELS.get(finding.severity, finding.severity)
    where = HEALTH_STEP_TITLES.get(finding.step, finding.step)
    return f"{label:<8} {where}: {finding.message}  Fix: {finding.fix}"
