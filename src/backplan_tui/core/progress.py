"""Tracking a plan after the workshop: KPI progress, the pace still needed, what is due, and
what changed between two revisions.  Pure: ``today`` is always passed in, nothing here reads
a clock or a file.

Definitions (the numbers the Track screen, ``backplan show`` and the exports print)
-----------------------------------------------------------------------------------

*Actuals* of an outcome are the values recorded for its id in ``session.checkins``, ordered
by check-in date (check-ins on the same date keep file order; the later one is "latest").

*Start point*: ``(session.created date, outcome.baseline)`` when the outcome has a baseline,
else ``(date, value)`` of its first actual.  The start value is the *effective baseline*.

*Due date*: ``outcome.due``, else the goal's ``future_state.target_date``.

*Reached*: increase / stay_above: latest >= target; decrease / stay_below: latest <= target.

*Percent* of the way (unclamped: 120 means past the target, -10 means the wrong way; use
:attr:`Progress.bar_fraction` for a bar):

- increase and decrease: ``(latest - base) / (target - base) * 100`` (for decrease this is
  ``(base - latest) / (base - target)``).  When ``base == target``: 100 if reached, else 0.
- stay_above and stay_below (a threshold to keep): 100 on the right side of the threshold
  (the threshold itself counts as right).  On the wrong side: if the effective baseline was
  on the wrong side too, the way from it back to the threshold, as for increase/decrease
  (so a team climbing back shows progress); if the baseline was on the right side (the
  metric slipped), 0 -- below the line is below the line.

*Required pace* (per week): ``(target - latest) / weeks_left`` with ``weeks_left =
(due - today).days / 7``; counted from *today*, not from the latest check-in, because that
is the time still available.  Per month = per week * 365.25 / 12 / 7.

*Achieved pace* (per week): ``(latest - start value) / weeks from start date to latest
date``; unknown when that span is zero days or less (one point, or a check-in made on the
day the session was created).

*Verdict*, first rule that applies:

1. "no data": no target value, or no actuals yet;
2. "target reached": latest actual is on the target side (also after the due date);
3. "no data": no due date (neither the outcome nor the goal has one);
4. "overdue": the due date has passed;
5. "behind": due today (zero weeks left) and not reached;
6. "no data": achieved pace unknown (only one point so far);
7. comparing the achieved pace *in the needed direction* with the required pace: more than
   110 % of it is "ahead", 90-110 % (``ON_PACE_BAND`` = 10 %) is "on pace", less -- or
   moving the wrong way -- is "behind".

``Progress.reason`` says in one line why.

Why one long module: the definitions above are the numbers Track, ``show`` and the exports
print; keeping their computations beside them keeps the words and the code in step.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from typing import Any

from backplan_tui.core.dates import add_days, add_months
from backplan_tui.core.model import (
    DEFAULT_REVIEW_CADENCE,
    REVIEW_CADENCES,
    CheckIn,
    Outcome,
    Session,
)

__all__ = [
    "CADENCES",
    "DEFAULT_CADENCE",
    "ON_PACE_BAND",
    "SPARK_CHARS",
    "VERDICTS",
    "WEEKS_PER_MONTH",
    "CheckinDue",
    "DueItem",
    "Progress",
    "add_months",
    "at_risk",
    "cadence_after",
    "changes_since",
    "describe",
    "due_soon",
    "format_number",
    "format_pace",
    "format_value",
    "next_checkin_due",
    "next_due",
    "open_items",
    "outcome_progress",
    "progress_all",
    "review_cadence",
    "risks",
    "set_review_cadence",
    "sparkline",
]

VERDICTS: tuple[str, ...] = ("target reached", "overdue", "ahead", "on pace", "behind", "no data")
ON_PACE_BAND = 0.10
WEEKS_PER_MONTH = 365.25 / 12 / 7
SPARK_CHARS = "▁▂▃▄▅▆▇█"

# The session's typed ``review_cadence`` field: weekly | fortnightly | monthly.
DEFAULT_CADENCE = DEFAULT_REVIEW_CADENCE
CADENCES: tuple[str, ...] = REVIEW_CADENCES


# --- numbers ------------------------------------------------------------------------------


def format_number(value: float) -> str:
    """At most two decimals, no trailing zeros: 80.5, 90, -0.35; tiny values keep two
    significant digits (0.0042) instead of reading 0."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    if text in ("0", "-0"):
        return "0" if value == 0 else f"{value:.2g}"
    return text


