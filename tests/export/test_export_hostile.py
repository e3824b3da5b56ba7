"""Hostile text in every user field never escapes its field, in any export format.

A corpus of hostile strings (Textual markup, HTML, Markdown syntax, CSV formula prefixes,
iCalendar property syntax, control characters, bidi overrides) and random mixes of them is
put into every text field of a session.  Each format is then parsed with a real parser and
compared with the same session holding plain words: the structure must be the same, and the
text must come back literally (after the documented cleaning: control characters dropped,
whitespace folded, bidi overrides shown as visible markers).
"""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import UTC, date, datetime
from html.parser import HTMLParser

import cmarkgfm
import pytest
import vobject
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from icalendar import Calendar
from icalendar.parser import unescape_backslash
from markdown_it import MarkdownIt

from backplan_tui.core import coach
from backplan_tui.core.export import csv as csv_export
from backplan_tui.core.export import html as html_export
from backplan_tui.core.export import ics as ics_export
from backplan_tui.core.export import json as json_export
from backplan_tui.core.export import markdown as md_export
from backplan_tui.core.export import text as text_export
from backplan_tui.core.export.common import line, lines
from backplan_tui.core.model import (
    Adjustment,
    CheckIn,
    Facilitation,
    FutureState,
    MapNode,
    Outcome,
    Pilot,
    Question,
    Session,
)
from backplan_tui.core.textclean import clean_line, clean_text
from helpers import TODAY

CORPUS = [
    "[b]bold[/b]",
    "[@click=app.quit]quit[/]",
    "[/]",
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "<svg onload=alert(1)>",
    "</text></svg><script>x()</script>",
    "javascript:alert(1)",
    "# heading",
    "*em* _em_ **strong** `code` ~~gone~~",
    "[link](http://evil.example) ![img](http://evil.example/x.png) <http://auto.link>",
    "| a | b |",
    "1. not a list",
    "> not a quote",
    "&amp; &lt;b&gt; &#35;",
    "=cmd|' /C calc'!A0",
    "+1",
    "-2",
    "@SUM(A1:A9)",
    "\t=tab first",
    "\r=cr first",
    "x\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:evil",
    "a;b,c\\d",
    "ctrl \x1b[31mred\x07 \x9b2J \x00nul \x7f",
    "rtl \u202eevil\u202c and \u2066isolate",
    "line one\nline two",
    "trailing backslash \\",
    "' OR 1=1 --",
    "Ask ann@example.com",
    "www.example.com https://x.y",
    "first.last+tag@sub.example.co.uk, <ann@example.com> mailto:a@b.co",
]
ALPHABET = list("aZ9 =+-@<>&\"'`*_[]()#|\\/:;,!.~{}") + [
    "\t",
    "\n",
    "\r",
    "\x00",
    "\x07",
    "\x1b",
    "\x7f",
    "\x85",
    "\x9b",
    "\u202e",
    "\u2066",
    "\u2069",
    "\u200f",
    "\u00a0",
    "\u2028",
    "é",
    "日",
    "🙂",
]
hostile = st.one_of(
    st.sampled_from(CORPUS),
    st.lists(st.sampled_from(CORPUS), min_size=2, max_size=3).map(" ".join),
    st.text(alphabet=st.sampled_from(ALPHABET), min_size=1, max_size=40),
)
SETTINGS = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])

BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")
CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def session_with(t: str) -> Session:
    """A small session with ``t`` in every user text field."""
    return Session(
        id="hostile-0001",
        title=t,
        team=t,
        facilitator=t,
        participants=[t, "Lee"],
        created=datetime(2026, 10, 1, 9, 0, tzinfo=UTC),
        updated=datetime(2026, 11, 22, 16, 30, tzinfo=UTC),
        revision=3,
        current_step="pilots",
        future_state=FutureState(
            statement=t,
            target_date=date(2027, 6, 30),
            aligned_objective=t,
            outcomes=[
                Outcome(id="o1", metric=t, unit=t, baseline=10, target=20, due=date(2027, 6, 1))
            ],
        ),
        questions=[Question(id="q1", prompt=t, answer=t, status="answered", owner=t)],
        map=[
            MapNode(id="m1", title=t, owner=t, duration_days=60, votes={t: 2}, notes=t),
            MapNode(  # a milestone: its title and its outcome's metric in the Milestones lists
                id="m2",
                title=t,
                parent="m1",
                owner=t,
                duration_days=20,
                status="doing",
                milestone=True,
                targets={"o1": 15.0},
            ),
            MapNode(id="m3", title=t, pinned_due=date(2027, 2, 1), status="dropped"),
        ],
        pilots=[
            Pilot(
                id="p1",
                name=t,
                hypothesis=t,
                tests=["m1"],
                outcome="o1",
                metric=t,
                owner=t,
                start=date(2026, 12, 1),
                end=date(2027, 1, 15),
                success_rule=t,
                result=t,
                votes={t: 1},
            )
        ],
        checkins=[CheckIn(date=date(2026, 11, 15), values={"o1": 12.5}, note=t)],
        adjustments=[Adjustment(date=date(2026, 11, 16), what=t, why=t)],
        facilitation=Facilitation(parking_lot=[t]),
    )


def plain_twin(t: str) -> str:
    """Plain words with the same line structure as ``t`` (multi-line fields keep breaks)."""
    return "\n".join("plain words" for _ in lines(t)) or "plain words"


def usable(t: str) -> bool:
    return bool(line(t))


# --- HTML ------------------------------------------------------------------------------------


class Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, tuple[str, ...]]] = []
        self.attrs: list[tuple[str, str, str | None]] = []
        self.runs: list[str] = []
        self._run: list[str] = []

    def _flush(self) -> None:
        if self._run:
            self.runs.append("".join(self._run))
            self._run = []

    def handle_starttag(self, tag, attrs):
        self._flush()
        self.tags.append((tag, tuple(name for name, _ in attrs)))
        self.attrs.extend((tag, name, value) for name, value in attrs)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag):
        self._flush()

    def handle_data(self, data):
        self._run.append(data)

    def close(self):
        super().close()
        self._flush()


def parse_html(text: str) -> Collector:
    parser = Collector()
    parser.feed(text)
    parser.close()
    return parser


ALLOWED_TAGS = {
    "html", "head", "meta", "title", "style", "body", "main", "header", "section", "footer",
    "h1", "h2", "h3", "p", "ul", "li", "strong", "em", "br", "table", "thead", "tbody", "tr",
    "th", "td", "figure", "figcaption", "svg", "g", "rect", "line", "polygon", "text", "tspan",
}  # fmt: skip


HEALTH_TAGS = {"section", "h2", "p", "ul", "li", "strong", "em"}


def split_health_html(page: str) -> tuple[str, str]:
    """(the page without its plan-health section, that section).  The coach's findings
    depend on what the text says (a number in the goal, ...), so that section is checked on
    its own: only list markup, one item per finding."""
    start = page.index("<section>\n<h2>Plan health</h2>")
    end = page.index("<section>", start + 1)
    return page[:start] + page[end:], page[start:end]


@SETTINGS
@given(hostile)
def test_html_structure_is_unchanged_and_text_is_literal(t):
    assume(usable(t))
    session = session_with(t)
    page, health = split_health_html(html_export.render(session, TODAY))
    evil = parse_html(page)
    benign = parse_html(
        split_health_html(html_export.render(session_with(plain_twin(t)), TODAY))[0]
    )
    # Same elements with the same attribute names, in the same order: nothing was injected.
    assert evil.tags == benign.tags
    health_tags = [tag for tag, _ in parse_html(health).tags]
    assert set(health_tags) <= HEALTH_TAGS
    assert health_tags.count("li") == len(coach.review(session, TODAY))
    assert all(attrs == () for _, attrs in parse_html(health).tags)
    assert {tag for tag, _ in evil.tags} <= ALLOWED_TAGS
    for tag, name, value in evil.attrs:
        assert not name.startswith("on") and name not in ("src", "href", "srcset", "action")
        if name == "style":  # only markdown-it's table alignment
            assert value in ("text-align:right", "text-align:left"), (tag, value)
    # Each piece of the text is there literally, inside one text node (the Markdown puts an
    # invisible word joiner before an e-mail's "@": see test_markdown_in_cmark_gfm_*).
    runs = [run.replace(WORD_JOINER, "") for run in evil.runs]
    for piece in lines(t) + [line(t)]:
        assert any(piece in run for run in runs), piece
    document = "".join(evil.runs)
    assert not BIDI.search(document) and not CONTROLS.sub("", document) != document


