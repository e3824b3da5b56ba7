"""HTML export: one self-contained page, for a browser, a wiki upload, email or print.

The body is the Markdown export rendered by markdown-it-py (CommonMark plus tables, raw HTML
disabled), so the page says exactly what the Markdown says and user text is escaped twice
over: the Markdown export backslash-escapes every piece of syntax in it, and markdown-it
HTML-escapes every text node.  Two inline SVG figures are added: the KPI progress bars (at the
end of the future-state section) and a timeline of the reverse map and the pilots (at the end
of the reverse-map section).  Every piece of user text in them goes through
``html.escape(..., quote=True)``.

Safe to open anywhere: ``<meta charset>`` comes first, then a Content-Security-Policy that
allows nothing but the inline styles (no script, no font, no image except ``data:``, no
request of any kind); the page has no script, no link, no external resource.  The output is
deterministic: ``today`` comes from the caller and nothing depends on the clock or locale.
"""

from __future__ import annotations

import functools
import html
import math
import re
from datetime import date, timedelta

from markdown_it import MarkdownIt
from markdown_it.token import Token

from backplan_tui.core import progress
from backplan_tui.core.export import facts as plan_facts
from backplan_tui.core.export import markdown
from backplan_tui.core.export.actions import MAP, Action
from backplan_tui.core.export.common import (
    cell_width,
    char_width,
    iso,
    line,
    words,
)
from backplan_tui.core.model import STEP_TITLES, Session
from backplan_tui.core.schedule import FLAG_LABELS, FLAGS

CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
    "base-uri 'none'; form-action 'none'"
)

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

CSS = """\
:root {
  --fg: #1f2328; --muted: #59636e; --bg: #ffffff; --rule: #d1d9e0; --track: #eef1f4;
  --accent: #0969da; --done: #8c959f; --late: #cf222e; --pilot: #8250df; --goal: #1a7f37;
  color-scheme: light dark;
}
@media screen and (prefers-color-scheme: dark) {
  :root {
    --fg: #e6edf3; --muted: #9198a1; --bg: #0d1117; --rule: #3d444d; --track: #262c36;
    --accent: #4493f8; --done: #656c76; --late: #f85149; --pilot: #ab7df8; --goal: #3fb950;
  }
}
* { box-sizing: border-box; }
html { background: var(--bg); color: var(--fg); }
body {
  margin: 0 auto; max-width: 62rem; padding: 2rem 1.5rem 3rem;
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Liberation Sans",
    Arial, sans-serif;
  overflow-wrap: anywhere; unicode-bidi: isolate;
}
h1 { font-size: 1.8rem; line-height: 1.2; margin: 0 0 .75rem; }
h2 { font-size: 1.35rem; margin: 2rem 0 .5rem; padding-bottom: .2rem;
  border-bottom: 1px solid var(--rule); }
h3 { font-size: 1.1rem; margin: 1.25rem 0 .4rem; }
ul { padding-left: 1.4rem; }
li { margin: .15rem 0; }
li > ul { margin: .1rem 0; }
header ul { list-style: none; padding: 0; margin: 0; color: var(--muted); }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; font-size: .93rem; }
th, td { border: 1px solid var(--rule); padding: .3rem .5rem; vertical-align: top;
  overflow-wrap: break-word; }
th { background: var(--track); text-align: left; white-space: nowrap; }
td.date { white-space: nowrap; }
figure { margin: 1rem 0 1.5rem; }
figcaption { font-weight: 600; margin-bottom: .35rem; }
figure p.note { color: var(--muted); margin: .25rem 0; }
svg { display: block; width: 100%; height: auto; }
svg text { fill: var(--fg); font-size: 13px; font-family: inherit; }
svg .muted { fill: var(--muted); }
svg .small { font-size: 11.5px; }
svg .strong { font-weight: 600; }
svg .grid { stroke: var(--rule); stroke-width: 1; }
svg .track { fill: var(--track); stroke: var(--rule); }
svg .track.empty { fill: none; stroke-dasharray: 4 3; }
svg .fill { fill: var(--accent); }
svg .fill.holding { fill: var(--goal); }
svg .fill.off { fill: var(--late); }
svg .today { stroke: var(--late); stroke-width: 1.5; stroke-dasharray: 5 3; }
svg .goal { stroke: var(--goal); stroke-width: 2; }
svg text.today-label { fill: var(--late); }
svg text.goal-label { fill: var(--goal); }
svg .bar { stroke-width: 1.5; }
svg .bar.todo { fill: var(--bg); stroke: var(--accent); }
svg .bar.doing { fill: var(--accent); stroke: var(--accent); }
svg .bar.done { fill: var(--done); stroke: var(--done); }
svg .bar.dropped { fill: none; stroke: var(--done); stroke-dasharray: 3 2; }
svg .bar.pilot { fill: var(--pilot); stroke: var(--pilot); }
svg .bar.pilot.planned { fill: var(--bg); }
svg .bar.critical { stroke: var(--fg); stroke-width: 2.5; }
svg .bar.late { stroke: var(--late); stroke-width: 2.5; }
svg text.late { fill: var(--late); font-weight: 600; }
footer { margin-top: 2.5rem; padding-top: .5rem; border-top: 1px solid var(--rule);
  color: var(--muted); font-size: .9rem; }
@media print {
  :root { --fg: #000000; --bg: #ffffff; --muted: #444c56; }
  html, body { background: #ffffff; }
  body { max-width: none; padding: 0; font-size: 10pt; }
  * { print-color-adjust: exact; -webkit-print-color-adjust: exact; }
  h2, h3 { break-after: avoid; page-break-after: avoid; }
  figure, tr, li, svg { break-inside: avoid; page-break-inside: avoid; }
  table { font-size: 9pt; }
  @page { margin: 15mm 14mm; }
}
"""