def format_value(value: float, unit: str = "") -> str:
    """80.5% / 12 days / 3.5 (a "%" unit sticks to the number, others get a space)."""
    number = format_number(value)
    if not unit:
        return number
    return f"{number}{unit}" if unit == "%" else f"{number} {unit}"


def format_percent(value: float) -> str:
    """How far along an outcome is, in whole percent ("19%"): the one rounding the table,
    the sentences and the exports all use, so they never say 19% and 19.23% of one thing."""
    whole = round(value)
    return f"{0 if whole == 0 else whole}%"  # never "-0%"


def format_pace(per_week: float, unit: str = "", *, monthly: bool = False) -> str:
    """A signed rate: "+0.35% per week", "-1.2 days per month"."""
    value = per_week * WEEKS_PER_MONTH if monthly else per_week
    sign = "+" if value > 0 else ""
    return f"{sign}{format_value(value, unit)} per {'month' if monthly else 'week'}"


# --- progress per outcome ------------------------------------------------------------------


@dataclass(frozen=True)
class Progress:
    outcome_id: str
    metric: str
    unit: str
    direction: str
    baseline: float | None  # the effective baseline (outcome.baseline or the first actual)
    target: float | None
    dates: tuple[date, ...]  # check-in dates with a value for this outcome, oldest first
    values: tuple[float, ...]  # the actuals, same order (the sparkline series)
    latest: float | None
    latest_date: date | None
    percent: float | None
    due: date | None
    weeks_left: float | None  # negative once the due date has passed
    required_per_week: float | None
    achieved_per_week: float | None
    verdict: str
    reason: str

    @property
    def bar_fraction(self) -> float:
        """``percent`` clamped to 0..1 for a progress bar (0 when unknown)."""
        if self.percent is None:
            return 0.0
        return min(1.0, max(0.0, self.percent / 100))

    @property
    def required_per_month(self) -> float | None:
        return None if self.required_per_week is None else self.required_per_week * WEEKS_PER_MONTH

    @property
    def achieved_per_month(self) -> float | None:
        if self.achieved_per_week is None:
            return None
        return self.achieved_per_week * WEEKS_PER_MONTH


def _sorted_checkins(checkins: list[CheckIn]) -> list[CheckIn]:
    return sorted(checkins, key=lambda c: c.date)  # stable: same date keeps file order


def _actuals(session: Session, outcome_id: str) -> list[tuple[date, float]]:
    return [
        (c.date, c.values[outcome_id])
        for c in _sorted_checkins(session.checkins)
        if outcome_id in c.values
    ]


def _reached(direction: str, value: float, target: float) -> bool:
    if direction in ("decrease", "stay_below"):
        return value <= target
    return value >= target


def _percent(direction: str, base: float, latest: float, target: float) -> float:
    reached = _reached(direction, latest, target)
    if direction in ("stay_above", "stay_below"):
        if reached:
            return 100.0
        if _reached(direction, base, target):  # it slipped from the right side
            return 0.0
    if base == target:
        return 100.0 if reached else 0.0
    return (latest - base) / (target - base) * 100