# --- Markdown --------------------------------------------------------------------------------

FORBIDDEN_INLINE = {"link_open", "html_inline", "image", "code_inline", "s_open", "autolink"}


MD = MarkdownIt("commonmark").enable(["table", "strikethrough"])


def md_tokens(source: str):
    return MD.parse(source)


def inline_types(tokens) -> list[str]:
    return [child.type for tok in tokens if tok.type == "inline" for child in tok.children]


def split_health_md(source: str) -> tuple[str, str]:
    start = source.index("\n## Plan health\n")
    end = source.index("\n## ", start + 1)
    return source[:start] + source[end:], source[start:end]


@SETTINGS
@given(hostile)
def test_markdown_structure_is_unchanged_and_text_is_literal(t):
    assume(usable(t))
    session = session_with(t)
    source, health = split_health_md(md_export.render(session, TODAY))
    evil = md_tokens(source)
    benign = md_tokens(split_health_md(md_export.render(session_with(plain_twin(t)), TODAY))[0])
    health_tokens = md_tokens(health)
    assert [k.type for k in health_tokens if k.type.endswith("_open")].count(
        "list_item_open"
    ) == len(coach.review(session, TODAY))
    assert {k.type for k in health_tokens} <= {
        "heading_open", "heading_close", "paragraph_open", "paragraph_close", "inline",
        "bullet_list_open", "bullet_list_close", "list_item_open", "list_item_close",
    }  # fmt: skip
    assert {c.type for k in health_tokens if k.type == "inline" for c in k.children} <= {
        "text", "strong_open", "strong_close", "em_open", "em_close", "softbreak",
    }  # fmt: skip
    assert [(k.type, k.tag, k.level) for k in evil] == [(k.type, k.tag, k.level) for k in benign]
    assert inline_types(evil) == inline_types(benign)
    assert not FORBIDDEN_INLINE & set(inline_types(evil))
    texts = "\n".join(
        child.content
        for tok in evil
        if tok.type == "inline"
        for child in tok.children
        if child.type == "text"
    ).replace(WORD_JOINER, "")
    for piece in lines(t):
        assert piece in texts, piece


# --- Markdown in cmark-gfm (GitHub, GitLab), with its autolink extension ----------------------

WORD_JOINER = "\u2060"  # written before an e-mail's "@"; invisible, never a link
GFM_EXTENSIONS = ["table", "autolink", "strikethrough", "tagfilter", "tasklist"]
LINKY = [
    "Ask ann@example.com",
    "www.example.com",
    "https://x.y",
    "Ask ann@example.com, www.example.com and https://x.y",
    "first.last+tag@sub.example.co.uk",
    "x_y-z@a.b.c.",
    "mailto:a@b.co",
    "<ann@example.com>",
    "ftp://files.example.com/x",
    "(see www.example.com/path?q=1)",
    "user@localhost @mention a@b@c.d",
]


def gfm_html(source: str) -> str:
    """GitHub's renderer: cmark-gfm with the GitHub extensions (autolink among them)."""
    return cmarkgfm.markdown_to_html_with_extensions(source, extensions=GFM_EXTENSIONS)


def check_gfm(t: str) -> None:
    session = session_with(t)
    source, _ = split_health_md(md_export.render(session, TODAY))
    twin, _ = split_health_md(md_export.render(session_with(plain_twin(t)), TODAY))
    evil, benign = parse_html(gfm_html(source)), parse_html(gfm_html(twin))
    assert evil.tags == benign.tags  # no link, image, code, strike, HTML from the text
    assert not {"a", "img", "code", "del", "script"} & {tag for tag, _ in evil.tags}
    runs = [run.replace(WORD_JOINER, "") for run in evil.runs]
    for piece in lines(t):
        assert any(piece in run for run in runs), piece


