"""The progress report as one self-contained HTML page, one printed page (A4 or Letter).

The words are the Markdown report's (``report_md.sections``) rendered by markdown-it-py (raw
HTML disabled), so user text is escaped twice over, as in the HTML export; after the KPI
table comes a small inline SVG chart per outcome: the trajectory line (start, milestones,
end), the check-ins as dots and today as a dashed line.  Every piece of user text in a chart
goes through ``html.escape(..., quote=True)``.  No script, no external resource; the same
Content-Security-Policy as the HTML export.  Deterministic: ``today`` comes from the caller.
"""

from __future__ import annotations

import math
from datetime import date

from backplan_tui.core import progress, report
from backplan_tui.core.export import report_md
from backplan_tui.core.export.common import line
from backplan_tui.core.export.html import CSP, _md, esc
from backplan_tui.core.model import ReportMark, Session
from backplan_tui.core.schedule import Schedule, compute

CSS = """\
:root { --fg: #1f2328; --muted: #59636e; --rule: #d1d9e0; --accent: #0969da;
  --good: #1a7f37; --bad: #cf222e; --bg: #ffffff; }
* { box-sizing: border-box; }
html { background: var(--bg); color: var(--fg); }
body { margin: 0 auto; max-width: 56rem; padding: 1.5rem;
  font: 14px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", Arial, sans-serif;
  overflow-wrap: anywhere; unicode-bidi: isolate; }
h1 { font-size: 1.5rem; margin: 0 0 .4rem; }
h2 { font-size: 1.1rem; margin: 1rem 0 .3rem; border-bottom: 1px solid var(--rule); }
h3 { font-size: .95rem; margin: .5rem 0 .2rem; }
ul { margin: .2rem 0; padding-left: 1.2rem; }
header ul { list-style: none; padding: 0; color: var(--muted); }
table { border-collapse: collapse; width: 100%; font-size: .9rem; }
th, td { border: 1px solid var(--rule); padding: .2rem .4rem; text-align: left;
  vertical-align: top; }
th, td:nth-child(2), td:nth-child(3), td:nth-child(4), td:nth-child(5) {
  white-space: nowrap; }
p { margin: .3rem 0; }
em { color: var(--muted); font-size: .9em; }
.charts { display: flex; flex-wrap: wrap; gap: .5rem; margin: .5rem 0; }
.charts figure { margin: 0; width: 15.5rem; }
.charts figcaption { font-size: .8rem; font-weight: 600; white-space: nowrap;
  overflow: hidden; text-overflow: ellipsis; }
svg { display: block; width: 100%; height: auto; }
svg text { fill: var(--muted); font-size: 10px; font-family: inherit; }
svg .axis { stroke: var(--rule); stroke-width: 1; }
svg .line { fill: none; stroke: var(--accent); stroke-width: 2; }
svg .milestone { fill: var(--bg); stroke: var(--accent); stroke-width: 2; }
svg .dot { fill: var(--fg); }
svg .dot.good { fill: var(--good); }
svg .dot.bad { fill: var(--bad); }
svg .today { stroke: var(--bad); stroke-width: 1; stroke-dasharray: 3 2; }
footer { margin-top: 1rem; color: var(--muted); font-size: .8rem; }
@page { size: auto; margin: 12mm; }
@media print {
  html, body { background: #ffffff; }
  body { max-width: none; padding: 0; font-size: 9pt; line-height: 1.3; }
  * { print-color-adjust: exact; -webkit-print-color-adjust: exact; }
  h1 { font-size: 14pt; }
  h2 { font-size: 11pt; margin-top: .6rem; break-after: avoid; page-break-after: avoid; }
  table { font-size: 8pt; }
  .charts figure { width: 24%; }
  .lower { column-count: 2; column-gap: 1.5rem; }
  .lower h2 { margin-top: 0; break-inside: avoid; }
  figure, tr, li, svg, table { break-inside: avoid; page-break-inside: avoid; }
}
"""

WIDTH, HEIGHT = 240, 96
LEFT, RIGHT, TOP, BOTTOM = 34.0, 232.0, 8.0, 78.0


def _f(value: float) -> str:
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _finite(values: list[float]) -> list[float]:
    return [v for v in values if math.isfinite(v)]