def outcome_progress(session: Session, outcome: Outcome, today: date) -> Progress:
    """Progress, pace and verdict of one outcome on ``today`` (see the module doc)."""
    points = _actuals(session, outcome.id)
    latest_date, latest = points[-1] if points else (None, None)
    if outcome.baseline is not None:
        start: tuple[date, float] | None = (session.created.date(), outcome.baseline)
    else:
        start = points[0] if points else None
    base = start[1] if start else None
    target = outcome.target
    due = outcome.due or session.future_state.target_date
    weeks_left = (due - today).days / 7 if due else None

    percent = None
    if target is not None and latest is not None and base is not None:
        percent = _percent(outcome.direction, base, latest, target)

    achieved = None
    if start is not None and latest_date is not None and latest is not None:
        span = (latest_date - start[0]).days
        if span > 0:
            achieved = (latest - start[1]) / (span / 7)

    required = None
    if target is not None and latest is not None and weeks_left is not None and weeks_left > 0:
        required = (target - latest) / weeks_left

    verdict, reason = _verdict(outcome, latest, target, due, today, required, achieved, latest_date)
    if verdict in ("target reached", "overdue"):
        required = None  # no pace is "needed" any more
    return Progress(
        outcome_id=outcome.id,
        metric=outcome.metric,
        unit=outcome.unit,
        direction=outcome.direction,
        baseline=base,
        target=target,
        dates=tuple(d for d, _ in points),
        values=tuple(v for _, v in points),
        latest=latest,
        latest_date=latest_date,
        percent=percent,
        due=due,
        weeks_left=weeks_left,
        required_per_week=required,
        achieved_per_week=achieved,
        verdict=verdict,
        reason=reason,
    )


def _verdict(
    outcome: Outcome,
    latest: float | None,
    target: float | None,
    due: date | None,
    today: date,
    required: float | None,
    achieved: float | None,
    latest_date: date | None,
) -> tuple[str, str]:
    if target is None:
        return "no data", "No target value."
    if latest is None:
        return "no data", "No check-in with a value yet."
    if _reached(outcome.direction, latest, target):
        return "target reached", f"Target reached on {latest_date}."
    if due is None:
        return "no data", "No due date: set one on the outcome or the goal."
    if due < today:
        return "overdue", f"Due {due} and not reached."
    if due == today:
        return "behind", "Due today and not reached."
    if achieved is None or required is None:
        return "no data", "One value so far: the pace shows after the next check-in."
    need = abs(required)
    got = achieved if required > 0 else -achieved  # progress in the needed direction
    if got > need * (1 + ON_PACE_BAND):
        return "ahead", "Moving faster than needed."
    if got >= need * (1 - ON_PACE_BAND):
        return "on pace", "Moving at the pace needed."
    if got <= 0:
        return "behind", "Moving the wrong way, or not at all."
    return "behind", "Moving slower than needed."


def progress_all(session: Session, today: date) -> list[Progress]:
    """``outcome_progress`` for every outcome, in file order."""
    return [outcome_progress(session, o, today) for o in session.future_state.outcomes]


def describe(p: Progress) -> str:
    """One line for ``backplan show`` and the exports, e.g.
    "Retention: 80.5% (21% of the way to 90%); needs +0.35% per week, achieving +0.2% per
    week: behind"."""
    name = p.metric or p.outcome_id
    if p.latest is None:
        return f"{name}: no check-in yet ({p.verdict})"
    text = f"{name}: {format_value(p.latest, p.unit)}"
    if p.percent is not None and p.target is not None:
        text += f" ({format_percent(p.percent)} of the way to {format_value(p.target, p.unit)})"
    paces = []
    if p.required_per_week is not None:
        paces.append(f"needs {format_pace(p.required_per_week, p.unit)}")
    if p.achieved_per_week is not None:
        paces.append(f"achieving {format_pace(p.achieved_per_week, p.unit)}")
    if paces:
        text += "; " + ", ".join(paces)
    if p.verdict == "no data":  # the pace or the due date is missing: say which
        reason = p.reason.rstrip(".")
        return f"{text}; no verdict yet ({reason[:1].lower()}{reason[1:]})"
    return f"{text}: {p.verdict}"


def sparkline(values: list[float] | tuple[float, ...], width: int | None = None) -> str:
    """One block character per value, lowest "▁" to highest "█" (scaled between the
    series' own min and max, halves rounded up); the last ``width`` values when there are
    more.  A flat series is drawn at mid height ("▄")."""
    series = list(values)
    if width is not None:
        if width <= 0:
            return ""
        series = series[-width:]
    if not series:
        return ""
    low, high = min(series), max(series)
    if high == low:
        return SPARK_CHARS[3] * len(series)
    top = len(SPARK_CHARS) - 1
    return "".join(SPARK_CHARS[int((v - low) / (high - low) * top + 0.5)] for v in series)