@pytest.mark.parametrize("t", LINKY)
def test_markdown_in_cmark_gfm_links_no_address(t):
    check_gfm(t)


@pytest.mark.parametrize("t", LINKY)
@pytest.mark.parametrize("preset", ["commonmark", "gfm-like"])
def test_markdown_in_markdown_it_links_no_address(t, preset):
    # The renderers already used: markdown-it strict, and with linkify (Textual's preset).
    source = md_export.render(session_with(t), TODAY)
    tokens = MarkdownIt(preset).parse(source)
    assert not FORBIDDEN_INLINE & set(inline_types(tokens))


def test_the_issue_example_in_cmark_gfm():
    # Hand-written: the goal line as GitHub shows it, with the word joiner before the "@".
    session = session_with("plain")
    session.future_state.statement = "Ask ann@example.com"
    html = gfm_html(md_export.render(session, TODAY))
    assert f"<p><strong>Goal:</strong> Ask ann{WORD_JOINER}@example.com</p>" in html
    assert "mailto:" not in html and "<a " not in html


# A line of these under any line is a one-column table's delimiter row in GFM (the property
# below found ":-" in an answer's second line); "-:" and "---" start with "-", escaped anyway.
TABLE_ROWS = [":-", ":-:", ":---", ":--:", "a\n:-", "x\n:-:\ny", "-:", "first\n---"]


@pytest.mark.parametrize("t", TABLE_ROWS)
def test_a_table_delimiter_row_in_user_text_makes_no_table(t):
    check_gfm(t)
    source = md_export.render(session_with(t), TODAY)
    benign = md_export.render(session_with(plain_twin(t)), TODAY)
    for preset in ("commonmark", "gfm-like"):
        tables = [
            sum(tok.type == "table_open" for tok in MarkdownIt(preset).enable("table").parse(text))
            for text in (source, benign)
        ]
        assert tables[0] == tables[1], preset


@SETTINGS
@given(hostile)
def test_markdown_in_cmark_gfm_structure_is_unchanged(t):
    assume(usable(t))
    check_gfm(t)


# --- CSV ---------------------------------------------------------------------------------------


def expected_cell(text: str) -> str:
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def csv_rows(out: str) -> list[list[str]]:
    assert out.startswith("\ufeff")  # UTF-8 with a byte-order mark
    return list(csv.reader(io.StringIO(out.removeprefix("\ufeff"), newline="")))


@SETTINGS
@given(hostile)
def test_csv_cells_hold_exactly_the_text(t):
    out = csv_export.render(session_with(t), TODAY)
    rows = csv_rows(out)
    assert len(rows) == 1 + 3 + 1  # header, three map nodes, one pilot
    assert all(len(row) == 13 for row in rows)  # 9 + milestone, targets + the owner columns
    assert rows[2][9:11] == ["yes", "o1=15"]  # the milestone m2 (ids only: no user text)
    assert [row[0] for row in rows[1:]] == ["map", "map", "map", "pilot"]
    for row in rows[1:]:
        assert row[3] == expected_cell(line(t))  # title / pilot name
        assert row[1] in ("m1", "m2", "m3", "p1")
    assert [row[2] for row in rows[1:]] == ["", "m1", "", ""]  # parent ids
    assert rows[1][4] == expected_cell(line(t))  # owner
    for row in rows:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")) or cell[:1] == "'"


@SETTINGS
@given(hostile)
def test_csv_hostile_ids_stay_in_their_cell(t):
    assume(usable(t))
    session = session_with("plain")
    session.map[2].id = t  # m3 has no children
    rows = csv_rows(csv_export.render(session, TODAY))
    assert len(rows) == 5
    # The exact id (the codec would have dropped control characters on the way in).
    assert rows[3][1] == expected_cell(clean_line(t))


