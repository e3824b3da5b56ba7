"""A session at a glance: what the home list and ``backplan list`` show beside each title.

Plan health (the coach's problem and warning counts), why the plan is at risk, and the open
dated items (map nodes and pilots), earliest first.  ``summarize(session, today)`` computes it
when the store parses a file for its index, so listing 1,000 sessions parses none of them.

Two parts age differently:

- **the dated items** do not depend on the day (a node's due date comes from the goal's
  target date and the durations), so "next due" and "overdue" are worked out from them on
  whatever day the list is shown (``next_due`` / ``overdue``);
- **health and risks** do (a path that should have started, a check-in overdue), so they
  carry ``as_of``: the day they were computed.  ``stale(today)`` says they need recomputing;
  the store does that for changed files always and for the rest when asked
  (``SessionStore.list(refresh=True)``).

Pure: no I/O, no Textual.  The record is plain JSON types (``to_record`` / ``from_record``),
and ``from_record`` rejects anything malformed (the index is a cache a person can edit).  The
index keeps it as one string (``to_text`` / ``from_text``), parsed only when it is shown; that
string starts with the day it was computed (``text_prefix``), so staleness needs no parse.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from backplan_tui.core.textclean import shorten

if TYPE_CHECKING:
    from backplan_tui.core.model import Session

MAX_DUE = 5  # dated items kept per session: enough for "next" and an overdue count
MAX_RISKS = 3
MAX_TEXT = 80  # characters of a title or reason kept in the index
BRIEF_TEXT = 40  # of the next due item's title and owner in the brief (the list shows 40 of all)
TEXT_START = '{"as_of":"'  # every glance's text (``to_text``) starts so, and then the day


def text_prefix(day: date) -> str:
    """How the text (``Glance.to_text``) of a glance computed on ``day`` starts."""
    return f'{TEXT_START}{day.isoformat()}"'


@dataclass(frozen=True)
class DueRef:
    due: date
    kind: str  # "node" | "pilot"
    title: str
    owner: str

    def overdue(self, today: date) -> bool:
        return self.due < today


@dataclass(frozen=True)
class Glance:
    as_of: date
    problems: int
    warnings: int
    risks: tuple[str, ...]  # why the plan is at risk (as of ``as_of``); empty: not at risk
    due: tuple[DueRef, ...]  # open dated items, earliest first (at most MAX_DUE)
    open_dated: int = 0  # how many open dated items there are in all

    @property
    def health(self) -> str:
        """ "problems", "warnings" or "healthy" (the coach's ``overall_health``)."""
        return "problems" if self.problems else "warnings" if self.warnings else "healthy"

    @property
    def at_risk(self) -> bool:
        return bool(self.risks)

    def stale(self, today: date) -> bool:
        return self.as_of != today

    def next_due(self) -> DueRef | None:
        """The earliest open dated item: overdue when its date is before today."""
        return self.due[0] if self.due else None

    def overdue(self, today: date) -> int:
        """Open dated items before ``today`` (a lower bound past ``MAX_DUE`` of them)."""
        return sum(1 for item in self.due if item.overdue(today))

    def health_text(self) -> str:
        """ "2 problems", "1 warning", "healthy": words, never colour alone."""
        return _health_text(self.problems, self.warnings)

    def due_text(self, today: date) -> str:
        """ "OVERDUE 2026-11-20 Draft survey (Ana)", "2026-12-01 Pilot in Sales", or ""."""
        item = self.next_due()
        if item is None:
            return ""
        return _due_text(item.due, item.title, item.owner, today)

    # --- the index record ---------------------------------------------------------------------

    def to_record(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of.isoformat(),
            "problems": self.problems,
            "warnings": self.warnings,
            "risks": list(self.risks),
            "due": [[d.due.isoformat(), d.kind, d.title, d.owner] for d in self.due],
            "open_dated": self.open_dated,
        }

    def to_text(self) -> str:
        """The record as one string for the index: compact ASCII JSON, which starts with
        ``text_prefix(self.as_of)``."""
        return json.dumps(self.to_record(), separators=(",", ":"))

    @classmethod
    def from_text(cls, text: Any) -> Glance | None:
        """The glance in a ``to_text`` string; None when it is not as written."""
        if not isinstance(text, str):
            return None
        try:
            record = json.loads(text)
        except (ValueError, RecursionError):
            return None
        return cls.from_record(record)

    @classmethod
    def from_record(cls, record: Any) -> Glance | None:
        """The glance in an index record; None when anything in it is not as written."""
        try:
            if not isinstance(record, dict):
                return None
            counts = [record["problems"], record["warnings"], record["open_dated"]]
            if not all(type(n) is int and n >= 0 for n in counts):
                return None
            risks = record["risks"]
            if not (isinstance(risks, list) and all(isinstance(r, str) for r in risks)):
                return None
            due = []
            for row in record["due"]:
                when, kind, title, owner = row
                if kind not in ("node", "pilot") or not (
                    isinstance(title, str) and isinstance(owner, str)
                ):
                    return None
                due.append(DueRef(date.fromisoformat(when), kind, title, owner))
            return cls(
                as_of=date.fromisoformat(record["as_of"]),
                problems=counts[0],
                warnings=counts[1],
                risks=tuple(risks),
                due=tuple(due),
                open_dated=counts[2],
            )
        except (KeyError, TypeError, ValueError):
            return None


def _health_text(problems: int, warnings: int) -> str:
    if problems:
        return f"{problems} problem" + ("s" if problems != 1 else "")
    if warnings:
        return f"{warnings} warning" + ("s" if warnings != 1 else "")
    return "healthy"


def _due_text(due: date, title: str, owner: str, today: date) -> str:
    late = "OVERDUE " if due < today else ""
    return f"{late}{due.isoformat()} {title or '(untitled)'}" + (f" ({owner})" if owner else "")


def brief_cells(brief: Any, today: date) -> tuple[str, str] | None:
    """What ``backplan list`` shows from a brief (``GlanceSummarizer.brief``): (health, the
    next due item's ``due_text`` on ``today``, cut to ``BRIEF_TEXT`` characters of title
    and owner, more than the list's column shows); None when it is not as written."""
    if type(brief) is not list or len(brief) != 4:
        return None
    health, when, title, owner = brief
    if not (type(health) is str and type(title) is str and type(owner) is str):
        return None
    if when is None:
        return health, ""
    if type(when) is not str:
        return None
    try:
        due = date.fromisoformat(when)
    except ValueError:
        return None
    return health, _due_text(due, title, owner, today)


def list_cells(records: Iterable[Any], today: date) -> Iterator[tuple[str, str] | None]:
    """For each glance (the index's text, as ``SessionEntry.glance_record`` holds it), what
    ``backplan list`` shows: (health, with "AT RISK, " first when it is, and the next due
    item's ``due_text``); None for a glance that is not as written (``Glance.from_record``
    would give None).  The same as making each ``Glance``, without making any: texts are
    parsed 500 at a time in one ``json.loads`` (10,000 sessions: a tenth of the time)."""
    batch: list[Any] = []
    for record in records:
        batch.append(record)
        if len(batch) >= 500:
            yield from _batch_cells(batch, today)
            batch = []
    yield from _batch_cells(batch, today)


def _batch_cells(batch: list[Any], today: date) -> Iterator[tuple[str, str] | None]:
    parsed: Any = None
    if batch and all(type(record) is str for record in batch):
        try:
            parsed = json.loads("[" + ",".join(batch) + "]")
        except (ValueError, RecursionError):
            parsed = None
        if type(parsed) is not list or len(parsed) != len(batch):
            parsed = None
    for n, record in enumerate(batch):
        if parsed is not None:
            yield _record_cells(parsed[n], today)
            continue
        glance = GlanceSummarizer.read(record)  # one at a time: the slow way, the same cells
        if glance is None:
            yield None
            continue
        health = glance.health_text()
        yield (f"AT RISK, {health}" if glance.at_risk else health), glance.due_text(today)


def _record_cells(record: Any, today: date) -> tuple[str, str] | None:
    """``list_cells`` of one parsed record, checked as ``Glance.from_record`` checks it."""
    try:
        if not isinstance(record, dict):
            return None
        problems, warnings = record["problems"], record["warnings"]
        if not all(type(n) is int and n >= 0 for n in (problems, warnings, record["open_dated"])):
            return None
        risks = record["risks"]
        if not (isinstance(risks, list) and all(isinstance(r, str) for r in risks)):
            return None
        first: tuple[date, str, str] | None = None
        for row in record["due"]:
            when, kind, title, owner = row
            if kind not in ("node", "pilot") or not (
                isinstance(title, str) and isinstance(owner, str)
            ):
                return None
            day = date.fromisoformat(when)
            if first is None:
                first = (day, title, owner)
        date.fromisoformat(record["as_of"])
    except (KeyError, TypeError, ValueError):
        return None
    health = _health_text(problems, warnings)
    due = "" if first is None else _due_text(*first, today)
    return (f"AT RISK, {health}" if risks else health), due


def _cut(text: str) -> str:
    return shorten(" ".join(text.split()), MAX_TEXT)


def summarize(session: Session, today: date) -> Glance:
    """The glance of ``session`` on ``today`` (one schedule pass, one coach review)."""
    from backplan_tui.core import coach, progress, schedule

    plan = schedule.compute(session, today)
    findings = coach.review(session, today, schedule=plan)
    problems, warnings, _ = coach.summary_counts(findings)
    due_dates = {k: v.due for k, v in plan.nodes.items()} if plan.ready else None
    items = progress.open_items(session, today, due_dates)
    risks = progress.risks(session, today, due_dates)
    return Glance(
        as_of=today,
        problems=problems,
        warnings=warnings,
        risks=tuple(_cut(r) for r in risks[:MAX_RISKS]),
        due=tuple(DueRef(i.due, i.kind, _cut(i.title), _cut(i.owner)) for i in items[:MAX_DUE]),
        open_dated=len(items),
    )


class GlanceSummarizer:
    """The glance as the store's index keeps it (``core.storage.entries.Summarizer``): the
    storage is given this (``core.wiring``) and never imports this module."""

    start = TEXT_START

    @staticmethod
    def prefix(day: date) -> str:
        return text_prefix(day)

    @staticmethod
    def text(session: Session, today: date) -> str:
        return summarize(session, today).to_text()

    @staticmethod
    def brief(text: str) -> list[Any]:
        """``[health, next due date or null, its title, its owner]`` (see ``brief_cells``):
        what ``backplan list`` shows, kept in the index's record.  A text that does not
        read gives a brief that does not read either (``brief_cells``: None)."""
        glance = Glance.from_text(text)
        if glance is None:
            return []
        health = glance.health_text()
        item = glance.next_due()
        if item is None:
            return [f"AT RISK, {health}" if glance.at_risk else health, None, "", ""]
        cut = BRIEF_TEXT
        due = [item.due.isoformat(), item.title[:cut], item.owner[:cut]]
        return [f"AT RISK, {health}" if glance.at_risk else health, *due]

    @staticmethod
    def read(record: Any) -> Glance | None:
        if isinstance(record, Glance):
            return record
        if isinstance(record, str):  # the index's text (``to_text``)
            return Glance.from_text(record)
        return Glance.from_record(record)

    @staticmethod
    def stale(record: Any, today: date) -> bool:
        """Health and risks were computed on another day; a damaged file has none."""
        if isinstance(record, Glance):
            return record.stale(today)
        if isinstance(record, str):
            return not record.startswith(text_prefix(today))
        return isinstance(record, dict) and record.get("as_of") != today.isoformat()


SUMMARIZER = GlanceSummarizer()