# --- review cadence ------------------------------------------------------------------------


def review_cadence(session: Session) -> str:
    """The session's cadence (``Session.review_cadence``; the codec checks it on the way in,
    an odd value set in memory reads as the default)."""
    value = session.review_cadence
    return value if value in CADENCES else DEFAULT_CADENCE


def set_review_cadence(session: Session, cadence: str) -> None:
    if cadence not in CADENCES:
        raise ValueError(f'Review cadence must be weekly, fortnightly or monthly, got "{cadence}".')
    session.review_cadence = cadence


def cadence_after(anchor: date, cadence: str) -> date:
    """When the next check-in is due, one cadence after ``anchor``: 7 days, 14 days, or the
    same day a month later (clamped to the month's end).  The one meaning of the cadence,
    used by Track and by the coach."""
    if cadence == "monthly":
        return add_months(anchor, 1)
    return add_days(anchor, 7 if cadence == "weekly" else 14)  # never overflows


@dataclass(frozen=True)
class CheckinDue:
    due: date
    days_left: int  # negative when overdue
    cadence: str
    last: date | None  # the latest check-in, None before the first one

    @property
    def overdue(self) -> bool:
        return self.days_left < 0

    @property
    def label(self) -> str:
        """ "Next check-in due 2027-02-15 (in 5 days)" / "(today)" / "(3 days overdue)"."""
        if self.days_left == 0:
            when = "today"
        elif self.days_left > 0:
            when = f"in {_days(self.days_left)}"
        else:
            when = f"{_days(-self.days_left)} overdue"
        return f"Next check-in due {self.due} ({when})"


def next_checkin_due(session: Session, today: date) -> CheckinDue:
    """One cadence after the latest check-in, or after the workshop (``created``) before the
    first one.  May lie in the past: then ``overdue`` is True."""
    cadence = review_cadence(session)
    dates = [c.date for c in session.checkins]
    last = max(dates) if dates else None
    anchor = last or session.created.date()
    due = cadence_after(anchor, cadence)
    return CheckinDue(due=due, days_left=(due - today).days, cadence=cadence, last=last)


# --- due and overdue -------------------------------------------------------------------------


@dataclass(frozen=True)
class DueItem:
    kind: str  # "node" | "pilot"
    id: str
    title: str
    owner: str
    due: date
    days_left: int  # negative when overdue
    status: str

    @property
    def overdue(self) -> bool:
        return self.days_left < 0


def open_items(
    session: Session, today: date, due_dates: dict[str, date] | None = None
) -> list[DueItem]:
    """Every open dated map node and pilot, earliest first (overdue ones included)."""
    items: list[DueItem] = []
    computed = due_dates or {}
    for node in session.map:
        if node.status in ("done", "dropped"):
            continue
        due = node.pinned_due or computed.get(node.id)
        if due is not None:
            items.append(
                DueItem(
                    "node", node.id, node.title, node.owner, due, (due - today).days, node.status
                )
            )
    for pilot in session.pilots:
        if pilot.status == "done" or pilot.end is None:
            continue
        items.append(
            DueItem(
                "pilot",
                pilot.id,
                pilot.name,
                pilot.owner,
                pilot.end,
                (pilot.end - today).days,
                pilot.status,
            )
        )
    items.sort(key=lambda item: item.due)  # stable: nodes before pilots, file order
    return items


def due_soon(
    session: Session,
    today: date,
    days: int = 14,
    due_dates: dict[str, date] | None = None,
) -> list[DueItem]:
    """Open map nodes and pilots due within ``days`` days of ``today`` (today included) and
    every overdue one, earliest first.

    A node's date is its ``pinned_due``, else ``due_dates[node.id]`` (the computed schedule
    the app passes in); a pilot's date is its ``end``.  Done and dropped nodes and done
    pilots are left out.
    """
    return [item for item in open_items(session, today, due_dates) if item.days_left <= days]