# --- iCalendar -----------------------------------------------------------------------------------


@SETTINGS
@given(hostile)
def test_ics_summary_and_description_hold_exactly_the_text(t):
    assume(usable(t))
    out = ics_export.render(session_with(t), TODAY)
    cal = Calendar.from_ical(out)
    found = {str(e["UID"]): e for e in cal.walk("VEVENT")}
    # The goal, m1, m2 (computed dates), m3 (pinned, dropped) and the pilot: nothing added.
    assert sorted(found) == [
        "hostile-0001-m1@backplan",
        "hostile-0001-m2@backplan",
        "hostile-0001-m3@backplan",
        "hostile-0001-p1@backplan",
        "hostile-0001@backplan",
    ]
    for uid in ["hostile-0001-m1@backplan", "hostile-0001-p1@backplan"]:
        assert str(found[uid]["SUMMARY"]) == line(t)
        assert f"Owner: {line(t)}" in str(found[uid]["DESCRIPTION"]).split("\n")
    assert str(found["hostile-0001@backplan"]["SUMMARY"]) == f"Goal: {line(t)}"
    # icalendar keeps an X- property raw: decoded as TEXT (RFC 5545 3.3.11).
    assert unescape_backslash(str(cal["X-WR-CALNAME"])) == line(t)
    # A second, independent parser reads the same text.
    vcal = vobject.readOne(out)
    assert vcal.x_wr_calname.value == line(t)
    vfound = {e.uid.value: e for e in vcal.vevent_list}
    assert sorted(vfound) == sorted(found)
    for uid in ["hostile-0001-m1@backplan", "hostile-0001-p1@backplan"]:
        assert vfound[uid].summary.value == line(t)
        assert f"Owner: {line(t)}" in vfound[uid].description.value.split("\n")
    assert not BIDI.search(out) and not CONTROLS.sub("", out.replace("\r\n", "")) != out.replace(
        "\r\n", ""
    )


# --- JSON and text -------------------------------------------------------------------------------


@SETTINGS
@given(hostile)
def test_json_gives_back_the_cleaned_text(t):
    out = json_export.render(session_with(t), TODAY)
    data = json.loads(out)
    assert data["title"] == clean_line(t)
    assert data["map"][0]["notes"] == clean_text(t)
    assert data["facilitation"]["parking_lot"] == [clean_text(t)]
    assert data["map"][0]["votes"] == {clean_line(t): 2}
    assert json_export.load(out) == json_export.load(
        json_export.render(json_export.load(out), TODAY)
    )


@SETTINGS
@given(hostile)
def test_text_export_is_plain_and_clean(t):
    out = text_export.render(session_with(t), TODAY, width=60)
    assert not BIDI.search(out)
    assert CONTROLS.sub("", out) == out
    for row in out.splitlines():
        assert text_export.cell_width(row) <= 60


# --- worked examples (hand-written expectations) ------------------------------------------------


def test_worked_example_in_every_format():
    t = '"><img src=x onerror=alert(1)> =cmd \u202eevil'
    shown = '"><img src=x onerror=alert(1)> =cmd \u27e8U+202E\u27e9evil'
    session = session_with(t)
    page = html_export.render(session, TODAY)
    assert "<img" not in page and "onerror=alert(1)&gt;" in page
    assert (
        "<h1>&quot;&gt;&lt;img src=x onerror=alert(1)&gt; =cmd \u27e8U+202E\u27e9evil</h1>" in page
    )
    rows = csv_rows(csv_export.render(session, TODAY))
    assert rows[1][3] == shown  # starts with a quote character, not a formula trigger
    session.map[0].title = "=cmd|' /C calc'!A0"
    rows = csv_rows(csv_export.render(session, TODAY))
    assert rows[1][3] == "'=cmd|' /C calc'!A0"
    cal = Calendar.from_ical(ics_export.render(session, TODAY))
    assert str(cal.walk("VEVENT")[1]["SUMMARY"]) == "=cmd|' /C calc'!A0"
