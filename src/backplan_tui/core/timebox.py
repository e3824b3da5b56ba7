"""Timeboxes for the four workshop steps, and the agenda line.  Pure: no clock reads here.

Every method that needs the time takes ``now``: a reading of a *monotonic* clock in seconds
(the app passes ``time.monotonic()``; tests pass plain numbers).  Nothing here sleeps, ticks
or schedules; the app polls ``remaining(now)`` from a timer and rings the bell when
:meth:`Timebox.crossed_zero` says the countdown just reached zero.

State of one step's timebox:

- ``planned_seconds``: the step's planned time (from ``facilitation.timebox_minutes``);
- ``added_seconds``: every "+5 min" added during the workshop (reset clears it);
- ``accumulated``: seconds counted before the current run (pauses stop the count);
- ``running_since``: the monotonic reading when the current run started, or ``None`` when
  paused.

Persistence (so "used" time survives closing the app): :meth:`Agenda.store` writes two typed
fields of the session, ``facilitation.used_seconds`` and ``facilitation.added_seconds``,
which the codec writes as two plain tables (the same keys older versions kept as unknown
keys, so files read the same both ways):

    [facilitation.used_seconds]    # whole seconds counted per step
    future_state = 754
    [facilitation.added_seconds]   # "+5 min" extensions per step (planned time stays the plan)
    future_state = 300

Steps with zero seconds are left out; an empty table is not written.  The codec checks that
each value is a whole number of 0 or more; :meth:`Agenda.from_session` still ignores a step
it does not know.  A loaded timebox is always paused; monotonic readings mean nothing across
processes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from backplan_tui.core.model import DEFAULT_TIMEBOXES, STEP_TITLES, STEPS, Session

__all__ = [
    "ADDED_KEY",
    "EXTEND_SECONDS",
    "MAX_MINUTES",
    "MIN_MINUTES",
    "USED_KEY",
    "Agenda",
    "AgendaRow",
    "Timebox",
    "TimeboxError",
    "check_minutes",
    "format_clock",
    "format_minutes",
]

USED_KEY = "used_seconds"  # the file's key of Facilitation.used_seconds: {step: int seconds}
ADDED_KEY = "added_seconds"  # the file's key of Facilitation.added_seconds
EXTEND_SECONDS = 5 * 60  # the "+5 min" key
MIN_MINUTES = 1
MAX_MINUTES = 120


class TimeboxError(ValueError):
    """A planned time outside 1-120 minutes."""


def check_minutes(value: int) -> int:
    """``value`` when it is a whole number of minutes in 1-120, else ``TimeboxError``."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TimeboxError(f"A timebox is a whole number of minutes, got {value!r}.")
    if not MIN_MINUTES <= value <= MAX_MINUTES:
        raise TimeboxError(f"A timebox must be {MIN_MINUTES}-{MAX_MINUTES} minutes, got {value}.")
    return value


def format_clock(seconds: float) -> str:
    """A countdown reading: "12:34", "00:00", "-01:05" (overrun), "1:02:03" past an hour.

    Fractions are rounded *up* to the whole second, so a countdown shows "00:01" until time
    is really up, "00:00" from zero until one full second of overrun, then "-00:01", ...
    """
    whole = math.ceil(seconds)
    sign = "-" if whole < 0 else ""
    whole = abs(whole)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{sign}{hours}:{minutes:02d}:{secs:02d}"
    return f"{sign}{minutes:02d}:{secs:02d}"


def format_minutes(seconds: float) -> str:
    """Whole minutes for the agenda, rounded to the nearest minute: 754 s -> "13"."""
    return str(int(math.floor(seconds / 60 + 0.5)))


@dataclass
class Timebox:
    """One step's countdown.  Mutable state; every reading of the time is passed in."""

    planned_seconds: float
    accumulated: float = 0.0
    running_since: float | None = None
    added_seconds: float = 0.0

    @classmethod
    def from_minutes(
        cls, minutes: int, used_seconds: float = 0.0, added_seconds: float = 0.0
    ) -> Timebox:
        return cls(
            planned_seconds=float(minutes) * 60,
            accumulated=float(used_seconds),
            added_seconds=float(added_seconds),
        )

    @property
    def budget_seconds(self) -> float:
        """Planned time plus the +5 min extensions: what the countdown counts down from."""
        return self.planned_seconds + self.added_seconds

    @property
    def running(self) -> bool:
        return self.running_since is not None

    def start(self, now: float) -> None:
        """Start or resume counting.  Starting a running timebox changes nothing."""
        if self.running_since is None:
            self.running_since = now

    def pause(self, now: float) -> None:
        """Stop counting and keep the time used so far.  Pausing a paused one changes nothing."""
        if self.running_since is not None:
            self.accumulated += max(0.0, now - self.running_since)
            self.running_since = None

    def toggle(self, now: float) -> None:
        """The start/pause key."""
        if self.running:
            self.pause(now)
        else:
            self.start(now)

    def reset(self) -> None:
        """Back to the plan: nothing used, no +5 min extensions, paused."""
        self.accumulated = 0.0
        self.added_seconds = 0.0
        self.running_since = None

    def add(self, seconds: float = EXTEND_SECONDS) -> None:
        """Extend the countdown ("+5 min"); running or not, the count goes on."""
        self.added_seconds += seconds

    def elapsed(self, now: float) -> float:
        """Seconds counted so far (a clock that went backwards counts as no time)."""
        if self.running_since is None:
            return self.accumulated
        return self.accumulated + max(0.0, now - self.running_since)

    def remaining(self, now: float) -> float:
        """Seconds left; negative once the step runs over."""
        return self.budget_seconds - self.elapsed(now)

    def is_over(self, now: float) -> bool:
        """True from the moment the countdown reaches zero (00:00 counts as over)."""
        return self.remaining(now) <= 0

    def crossed_zero(self, before: float, now: float) -> bool:
        """True when the countdown reached zero between two readings: ring the bell once."""
        return not self.is_over(before) and self.is_over(now)

    def clock(self, now: float) -> str:
        """``format_clock(self.remaining(now))``."""
        return format_clock(self.remaining(now))