def next_due(
    session: Session, today: date, due_dates: dict[str, date] | None = None
) -> DueItem | None:
    """The earliest open dated item (overdue ones first), for the home list."""
    items = open_items(session, today, due_dates)
    return items[0] if items else None


def risks(session: Session, today: date, due_dates: dict[str, date] | None = None) -> list[str]:
    """Why a plan is at risk, one line each (empty: not at risk): outcomes behind or overdue,
    a latest check-in not "on track", overdue items, an overdue check-in."""
    out = []
    for p in progress_all(session, today):
        if p.verdict in ("behind", "overdue"):
            out.append(f"{p.metric or p.outcome_id}: {p.verdict}")
    if session.checkins:
        latest = _sorted_checkins(session.checkins)[-1]
        if latest.confidence != "on_track":
            out.append(f"Latest check-in ({latest.date}): {latest.confidence.replace('_', ' ')}")
    overdue = [item for item in open_items(session, today, due_dates) if item.overdue]
    if overdue:
        out.append(f"{len(overdue)} overdue item" + ("s" if len(overdue) != 1 else ""))
    if session.checkins or session.future_state.outcomes:
        due = next_checkin_due(session, today)
        if due.overdue:
            out.append(f"Check-in {_days(-due.days_left)} overdue")
    return out


def at_risk(session: Session, today: date, due_dates: dict[str, date] | None = None) -> bool:
    return bool(risks(session, today, due_dates))


# --- what changed between two revisions --------------------------------------------------------


def _days(n: int) -> str:
    return f"{n} day" if n == 1 else f"{n} days"


def _quote(text: str, fallback: str) -> str:
    return f'"{text}"' if text else fallback


def _date_change(label: str, old: date | None, new: date | None) -> str | None:
    if old == new:
        return None
    if old is None:
        return f"{label} set to {new}"
    if new is None:
        return f"{label} removed (was {old})"
    shift = (new - old).days
    if shift > 0:
        return f"{label} slipped {_days(shift)}: {old} → {new}"
    return f"{label} brought forward {_days(-shift)}: {old} → {new}"


def _window(start: date | None, end: date | None) -> str:
    return f"{start or '?'} – {end or '?'}"


def _checkin_key(c: CheckIn) -> tuple[Any, ...]:
    return (c.date, tuple(sorted(c.values.items())), c.confidence, c.note)