# The body's ``overflow-wrap: anywhere`` lets a table column shrink to one letter ("Dat/e",
# "202/6-/11-/17"): cells break words only when a word is wider than the column, headers
# and dates never.
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@functools.cache
def _md() -> MarkdownIt:
    """The parser, built once (parsing keeps its state per call, so sharing it is safe)."""
    return MarkdownIt("commonmark", {"html": False}).enable("table")


def esc(value: object) -> str:
    """Text for an HTML/SVG text node or a double-quoted attribute."""
    return html.escape(str(value), quote=True)


def truncate(text: str, cells: int) -> str:
    """``text`` cut to ``cells`` columns (wide characters count two), with an ellipsis."""
    used = 0
    for index, char in enumerate(text):
        used += char_width(char)
        if used > cells:
            return text[: max(index - 1, 0)].rstrip() + "…"
    return text


# The sentence beside a KPI bar starts at x=500 of a 960-wide figure: 452 px of room for text
# 11.5 px high.  7 px a terminal cell is more than the average advance of DejaVu Sans (a wide
# font) at that size, so 64 cells always fit; a longer sentence (a long unit) is shortened.
KPI_SENTENCE_CELLS = 64


def fit_sentence(sentence: str, cells: int = KPI_SENTENCE_CELLS) -> str:
    """``sentence`` within ``cells`` columns: when too long, the part before its last " · "
    is cut with an ellipsis so that the verdict after it stays visible (the whole sentence is
    in the bar's tooltip, and the values in the outcomes table above)."""
    if cell_width(sentence) <= cells:
        return sentence
    head, sep, verdict = sentence.rpartition(" · ")
    tail = sep + verdict
    if sep and cell_width(tail) <= cells // 2:
        return truncate(head, cells - cell_width(tail)) + tail
    return truncate(sentence, cells)