def chart(k: report.Kpi, today: date) -> str:
    """One outcome's small chart (an empty string when there is nothing to draw)."""
    days = [p.when for p in k.points] + [d for d, _ in k.actuals]
    values = _finite([p.value for p in k.points] + [v for _, v in k.actuals])
    if not days or not values:
        return ""
    lo_day, hi_day = min([*days, today]), max([*days, today])
    span = max((hi_day - lo_day).days, 1)
    lo, hi = min(values), max(values)
    if hi == lo:
        lo, hi = lo - 1, hi + 1
    pad = (hi - lo) * 0.08
    lo, hi = lo - pad, hi + pad

    def x(day: date) -> float:
        return LEFT + (day - lo_day).days / span * (RIGHT - LEFT)

    def y(value: float) -> float:
        return BOTTOM - (value - lo) / (hi - lo) * (BOTTOM - TOP)

    name = line(k.metric) or f"Outcome {line(k.outcome_id)}"
    unit = line(k.unit)
    tip = f"{name}: the trajectory"
    if k.points:
        first, last = k.points[0], k.points[-1]
        tip += (
            f" from {progress.format_value(first.value, unit)} on {first.when.isoformat()} to "
            f"{progress.format_value(last.value, unit)} on {last.when.isoformat()}"
        )
    else:
        tip = f"{name}: no trajectory"
    tip += f"; {len(k.actuals)} check-in{'s' if len(k.actuals) != 1 else ''} (dots)"
    out = [
        "<figure>",
        f"<figcaption>{esc(name)}</figcaption>",
        f'<svg viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}" role="img">',
        f"<title>{esc(tip)}</title>",
        f'<line class="axis" x1="{_f(LEFT)}" y1="{_f(BOTTOM)}" x2="{_f(RIGHT)}" '
        f'y2="{_f(BOTTOM)}"/>',
        f'<line class="axis" x1="{_f(LEFT)}" y1="{_f(TOP)}" x2="{_f(LEFT)}" y2="{_f(BOTTOM)}"/>',
        f'<text x="{_f(LEFT - 3)}" y="{_f(TOP + 8)}" text-anchor="end">'
        f"{esc(progress.format_number(hi - pad))}</text>",
        f'<text x="{_f(LEFT - 3)}" y="{_f(BOTTOM)}" text-anchor="end">'
        f"{esc(progress.format_number(lo + pad))}</text>",
        f'<text x="{_f(LEFT)}" y="{HEIGHT - 4}">{lo_day.isoformat()}</text>',
        f'<text x="{_f(RIGHT)}" y="{HEIGHT - 4}" text-anchor="end">{hi_day.isoformat()}</text>',
        f'<line class="today" x1="{_f(x(today))}" y1="{_f(TOP)}" x2="{_f(x(today))}" '
        f'y2="{_f(BOTTOM)}"><title>today {today.isoformat()}</title></line>',
    ]
    points = [p for p in k.points if math.isfinite(p.value)]
    if len(points) >= 2:
        coords = " ".join(f"{_f(x(p.when))},{_f(y(p.value))}" for p in points)
        out.append(f'<polyline class="line" points="{coords}"/>')
    for p in points:
        if p.kind == "milestone":
            label = f"{line(p.label) or 'milestone'}: {progress.format_value(p.value, unit)}"
            out.append(
                f'<circle class="milestone" cx="{_f(x(p.when))}" cy="{_f(y(p.value))}" r="3.5">'
                f"<title>{esc(label)} on {p.when.isoformat()}</title></circle>"
            )
    tone = "" if k.good_side is None else " good" if k.good_side else " bad"
    for when, actual in k.actuals:
        if not math.isfinite(actual):
            continue
        out.append(
            f'<circle class="dot{tone}" cx="{_f(x(when))}" cy="{_f(y(actual))}" r="2.5">'
            f"<title>{esc(progress.format_value(actual, unit))} on {when.isoformat()}</title>"
            "</circle>"
        )
    out += ["</svg>", "</figure>"]
    return "\n".join(out)


def charts(r: report.Report) -> str:
    drawn = [c for c in (chart(k, r.today) for k in r.kpis) if c]
    if not drawn:
        return ""
    return '<div class="charts">\n' + "\n".join(drawn) + "\n</div>\n"


def render_report(r: report.Report) -> str:
    md = _md()

    def block(lines: list[str]) -> str:
        rendered: str = md.render("\n".join(lines) + "\n")
        return rendered

    body = [f"<header>\n{block(report_md.header(r))}</header>\n"]
    for title, lines in report_md.sections(r):
        extra = ""
        if title == report_md.KPI_TITLE and r.kpis:
            extra = charts(r) + block([f"_{report_md.POSITION_NOTE}_"])
        body.append(f"<section>\n{block([f'## {title}', '', *lines])}{extra}</section>\n")
        if title == report_md.KPI_TITLE:  # the rest in two columns on paper
            body.append('<div class="lower">\n')
    body.append("</div>\n")
    body.append(f"<footer>Made with backplan on {r.today.isoformat()}.</footer>\n")
    title = line(r.title) or "Untitled session"
    head = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
        '<meta name="referrer" content="no-referrer">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta name="generator" content="backplan">',
        f"<title>Progress report: {esc(title)} - backplan</title>",
        "<style>",
        CSS + "</style>",
        "</head>",
        "<body>",
        "<main>",
    ]
    return "\n".join(head) + "\n" + "".join(body) + "</main>\n</body>\n</html>\n"


def render(
    session: Session,
    today: date,
    schedule: Schedule | None = None,
    mark: ReportMark | None = None,
) -> str:
    """The HTML report of ``session`` as of ``today`` (as ``report_md.render``)."""
    plan = schedule if schedule is not None else compute(session, today)
    last = mark if mark is not None else report.last_mark(session)
    return render_report(report.build(session, today, plan, last))