@dataclass(frozen=True)
class AgendaRow:
    step: str
    title: str
    planned_seconds: int  # from the session plan, without +5 min extensions
    added_seconds: int  # +5 min extensions made during the workshop
    used_seconds: int


@dataclass
class Agenda:
    """The four steps' timeboxes, in step order, with planned and used time."""

    timeboxes: dict[str, Timebox] = field(default_factory=dict)

    @classmethod
    def from_session(cls, session: Session) -> Agenda:
        """Planned minutes from ``facilitation.timebox_minutes`` (a missing or zero step takes
        the default), used and added seconds from ``facilitation.used_seconds`` and
        ``facilitation.added_seconds`` (see module doc)."""
        used = _read_seconds(session.facilitation.used_seconds)
        added = _read_seconds(session.facilitation.added_seconds)
        plan = _plan(session)
        return cls(
            timeboxes={
                step: Timebox.from_minutes(plan[step], used.get(step, 0), added.get(step, 0))
                for step in STEPS
            }
        )

    def replan(self, session: Session) -> None:
        """Take new planned minutes from the session (settings changed mid-workshop); time
        used, +5 min extensions and the running clock are kept."""
        for step, minutes in _plan(session).items():
            self.timeboxes[step].planned_seconds = float(minutes) * 60

    def timebox(self, step: str) -> Timebox:
        """The step's timebox (``KeyError`` for "summary" or an unknown step)."""
        return self.timeboxes[step]

    def start(self, step: str, now: float) -> None:
        """Start ``step``'s timebox and pause every other one: one clock runs at a time."""
        for name, box in self.timeboxes.items():
            if name != step:
                box.pause(now)
        self.timeboxes[step].start(now)

    def pause_all(self, now: float) -> None:
        for box in self.timeboxes.values():
            box.pause(now)

    def running_step(self) -> str | None:
        return next((name for name, box in self.timeboxes.items() if box.running), None)

    def rows(self, now: float) -> list[AgendaRow]:
        out = []
        for step in STEPS:
            box = self.timeboxes[step]
            out.append(
                AgendaRow(
                    step=step,
                    title=STEP_TITLES[step],
                    planned_seconds=int(box.planned_seconds),
                    added_seconds=int(box.added_seconds),
                    used_seconds=int(box.elapsed(now)),
                )
            )
        return out

    def total_planned_seconds(self) -> int:
        """The session plan, without +5 min extensions."""
        return sum(int(self.timeboxes[step].planned_seconds) for step in STEPS)

    def total_used_seconds(self, now: float) -> int:
        return sum(int(self.timeboxes[step].elapsed(now)) for step in STEPS)

    def line(self, now: float) -> str:
        """The agenda line, used/planned minutes per step and in total:

        "Future state 13/20 · Tough questions 0/25 · Reverse map 0/40 · Small pilots 0/30 ·
        Total 13/115 min".  A step that was extended shows it: "13/20+5".
        """
        parts = []
        for row in self.rows(now):
            extra = f"+{format_minutes(row.added_seconds)}" if row.added_seconds else ""
            parts.append(
                f"{row.title} {format_minutes(row.used_seconds)}/"
                f"{format_minutes(row.planned_seconds)}{extra}"
            )
        parts.append(
            f"Total {format_minutes(self.total_used_seconds(now))}/"
            f"{format_minutes(self.total_planned_seconds())} min"
        )
        return " · ".join(parts)

    def used_seconds(self, now: float) -> dict[str, int]:
        """Whole seconds used per step, steps with none left out."""
        used = {step: int(self.timeboxes[step].elapsed(now)) for step in STEPS}
        return {step: n for step, n in used.items() if n > 0}

    def added_seconds(self) -> dict[str, int]:
        added = {step: int(self.timeboxes[step].added_seconds) for step in STEPS}
        return {step: n for step, n in added.items() if n > 0}

    def store(self, session: Session, now: float) -> bool:
        """Write used/added seconds into ``session.facilitation`` (``used_seconds``,
        ``added_seconds``).

        Returns True when that changed the session (so the app can ``touch()`` the document
        only then, not on every timer tick).
        """
        fa = session.facilitation
        before = (fa.used_seconds, fa.added_seconds)
        fa.used_seconds = self.used_seconds(now)
        fa.added_seconds = self.added_seconds()
        for key in (USED_KEY, ADDED_KEY):  # an unknown key of that name (old code) is gone
            fa.extra.pop(key, None)
        return before != (fa.used_seconds, fa.added_seconds)


def _plan(session: Session) -> dict[str, int]:
    """Planned minutes per step; a missing, zero or odd value takes the default."""
    plan = session.facilitation.timebox_minutes or {}
    out: dict[str, int] = {}
    for step in STEPS:
        minutes = plan.get(step)
        if isinstance(minutes, bool) or not isinstance(minutes, int) or minutes <= 0:
            minutes = DEFAULT_TIMEBOXES[step]
        out[step] = minutes
    return out


def _read_seconds(value: object) -> dict[str, int]:
    """A ``{step: seconds}`` table from a file, keeping only sane entries."""
    if not isinstance(value, dict):
        return {}
    out: dict[str, int] = {}
    for step, seconds in value.items():
        if step in STEPS and type(seconds) is int and seconds >= 0:
            out[step] = seconds
    return out
