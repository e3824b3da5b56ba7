"""The progress report as Markdown: one page for leaders (``core.report`` has the facts and
their definitions).  Every piece of user text is escaped as the Markdown export escapes it
(``markdown.esc``); the KPI chart is a text version here: a sparkline of the actuals and the
trajectory's points.

``sections`` gives the report's parts (title, Markdown) so that the HTML report renders the
same words and adds its charts after the KPI table.
"""

from __future__ import annotations

from datetime import date

from backplan_tui.core import progress, report
from backplan_tui.core.export.common import line
from backplan_tui.core.export.markdown import esc
from backplan_tui.core.model import ReportMark, Session
from backplan_tui.core.schedule import Schedule, compute

KPI_TITLE = "KPIs against the milestone trajectory"
AT_RISK_NOTE = (
    "A milestone is at risk when the pace achieved so far, carried to its date, falls short "
    "of its target, or when it was missed and the latest actual is still behind it."
)
# A list longer than this shows its first items and "… and N more": the report is one page.
LIST_LIMIT = 6
POSITION_NOTE = (
    "Above or below: the latest actual against the trajectory on the day it was measured."
)


def value(number: float | None, unit: str) -> str:
    """A number with its unit, escaped ("80.5%", "12 days"); "—" when there is none."""
    if number is None:
        return "—"
    text, unit = progress.format_number(number), line(unit)  # a number needs no escape
    if not unit:
        return text
    return f"{text}%" if unit == "%" else f"{text} {esc(unit)}"


def capped(items: list[str], limit: int = LIST_LIMIT) -> list[str]:
    """At most ``limit`` list items; past it, the first ``limit - 1`` and "… and N more"."""
    if len(items) <= limit:
        return items
    rest = len(items) - (limit - 1)
    return [*items[: limit - 1], f"- … and {rest} more (`backplan show` lists them all)"]


def since_words(r: report.Report) -> str:
    if r.since_report:
        return f"since the last report, {r.since.isoformat()}"
    return f"since the session began, {r.since.isoformat()}"


def position_words(k: report.Kpi) -> str:
    """ "1.5 below the trajectory", "on the trajectory", "" without one."""
    if not k.position:
        return ""
    if k.position == "on" or k.gap is None:
        return "on the trajectory"
    side = "ahead of it" if k.good_side else "behind it"
    return f"{value(abs(k.gap), k.unit)} {k.position} the trajectory ({side})"


def verdict_words(k: report.Kpi) -> str:
    where = position_words(k)
    return f"{k.verdict} · {where}" if where else k.verdict