def _f(value: float) -> str:
    """A coordinate, deterministic and short: 12.0 -> "12", 12.345 -> "12.3"."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


# --- the document -------------------------------------------------------------------------------


def render(session: Session, today: date, facts: plan_facts.PlanFacts | None = None) -> str:
    if facts is None:
        facts = plan_facts.of(session, today)
    md = _md()
    tokens = md.parse(markdown.render(session, today, facts))  # one set of facts for all
    for index, token in enumerate(tokens[:-1]):  # a date in a table cell is never broken
        if token.type == "td_open" and ISO_DATE.fullmatch(tokens[index + 1].content.strip()):
            token.attrSet("class", "date")
    extras = {
        STEP_TITLES["future_state"]: kpi_figure(session, today, facts),
        STEP_TITLES["reverse_map"]: timeline_figure(session, today, facts),
    }

    parts: list[str] = []
    current: list[Token] = []
    current_kind, current_title = "header", ""

    def flush() -> None:
        body = md.renderer.render(current, md.options, {})
        extra = extras.get(current_title, "") if current_kind == "section" else ""
        parts.append(f"<{current_kind}>\n{body}{extra}</{current_kind}>\n")

    for index, token in enumerate(tokens):
        if token.level == 0 and token.type == "heading_open" and token.tag == "h2":
            flush()
            current = []
            current_kind, current_title = "section", tokens[index + 1].content
        elif token.level == 0 and token.type == "hr":
            flush()
            current = []
            current_kind, current_title = "footer", ""
            continue  # the footer has a rule of its own
        current.append(token)
    flush()

    title = line(session.title) or "Untitled session"
    head = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
        '<meta name="referrer" content="no-referrer">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta name="generator" content="backplan">',
        f"<title>{esc(title)} - backplan</title>",
        "<style>",
        CSS + "</style>",
        "</head>",
        "<body>",
        "<main>",
    ]
    return "\n".join(head) + "\n" + "".join(parts) + "</main>\n</body>\n</html>\n"


# --- KPI progress -------------------------------------------------------------------------------

_GOOD = ("target reached", "ahead", "on pace")
_BAD = ("behind", "overdue")


def _finite(value: float | None) -> float | None:
    if value is None or isinstance(value, bool) or not math.isfinite(value):
        return None
    return float(value)


def _progress_words(p: progress.Progress, unit: str) -> str:
    """The sentence beside an outcome's bar (numbers as ``backplan show`` prints them)."""
    base, target, latest = _finite(p.baseline), _finite(p.target), _finite(p.latest)
    if target is None:
        return f"no target value · {p.verdict}"
    if p.direction in ("stay_above", "stay_below"):
        goal = f"{words(p.direction)} {progress.format_value(target, unit)}"
    else:
        start = progress.format_value(base, unit) if base is not None else "?"
        goal = f"{start} → {progress.format_value(target, unit)}"
    if latest is None:
        return f"{goal} · no check-in yet"
    text = f"{progress.format_value(latest, unit)} on {iso(p.latest_date)}"
    percent = _finite(p.percent)
    if percent is not None:
        text += f" · {progress.format_percent(percent)} of the way"
    return f"{text} ({goal}) · {p.verdict}"


def kpi_figure(session: Session, today: date, facts: plan_facts.PlanFacts | None = None) -> str:
    if facts is None:
        facts = plan_facts.of(session, today)
    outcomes = session.future_state.outcomes
    if not outcomes:
        return ""
    width, row = 960, 52
    track_x, track_w = 8.0, 480.0
    height = row * len(outcomes) + 4
    out = [
        '<figure class="kpi">',
        "<figcaption>Outcome progress</figcaption>",
        f'<svg viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-labelledby="kpi-title">',
        '<title id="kpi-title">Progress of each outcome from its baseline to its target, '
        "at the latest check-in</title>",
    ]
    for index, (outcome, p) in enumerate(zip(outcomes, facts.progress, strict=True)):
        y = index * row
        unit = line(outcome.unit)
        sentence = _progress_words(p, unit)
        label = line(outcome.metric) or f"Outcome {line(outcome.id)}"
        due = f" (due {iso(p.due)})" if p.due is not None else ""
        tip = f"{label}{due}: {sentence}. {p.reason}"
        out.append("<g>")
        out.append(f"<title>{esc(tip)}</title>")
        out.append(
            f'<text class="strong" x="{_f(track_x)}" y="{y + 16}">{esc(truncate(label, 100))}'
            f'<tspan class="muted small">{esc(due)}</tspan></text>'
        )
        bar_y = y + 24
        empty = "" if _finite(p.target) is not None else " empty"
        out.append(
            f'<rect class="track{empty}" x="{_f(track_x)}" y="{bar_y}" '
            f'width="{_f(track_w)}" height="14" rx="3"/>'
        )
        filled = p.bar_fraction if _finite(p.percent) is not None else 0.0
        if filled > 0:
            tone = " holding" if p.verdict in _GOOD else " off" if p.verdict in _BAD else ""
            out.append(
                f'<rect class="fill{tone}" x="{_f(track_x)}" y="{bar_y}" '
                f'width="{_f(track_w * filled)}" height="14" rx="3"/>'
            )
        out.append(
            f'<text class="small" x="{_f(track_x + track_w + 12)}" y="{bar_y + 11}">'
            f"{esc(fit_sentence(sentence))}</text>"
        )
        out.append("</g>")
    out += ["</svg>", "</figure>", ""]
    return "\n".join(out)