def changes_since(old: Session, new: Session) -> list[str]:
    """What changed from ``old`` to ``new`` (e.g. the revision the user last opened and the
    one on disk now), one plain line each, in this order: dates that moved (goal target
    date, outcome due dates, pinned dates, pilot windows), target values, KPIs that moved
    (new check-ins), items done/started/dropped and pilot decisions, new adjustments, items
    added and removed.  Empty when nothing the user cares about changed."""
    dates: list[str] = []
    targets: list[str] = []
    kpis: list[str] = []
    states: list[str] = []
    log: list[str] = []
    added: list[str] = []

    line = _date_change("Target date", old.future_state.target_date, new.future_state.target_date)
    if line:
        dates.append(line)

    old_outcomes = {o.id: o for o in old.future_state.outcomes}
    for o in new.future_state.outcomes:
        before = old_outcomes.get(o.id)
        name = _quote(o.metric, o.id)
        if before is None:
            added.append(f"Added outcome {name}")
            continue
        line = _date_change(f"Due date of {name}", before.due, o.due)
        if line:
            dates.append(line)
        if before.target != o.target:
            was = "none" if before.target is None else format_value(before.target, o.unit)
            now = "none" if o.target is None else format_value(o.target, o.unit)
            targets.append(f"Target of {name} changed: {was} → {now}")

    old_nodes = {n.id: n for n in old.map}
    for n in new.map:
        was_node = old_nodes.get(n.id)
        name = _quote(n.title, n.id)
        if was_node is None:
            added.append(f"Added map node {name}")
            continue
        line = _date_change(f"Pinned date of {name}", was_node.pinned_due, n.pinned_due)
        if line:
            dates.append(line)
        if was_node.status != n.status:
            states.append(_status_line(name, n.status, n.owner))

    old_pilots = {p.id: p for p in old.pilots}
    for p in new.pilots:
        was_pilot = old_pilots.get(p.id)
        name = _quote(p.name, p.id)
        if was_pilot is None:
            added.append(f"Added pilot {name}")
            continue
        if (was_pilot.start, was_pilot.end) != (p.start, p.end):
            shift = ""
            if was_pilot.end and p.end and was_pilot.end != p.end:
                d = (p.end - was_pilot.end).days
                shift = f" (end {'slipped' if d > 0 else 'brought forward'} {_days(abs(d))})"
            dates.append(
                f"Pilot {name} window moved: {_window(was_pilot.start, was_pilot.end)} → "
                f"{_window(p.start, p.end)}{shift}"
            )
        if was_pilot.status != p.status:
            states.append(_status_line(f"pilot {name}", p.status, p.owner))
        if was_pilot.decision != p.decision and p.decision:
            states.append(f"Decision on pilot {name}: {p.decision}")

    kpis.extend(_kpi_lines(old, new))

    old_log = Counter((a.date, a.what, a.why) for a in old.adjustments)
    for a in new.adjustments:
        key = (a.date, a.what, a.why)
        if old_log[key]:
            old_log[key] -= 1
            continue
        log.append(f"Adjustment on {a.date}: {a.what}" + (f" (why: {a.why})" if a.why else ""))

    new_ids = {
        "outcome": {o.id for o in new.future_state.outcomes},
        "map node": {n.id for n in new.map},
        "pilot": {p.id for p in new.pilots},
    }
    for kind, items in (
        ("outcome", [(o.id, o.metric) for o in old.future_state.outcomes]),
        ("map node", [(n.id, n.title) for n in old.map]),
        ("pilot", [(p.id, p.name) for p in old.pilots]),
    ):
        for item_id, title in items:
            if item_id not in new_ids[kind]:
                added.append(f"Removed {kind} {_quote(title, item_id)}")

    return dates + targets + kpis + states + log + added


def _status_line(name: str, status: str, owner: str) -> str:
    verb = {
        "done": "Done",
        "dropped": "Dropped",
        "doing": "Started",
        "running": "Started",
        "todo": "Back to do",
        "planned": "Back to planned",
    }.get(status, f"Now {status}")
    by = f" ({owner})" if owner and status in ("done", "doing", "running") else ""
    return f"{verb}: {name}{by}"


def _kpi_lines(old: Session, new: Session) -> list[str]:
    """A line per new (or changed) check-in, and one per outcome whose latest actual moved."""
    out = []
    old_keys = Counter(_checkin_key(c) for c in old.checkins)
    fresh = []
    for c in _sorted_checkins(new.checkins):
        key = _checkin_key(c)
        if old_keys[key]:
            old_keys[key] -= 1
        else:
            fresh.append(c)
    for c in fresh:
        out.append(f"New check-in on {c.date} ({c.confidence.replace('_', ' ')})")
    removed = sum(old_keys.values())
    if removed:
        out.append(f"{removed} check-in" + (" was" if removed == 1 else "s were") + " removed")
    for o in new.future_state.outcomes:
        was = _actuals(old, o.id)
        now = _actuals(new, o.id)
        before = was[-1][1] if was else None
        after = now[-1][1] if now else None
        if before == after:
            continue
        name = _quote(o.metric, o.id)
        if after is None:
            was_text = "none" if before is None else format_value(before, o.unit)
            out.append(f"{name}: no actual any more (was {was_text})")
        elif before is None:
            out.append(f"{name}: first actual {format_value(after, o.unit)}")
        else:
            out.append(
                f"{name} moved {format_value(before, o.unit)} → {format_value(after, o.unit)}"
            )
    return out