def kpi_table(r: report.Report) -> list[str]:
    if not r.kpis:
        return ["No outcomes yet: the future state names none."]
    out = [
        "| Outcome | Latest | Expected today | Target | Due | Verdict |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for k in r.kpis:
        name = esc(k.metric) or f"Outcome {esc(k.outcome_id)}"
        latest = value(k.latest, k.unit)
        if k.latest_date is not None:
            latest += f" ({k.latest_date.isoformat()})"
        due = k.due.isoformat() if k.due is not None else "—"
        out.append(
            f"| {name} | {latest} | {value(k.expected_today, k.unit)} | "
            f"{value(k.target, k.unit)} | {due} | {verdict_words(k)} |"
        )
    return out


def _trajectory_text(k: report.Kpi) -> str:
    parts = []
    for point in k.points:
        label = "baseline" if point.kind == "start" else "target" if point.kind == "end" else ""
        label = label or esc(point.label) or f"milestone {esc(point.node_id)}"
        parts.append(f"{label} {value(point.value, k.unit)} on {point.when.isoformat()}")
    return " → ".join(parts)


def kpi_trends(r: report.Report) -> list[str]:
    """The text chart: each outcome's actuals as a sparkline, and its trajectory's points."""
    out = []
    for k in r.kpis:
        name = esc(k.metric) or f"Outcome {esc(k.outcome_id)}"
        values = [v for _, v in k.actuals]
        spark = progress.sparkline(values, width=12)
        actual = f"{spark} ({len(values)} check-ins)" if values else "no check-in yet"
        if len(values) == 1:
            actual = f"{spark} (1 check-in)"
        trend = _trajectory_text(k) or "no trajectory (a start, a target and a due date)"
        out.append(f"- **{name}:** {actual}; trajectory: {trend}")
    return out


def moved(r: report.Report) -> list[str]:
    out: list[str] = []
    if r.moved:
        items = []
        for m in sorted(r.moved, key=lambda m: -m.days):  # the biggest slip first
            days = abs(m.days)
            how = f"{days} day{'s' if days != 1 else ''} {'later' if m.days > 0 else 'earlier'}"
            title = esc(m.title) or f"map item {esc(m.node_id)}"
            items.append(f"- {title}: due {m.before.isoformat()} → {m.now.isoformat()} ({how})")
        out += ["### Dates that moved", "", *capped(items), ""]
    if r.done:
        items = []
        for item in r.done:
            kind = "Map item" if item.kind == "map" else "Pilot"
            items.append(f"- {kind}: {esc(item.title) or esc(item.id)}")
        out += ["### Done", "", *capped(items), ""]
    if r.adjustments:
        items = []
        for adj in r.adjustments:
            why = f" — why: {esc(adj.why)}" if line(adj.why) else ""
            items.append(f"- {adj.date.isoformat()}: {esc(adj.what) or 'unnamed change'}{why}")
        out += ["### Adjustments", "", *capped(items), ""]
    if not out:
        out = [f"Nothing moved {since_words(r)}: no date changed, nothing done, no adjustment.", ""]
    return out[:-1]


def decisions(r: report.Report) -> list[str]:
    out = capped([f"- {esc(d.text)}" for d in r.decisions]) or ["None waiting."]
    return [*out, "", f"_{AT_RISK_NOTE}_"]


def next_milestones(r: report.Report) -> list[str]:
    if not r.next_milestones:
        return ["No dated milestone ahead."]
    out = []
    for m in r.next_milestones:
        title = esc(m.title) or f"map item {esc(m.node_id)}"
        targets = "; ".join(f"{esc(name)} {value(v, unit)}" for name, unit, v in m.targets)
        out.append(f"- {m.when.isoformat()}: {title}" + (f" — {targets}" if targets else ""))
    return out


def header(r: report.Report) -> list[str]:
    title = esc(r.title) or "Untitled session"
    out = [f"# Progress report: {title}", "", f"- **Date:** {r.today.isoformat()}"]
    out.append(f"- **What moved:** {since_words(r)}")
    goal = esc(r.statement)
    if r.target_date is not None:
        goal = f"{goal} (by {r.target_date.isoformat()})" if goal else r.target_date.isoformat()
    if goal:
        out.append(f"- **Goal:** {goal}")
    return out


def sections(r: report.Report) -> list[tuple[str, list[str]]]:
    """The report's parts after the header, each (title, Markdown lines)."""
    return [
        (KPI_TITLE, kpi_table(r)),
        (f"What moved {since_words(r)}", moved(r)),
        ("Decisions needed", decisions(r)),
        ("Next milestones", next_milestones(r)),
    ]


def render_report(r: report.Report) -> str:
    out = header(r)
    for title, body in sections(r):
        out += ["", f"## {title}", "", *body]
        if title == KPI_TITLE and r.kpis:
            out += ["", *kpi_trends(r), "", f"_{POSITION_NOTE}_"]
    out += ["", "---", "", f"Made with backplan on {r.today.isoformat()}."]
    return "\n".join(out) + "\n"


def render(
    session: Session,
    today: date,
    schedule: Schedule | None = None,
    mark: ReportMark | None = None,
) -> str:
    """The report of ``session`` as of ``today``; the schedule is computed when not given,
    and ``mark`` defaults to the session's last one (``report.last_mark``)."""
    plan = schedule if schedule is not None else compute(session, today)
    last = mark if mark is not None else report.last_mark(session)
    return render_report(report.build(session, today, plan, last))