# --- timeline -----------------------------------------------------------------------------------


def _month_start(day: date) -> date:
    return day.replace(day=1)


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _safe_day(day: date, days: int) -> date:
    try:
        return day + timedelta(days=days)
    except OverflowError:
        return day


def _ticks(lo: date, hi: date) -> list[date]:
    """First days of the months between ``lo`` and ``hi`` (every 3rd or 12th when long)."""
    months = (hi.year - lo.year) * 12 + hi.month - lo.month
    step = 1 if months <= 18 else 3 if months <= 60 else 12
    out: list[date] = []
    day = _month_start(lo)
    if step > 1:  # align to quarters / years
        while (day.month - 1) % step:
            day = _add_months(day, 1)
    while day <= hi and len(out) < 200:
        out.append(day)
        if day.year >= 9999 and day.month + step > 12:
            break
        day = _add_months(day, step)
    return out


def _status_word(action: Action, today: date) -> str:
    """The word shown beside a row: its status, or why it is late (never colour alone)."""
    if "starts_in_past" in action.flags:
        return "late"
    late = action.due is not None and action.due < today
    if "overdue" in action.flags or (
        late and not action.scheduled and action.status not in ("done", "dropped")
    ):
        return "overdue"
    return words(action.status)


def timeline_figure(
    session: Session, today: date, facts: plan_facts.PlanFacts | None = None
) -> str:
    rows = (facts if facts is not None else plan_facts.of(session, today)).actions
    dated = [a for a in rows if a.start is not None or a.due is not None]
    caption = "<figcaption>Timeline</figcaption>"
    target = session.future_state.target_date
    if not dated:
        if target is None:
            why = "set a target date for the goal, or give the pilots a start and an end."
        elif not session.map:
            why = (
                "the reverse map is empty (its items are dated backward from the target "
                f"date, {iso(target)}), and no pilot has a start or an end."
            )
        else:
            why = (
                "no map item leads to the goal (each is dropped or not connected), and no "
                "pilot has a start or an end."
            )
        return (
            '<figure class="timeline">\n'
            f"{caption}\n"
            f'<p class="note">No dates to draw yet: {esc(why)}</p>\n'
            "</figure>\n"
        )
    days: list[date] = [today]
    for a in dated:
        days += [d for d in (a.start, a.due) if d is not None]
    if target is not None:
        days.append(target)
    lo = _month_start(min(days))
    hi = _add_months(_month_start(max(days)), 1) if max(days).year < 9999 else max(days)
    span = max((hi - lo).days, 1)

    width = 960
    label_w = 400.0  # names on the left, the status word right-aligned at label_w
    x0, x1 = 414.0, 948.0
    top, row_h = 44, 22

    def x_of(day: date) -> float:
        return x0 + (day - lo).days / span * (x1 - x0)

    map_rows = [a for a in rows if a.kind == MAP]
    pilot_rows = [a for a in rows if a.kind != MAP]
    layout: list[tuple[str, Action | None]] = []
    if map_rows:
        layout.append((STEP_TITLES["reverse_map"], None))
        layout += [("", a) for a in map_rows]
    if pilot_rows:
        layout.append((STEP_TITLES["pilots"], None))
        layout += [("", a) for a in pilot_rows]
    bottom = top + row_h * len(layout)
    height = bottom + 40

    out = [
        '<figure class="timeline">',
        caption,
        f'<svg viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-labelledby="timeline-title">',
        '<title id="timeline-title">Timeline of the reverse map and the pilots, '
        f"from {iso(lo)} to {iso(hi)}</title>",
    ]
    # Month grid: month names on one line, the year above the first month and each January.
    ticks = _ticks(lo, hi)
    for index, tick in enumerate(ticks):
        x = x_of(tick)
        out.append(f'<line class="grid" x1="{_f(x)}" y1="{top - 26}" x2="{_f(x)}" y2="{bottom}"/>')
        if x > x1 - 16:
            continue
        out.append(
            f'<text class="small muted" x="{_f(x + 3)}" y="{top - 6}">'
            f"{MONTHS[tick.month - 1]}</text>"
        )
        if index == 0 or tick.month == 1:
            out.append(
                f'<text class="small strong" x="{_f(x + 3)}" y="{top - 22}">{tick.year}</text>'
            )
    # Rows.
    for index, (heading, action) in enumerate(layout):
        y = top + index * row_h
        mid = y + row_h / 2
        if action is None:
            out.append(f'<text class="strong" x="8" y="{_f(mid + 4)}">{esc(heading)}</text>')
            continue
        indent = 12 * (min(action.depth, 6) - 1) if action.kind == MAP else 0
        if action.kind == MAP:
            name = action.title or f"Untitled map item {line(action.id)}"
        else:
            name = action.title or f"Unnamed pilot {line(action.id)}"
        status = _status_word(action, today)
        late = status in ("late", "overdue")
        shown = f"{status} · critical" if action.critical else status
        room = int((label_w - 8 - indent - 6.5 * len(shown) - 12) / 7.0)
        when = ""
        if action.start is not None and action.due is not None:
            when = f"{iso(action.start)} to {iso(action.due)}"
        elif action.due is not None:
            when = f"due {iso(action.due)}" if action.kind == MAP else f"until {iso(action.due)}"
        elif action.start is not None:
            when = f"from {iso(action.start)}"
        flags = [FLAG_LABELS[flag] for flag in FLAGS if flag in action.flags]
        if action.critical:
            flags.append("critical path")
        tip = " · ".join(part for part in (name, action.owner, when, status, *flags) if part)
        out.append("<g>")
        out.append(f"<title>{esc(tip)}</title>")
        out.append(f'<text x="{8 + indent}" y="{_f(mid + 4)}">{esc(truncate(name, room))}</text>')
        status_cls = "small late" if late else "small muted"
        out.append(
            f'<text class="{status_cls}" x="{_f(label_w)}" y="{_f(mid + 4)}" '
            f'text-anchor="end">{esc(shown)}</text>'
        )
        classes = ["bar"]
        if action.kind != MAP:
            classes.append("pilot")
        classes.append(esc(action.status.replace(" ", "-")))
        if action.critical:
            classes.append("critical")
        if late:
            classes.append("late")
        bar_cls = " ".join(classes)
        if action.start is not None and action.due is not None and action.due >= action.start:
            bx, bw = x_of(action.start), x_of(_safe_day(action.due, 1)) - x_of(action.start)
            out.append(
                f'<rect class="{bar_cls}" x="{_f(bx)}" y="{_f(mid - 6)}" '
                f'width="{_f(max(bw, 2.0))}" height="12" rx="2"/>'
            )
        else:  # a single date: a diamond on the day
            day = action.due if action.due is not None else action.start
            if day is None:
                out.append(
                    f'<text class="small muted" x="{_f(x0 + 4)}" y="{_f(mid + 4)}">'
                    "no date yet</text>"
                )
            else:
                cx = x_of(day)
                points = " ".join(
                    f"{_f(px)},{_f(py)}"
                    for px, py in ((cx, mid - 7), (cx + 7, mid), (cx, mid + 7), (cx - 7, mid))
                )
                out.append(f'<polygon class="{bar_cls}" points="{points}"/>')
        out.append("</g>")
    # Today and the goal, labelled below the rows.
    markers = [("today", today)]
    if target is not None:
        markers.append(("goal", target))
    for index, (name, day) in enumerate(markers):
        x = x_of(day)
        out.append(
            f'<line class="{name}" x1="{_f(x)}" y1="{top - 26}" x2="{_f(x)}" y2="{bottom}"/>'
        )
        anchor = "start" if x < x0 + 70 else "end" if x > x1 - 70 else "middle"
        out.append(
            f'<text class="small {name}-label" x="{_f(x)}" y="{bottom + 16 + 16 * index}" '
            f'text-anchor="{anchor}">{name} {iso(day)}</text>'
        )
    out += [
        "</svg>",
        '<p class="note">Bars run from the latest start to the due date (pilots: their '
        "window). Outlined: to do or planned; filled: doing or running; grey: done; thick "
        "outline: critical path; red outline: late.</p>",
        "</figure>",
        "",
    ]
    return "\n".join(out)
