"""The progress report in Markdown and HTML: read back by independent parsers (markdown-it,
cmark-gfm, html.parser); hostile text stays literal; the page is self-contained and prints
on one page; the chart draws the trajectory and one dot per check-in."""

from __future__ import annotations

import re
from datetime import date
from html.parser import HTMLParser

import cmarkgfm
import pytest
from markdown_it import MarkdownIt

from backplan_tui.core.export import report_html, report_md
from backplan_tui.core.model import Adjustment, Session
from unit.test_report import MARK, TODAY, plan

HOSTILE = [
    "<script>alert(1)</script>",
    "# heading *em* **strong** `code` | a | b |",
    "[link](http://evil.example) <http://auto.link> www.example.com",
    "1. not a list",
    '"><img src=x onerror=alert(1)> &amp;',
    "</text></svg><script>x()</script>",
]


def with_text(t: str) -> Session:
    """The hand-built plan with ``t`` in every piece of user text the report shows."""
    session = plan()
    session.title = f"Title {t}"
    session.future_state.statement = f"Goal {t}"
    for outcome in session.future_state.outcomes:
        outcome.metric = f"Metric {t}"
    for node in session.map:
        node.title = f"Node {t}"
    for pilot in session.pilots:
        pilot.name = f"Pilot {t}"
    for question in session.questions:
        question.prompt = f"Question {t}"
    session.adjustments.append(Adjustment(date=date(2027, 2, 6), what=f"What {t}", why=f"Why {t}"))
    return session


MD = MarkdownIt("commonmark").enable(["table", "strikethrough"])


def structure(source: str) -> list[str]:
    tokens = MD.parse(source)
    out = []
    for token in tokens:
        out.append(token.type)
        out += [child.type for child in token.children or []]
    return out


class Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attrs: list[dict[str, str | None]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs.append(dict(attrs))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_data(self, data):
        self.text.append(data)


def parse(page: str) -> Page:
    parser = Page()
    parser.feed(page)
    parser.close()
    return parser


def test_markdown_reads_as_the_hand_computed_report() -> None:
    out = report_md.render(plan(), TODAY, mark=MARK)
    assert out.startswith("# Progress report: Plan\n")
    assert "- **What moved:** since the last report, 2027-02-01" in out
    # o1: 73 on 02-10; expected today 74 (see tests/unit/test_report.py); 0.29 below
    assert (
        "| Retention | 73% (2027-02-10) | 74% | 90% | 2027-07-01 | behind · 0.29% below the " in out
    )
    assert "- Pilot live: due 2027-02-20 → 2027-03-01 (9 days later)" in out
    assert "- Train managers: due 2027-02-20 → 2027-02-15 (5 days earlier)" in out
    assert "- 2027-02-05: Moved the pilot — why: Cohort too small" in out
    assert '- Milestone "Pilot live" due 2027-03-01: Retention 73%, target 76%' in out
    assert "- 2027-03-01: Pilot live — Retention 76%" in out
    assert "- 2027-06-01: Final check — Cost 82 k" in out
    assert "Late June" not in out  # the fourth milestone ahead is left out
    assert "- **Retention:** ▁█ (2 check-ins)" in out  # the text chart


def test_markdown_with_nothing_moved_says_so() -> None:
    session = plan()
    from backplan_tui.core import report, schedule

    mark = report.make_mark(session, TODAY, schedule.compute(session, TODAY), "")
    out = report_md.render(session, TODAY, mark=mark)
    assert "## What moved since the last report, 2027-02-15" in out
    assert "Nothing moved since the last report, 2027-02-15: no date changed" in out


@pytest.mark.parametrize("t", HOSTILE)
def test_markdown_hostile_text_keeps_the_structure(t: str) -> None:
    evil = report_md.render(with_text(t), TODAY, mark=MARK)
    twin = report_md.render(with_text("plain words here"), TODAY, mark=MARK)
    assert structure(evil) == structure(twin)
    for renderer in ("markdown-it", "cmark-gfm"):
        if renderer == "markdown-it":
            shown = MD.render(evil)
        else:
            shown = cmarkgfm.markdown_to_html_with_extensions(
                evil, extensions=["table", "autolink", "strikethrough", "tagfilter"]
            )
        page = parse(shown)
        assert "script" not in page.tags and "img" not in page.tags
        assert "a" not in page.tags, f"{renderer} made a link"
        assert t.split()[0] in "".join(page.text)  # the text is there, literally


@pytest.mark.parametrize("t", HOSTILE)
def test_html_hostile_text_is_escaped_and_the_page_is_the_same(t: str) -> None:
    evil = parse(report_html.render(with_text(t), TODAY, mark=MARK))
    twin = parse(report_html.render(with_text("plain words here"), TODAY, mark=MARK))
    assert evil.tags == twin.tags
    assert "script" not in evil.tags and "img" not in evil.tags and "a" not in evil.tags
    assert f"Title {' '.join(t.split())}" in "".join(evil.text)


def test_html_is_self_contained_and_prints_on_one_page() -> None:
    page = report_html.render(plan(), TODAY, mark=MARK)
    parsed = parse(page)
    assert page.startswith('<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">')
    assert "default-src 'none'" in page
    assert not re.search(r"(src|href)=", page)  # nothing fetched, nothing linked
    assert "@media print" in page and "@page" in page
    assert "break-inside: avoid" in page
    assert {"link", "script", "img", "iframe"}.isdisjoint(parsed.tags)


def test_html_chart_draws_the_trajectory_and_the_check_ins() -> None:
    parsed = parse(report_html.render(plan(), TODAY, mark=MARK))
    assert parsed.tags.count("svg") == 2  # one chart per outcome
    lines = [a for tag, a in zip(parsed.tags, parsed.attrs, strict=True) if tag == "polyline"]
    # o1: baseline, m6, m1, m5 and the target = 5 points; o2: its two ends
    assert [len((a["points"] or "").split()) for a in lines] == [5, 2]
    circles = [a for tag, a in zip(parsed.tags, parsed.attrs, strict=True) if tag == "circle"]
    classes = [a["class"] for a in circles]
    # o1: 3 milestones and 2 check-ins below the line (red); o2: 1 check-in below (good)
    assert classes == ["milestone"] * 3 + ["dot bad"] * 2 + ["dot good"]
    assert "Retention: the trajectory from 70% on 2027-01-01 to 90% on 2027-07-01" in "".join(
        parsed.text
    )


def busy() -> Session:
    """The plan with 20 more slipped map items and 9 more done pilots: more than a page."""
    from backplan_tui.core.model import MapNode, Pilot

    session = plan()
    for n in range(20):
        session.map.append(MapNode(id=f"x{n}", title=f"Extra {n}", pinned_due=date(2027, 4, 1 + n)))
    session.pilots += [Pilot(id=f"y{n}", name=f"Done {n}", status="done") for n in range(9)]
    return session


def test_long_lists_are_cut_to_keep_one_page() -> None:
    mark = MARK.__class__(made=MARK.made, due=dict(MARK.due), done=list(MARK.done))
    session = busy()
    for n in range(20):
        mark.due[f"x{n}"] = date(2027, 3, 1)
    out = report_md.render(session, TODAY, mark=mark)
    moved = out.split("### Dates that moved\n\n")[1].split("\n\n")[0].splitlines()
    # 22 moved (m1, m2 and x0-x19): x19 slipped most (2027-03-01 -> 04-20, 50 days), then
    # x18 ...; 5 shown, 17 more
    assert moved[0] == "- Extra 19: due 2027-03-01 → 2027-04-20 (50 days later)"
    assert len(moved) == report_md.LIST_LIMIT
    assert moved[-1] == "- … and 17 more (`backplan show` lists them all)"
    done = out.split("### Done\n\n")[1].split("\n\n")[0].splitlines()
    # 12 done since (m3, m7, p1 and the 9 new pilots): 5 shown, 7 more
    assert done[-1] == "- … and 7 more (`backplan show` lists them all)"
