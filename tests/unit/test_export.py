"""Exports: Markdown escaping, JSON shape and stability, plain-text wrapping.

Sessions are built by hand; expectations are written out here, not produced by the code.
The Markdown output is parsed with markdown-it-py, both as strict CommonMark and with the
"gfm-like" preset (tables, strikethrough, linkify) that Textual's Markdown widget uses.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest
from markdown_it import MarkdownIt

from backplan_tui.core import export
from backplan_tui.core.export import json as json_export
from backplan_tui.core.export import markdown, text
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

TODAY = date(2026, 11, 22)

HOSTILE = [
    "[/] [Setup] [b]x [@click=app.quit]q[/]",
    "# heading",
    "| a | b |",
    "<script>alert(1)</script>",
    "*bold* _em_ `code` [link](http://x)",
    "see http://example.com and www.example.com and //localhost",
    "mailto:a@b.co <http://auto.link> ![img](x.png) ~~gone~~ __strong__",
    "1. not a list",
    "- not a list either",
    "> not a quote",
    "&amp; &lt;b&gt; &#35;",
    '[ref]: http://x "title"',
    "trailing backslash \\",
    "**",
]

# Inline token types our own template may produce; user text may add none of these.
FORBIDDEN_INLINE = {"link_open", "html_inline", "image", "code_inline", "s_open", "autolink"}
FORBIDDEN_BLOCK = {"html_block", "code_block", "fence", "blockquote_open"}
PRESETS = ["commonmark", "gfm-like"]


def make_session(
    *,
    title: str = "Improve retention",
    metric: str = "Retention",
    answer: str = "New hires",
    node_title: str = "Stay interviews",
    pilot_name: str = "Sales pilot",
) -> Session:
    return Session(
        id="improve-retention-1a2b",
        title=title,
        team="People Ops",
        facilitator="Dana",
        participants=["Dana", "Lee"],
        template="hr-retention",
        created=datetime(2026, 11, 1, 9, 0, tzinfo=UTC),
        updated=datetime(2026, 11, 20, 14, 10, tzinfo=UTC),
        revision=4,
        current_step="reverse_map",
        future_state=FutureState(
            statement="By 2027-12-31, 90% of new hires stay 12 months.",
            target_date=date(2027, 12, 31),
            aligned_objective="Employer of choice",
            outcomes=[
                Outcome(
                    id="o1",
                    metric=metric,
                    unit="%",
                    baseline=78.0,
                    target=90.0,
                    direction="increase",
                    due=date(2027, 12, 31),
                )
            ],
        ),
        questions=[
            Question(id="q1", prompt="Who benefits?", answer=answer, status="answered"),
            Question(id="q2", prompt="How does daily work change?", status="open", owner="Lee"),
        ],
        map=[
            MapNode(
                id="m1",
                title=node_title,
                owner="Lee",
                duration_days=60,
                pinned_due=date(2027, 6, 30),
                votes={"Dana": 1, "Sam": 2},
            ),
            MapNode(id="m2", title="Train managers", parent="m1", duration_days=1),
            MapNode(id="m3", title="Exit survey", status="done"),
        ],
        pilots=[
            Pilot(
                id="p1",
                name=pilot_name,
                hypothesis="Stay interviews cut attrition",
                tests=["m1", "m2"],
                outcome="o1",
                owner="Sam",
                start=date(2027, 1, 15),
                end=date(2027, 3, 15),
                success_rule="Attrition below 8%",
                status="done",
                result="Attrition 6%",
                decision="scale",
            )
        ],
        checkins=[CheckIn(date=date(2027, 2, 1), values={"o1": 80.5}, note="Started")],
        adjustments=[Adjustment(date=date(2027, 2, 1), what="Moved target", why="Freeze")],
        facilitation=Facilitation(parking_lot=["Budget for training?"]),
    )


def tokens(source: str, preset: str):
    return MarkdownIt(preset).parse(source)


def inline_types(toks) -> list[str]:
    return [child.type for tok in toks if tok.type == "inline" for child in tok.children]


def text_contents(toks) -> list[str]:
    return [
        child.content
        for tok in toks
        if tok.type == "inline"
        for child in tok.children
        if child.type == "text"
    ]


# --- dispatch ---------------------------------------------------------------------------------


def test_formats_name_the_six_modules():
    assert export.FORMATS == {
        "md": "markdown",
        "html": "html",
        "json": "json",
        "csv": "csv",
        "ics": "ics",
        "txt": "text",
    }


def test_render_dispatches_to_the_format_module():
    session = make_session()
    assert export.render("md", session, TODAY) == markdown.render(session, TODAY)
    assert export.render("txt", session, TODAY) == text.render(session, TODAY)
    assert export.render("json", session, TODAY) == json_export.render(session, TODAY)
    assert export.render("html", session, TODAY).startswith("<!DOCTYPE html>\n")
    assert export.render("csv", session, TODAY).startswith("\ufeffkind,id,parent_id,title,")
    assert export.render("ics", session, TODAY).startswith("BEGIN:VCALENDAR\r\n")


def test_unknown_format_lists_the_formats():
    with pytest.raises(ValueError) as info:
        export.render("pdf", make_session(), TODAY)
    assert "'pdf'" in str(info.value)
    assert "md, html, json, csv, ics, txt" in str(info.value)


# --- markdown: untrusted text ----------------------------------------------------------------

LOCATIONS = ["title", "metric", "answer", "node_title", "pilot_name"]


@pytest.mark.parametrize("preset", PRESETS)
@pytest.mark.parametrize("where", LOCATIONS)
@pytest.mark.parametrize("hostile", HOSTILE)
def test_markdown_renders_hostile_text_literally(hostile, where, preset):
    benign = tokens(markdown.render(make_session(**{where: "plain words"}), TODAY), preset)
    evil = tokens(markdown.render(make_session(**{where: hostile}), TODAY), preset)

    # Same document structure: no heading, list, table, quote, html or code block was added.
    assert [(t.type, t.tag, t.level) for t in evil] == [(t.type, t.tag, t.level) for t in benign]
    # Same inline structure: no link, html, emphasis, strong or code span from the user text.
    assert inline_types(evil) == inline_types(benign)
    assert not FORBIDDEN_INLINE & set(inline_types(evil))
    assert not FORBIDDEN_BLOCK & {t.type for t in evil}
    # And the text itself is there, character for character (an e-mail's "@" has an
    # invisible word joiner before it, see the markdown module).
    contents = [content.replace("\u2060", "") for content in text_contents(evil)]
    assert any(hostile.strip() in content for content in contents)


@pytest.mark.parametrize("preset", PRESETS)
def test_markdown_table_cell_keeps_pipes_and_folds_newlines(preset):
    session = make_session(metric="a | b\n# c")
    source = markdown.render(session, TODAY)
    # the "#" does not start a line of the file, so it is left as it is
    assert "| a \\| b # c | % | 78 | 90 | increase | 2027-12-31 |" in source
    assert "<br>" not in source
    if preset == "gfm-like":  # tables are a GFM extension
        toks = tokens(source, preset)
        cells = [t for t in toks if t.type == "td_open"]
        # outcomes, check-ins, adjustments: one row each; owners: Lee (m1, q2) and Sam (p1)
        assert len(cells) == 6 + 4 + 3 + 6 * 2
        assert "a | b # c" in text_contents(toks)


@pytest.mark.parametrize("preset", PRESETS)
def test_markdown_multiline_answer_keeps_lines_without_making_blocks(preset):
    session = make_session(answer="First line\n# not a heading\n===\n    not code\n- not a list")
    toks = tokens(markdown.render(session, TODAY), preset)
    assert [t.tag for t in toks if t.type == "heading_open"] == ["h1", "h2", "h3"] + [
        "h2",
        "h2",
        "h3",  # Start now
        "h2",
        "h3",  # the pilot
        "h2",  # Owners
        "h2",  # Plan health
        "h2",
        "h2",
        "h2",
    ]
    assert not FORBIDDEN_BLOCK & {t.type for t in toks}
    texts = text_contents(toks)
    for expected in ["First line", "# not a heading", "===", "not code", "- not a list"]:
        assert expected in texts
    answer_item = next(tok for tok in toks if tok.type == "inline" and "First line" in tok.content)
    assert [c.type for c in answer_item.children].count("hardbreak") == 5


def test_markdown_strips_control_characters():
    session = make_session(title="Red \x1b[31malert\x07", node_title="tab\there\x9b")
    source = markdown.render(session, TODAY)
    assert "\x1b" not in source and "\x07" not in source and "\x9b" not in source
    assert source.startswith("# Red \\[31malert\n")


# --- markdown: content -----------------------------------------------------------------------


def test_markdown_summary_content():
    source = markdown.render(make_session(), TODAY)
    lines = source.splitlines()
    assert lines[0] == "# Improve retention"
    for expected in [
        "- **Team:** People Ops",
        "- **Facilitator:** Dana",
        "- **Participants:** Dana, Lee",
        "- **Step reached:** Reverse map",
        "**Goal:** By 2027-12-31, 90% of new hires stay 12 months.",
        "- **Target date:** 2027-12-31 (in 404 days)",
        "- **Aligned objective:** Employer of choice",
        "| Metric | Unit | Baseline | Target | Direction | Due |",
        "| Retention | % | 78 | 90 | increase | 2027-12-31 |",
        "1 of 2 answered.",
        "- **Who benefits?** (answered)\\",
        "  New hires",
        "- **How does daily work change?** (open; owner: Lee)\\",
        "  *No answer yet.*",
        # Dates from the backward schedule: m1 is pinned to 2027-06-30 and lasts 60 days, so
        # it starts 2027-05-01, when m2 (1 day) is due; m3 (done, no duration) is due on the
        # target date.  The chain m2 -> m1 starts first: the critical path.
        "  - Stay interviews (owner: Lee; 60 days; start 2027-05-01; "
        "due 2027-06-30 (pinned); todo; critical path; 3 votes)",
        "    - Train managers (1 day; start 2027-04-30; due 2027-05-01; todo; critical path)",
        "  - Exit survey (start 2027-12-31; due 2027-12-31; done)",
        "### Start now",
        "Nothing has to start in the next 14 days.",
        "**Critical path:** Train managers → Stay interviews (must start by 2027-04-30)",
        "### Sales pilot",
        "- **Hypothesis:** Stay interviews cut attrition",
        "- **Tests:** Stay interviews; Train managers",
        "- **Outcome:** Retention",
        "- **Owner:** Sam",
        "- **Window:** 2027-01-15 to 2027-03-15",
        "- **Success rule:** Attrition below 8%",
        "- **Status:** done",
        "- **Result:** Attrition 6%",
        "- **Decision:** scale",
        "| 2027-02-01 | on track | Retention: 80.5% | Started |",
        "| 2027-02-01 | Moved target | Freeze |",
        "- Budget for training?",
        "*Exported by backplan on 2026-11-22.*",
    ]:
        assert expected in lines, expected
    # Order of the sections.
    positions = [
        source.index(h)
        for h in [
            "## Future state",
            "### Outcomes",
            "## Tough questions",
            "## Reverse map",
            "## Small pilots",
            "## Check-ins",
            "## Adjustments",
            "## Parking lot",
        ]
    ]
    assert positions == sorted(positions)
    # The map hangs under the goal, which leads the reverse-map section.
    goal_line = "- **Goal:** By 2027-12-31, 90% of new hires stay 12 months. (target 2027-12-31)"
    assert lines[lines.index("## Reverse map") + 2] == goal_line


def test_markdown_nested_map_parses_as_nested_lists():
    toks = tokens(markdown.render(make_session(), TODAY), "commonmark")
    depth_of = {}
    level = 0
    for tok in toks:
        if tok.type == "bullet_list_open":
            level += 1
        elif tok.type == "bullet_list_close":
            level -= 1
        elif tok.type == "inline":
            depth_of[tok.content.split(" (")[0]] = level
    assert depth_of["Stay interviews"] == 2  # under the goal item
    assert depth_of["Train managers"] == 3
    assert depth_of["Exit survey"] == 2


def test_markdown_empty_session_says_so():
    session = Session(id="empty-0000", title="", created=datetime(2026, 1, 1, tzinfo=UTC))
    source = markdown.render(session, TODAY)
    assert source.startswith("# Untitled session\n")
    for expected in [
        "**Goal:** *No goal statement yet.*",
        "- **Target date:** *not set*",
        "No measurable outcomes yet.",
        "No questions yet.",
        "  - *No map items yet.*",
        "No pilots yet.",
        "No check-ins yet.",
        "No adjustments yet.",
        "The parking lot is empty.",
    ]:
        assert expected in source.splitlines(), expected
    assert "|" not in source  # no empty tables


def test_markdown_is_deterministic_and_uses_today():
    session = make_session()
    assert markdown.render(session, TODAY) == markdown.render(session, TODAY)
    later = markdown.render(session, date(2028, 1, 2))
    assert "- **Target date:** 2027-12-31 (2 days ago)" in later.splitlines()
    assert later.endswith("*Exported by backplan on 2028-01-02.*\n")


def test_markdown_deep_map_stays_within_nesting_limits():
    nodes = [MapNode(id="m1", title="level one")]
    nodes += [MapNode(id=f"m{i}", title=f"node {i}", parent=f"m{i - 1}") for i in range(2, 31)]
    session = Session(id="deep-0000", title="Deep", map=nodes)
    toks = tokens(markdown.render(session, TODAY), "gfm-like")
    contents = [t.content for t in toks if t.type == "inline"]
    for i in range(2, 31):  # every node is rendered, none is lost to the nesting cap
        assert sum(f"node {i} (todo)" in c for c in contents) == 1
    assert any(c.startswith("(level 30) node 30") for c in contents)
    assert max(t.level for t in toks) <= 2 * (markdown.MAX_LIST_DEPTH + 1)


def test_unreachable_map_nodes_are_listed_once():
    # The codec refuses these files; a hand-built session must still export every node.
    session = Session(
        id="x-0000",
        title="Cycles",
        map=[
            MapNode(id="a", title="Root item"),
            MapNode(id="b", title="Orphan", parent="missing"),
            MapNode(id="c", title="Cycle one", parent="d"),
            MapNode(id="d", title="Cycle two", parent="c"),
        ],
    )
    source = markdown.render(session, TODAY)
    assert "Not connected to the goal:" in source
    for title in ["Root item", "Orphan", "Cycle one", "Cycle two"]:
        assert source.count(f"- {title} (todo)") == 1
    plain = text.render(session, TODAY)
    for title in ["Root item", "Orphan", "Cycle one", "Cycle two"]:
        assert plain.count(f"- {title} [todo]") == 1


# --- json -------------------------------------------------------------------------------------


def small_session() -> Session:
    return Session(
        id="small-0001",
        title='Small "plan"',
        team="Ops",
        template="blank",
        created=datetime(2026, 11, 1, 9, 0, tzinfo=UTC),
        updated=datetime(2026, 11, 2, 10, 30, 15, tzinfo=UTC),
        revision=2,
        current_step="questions",
        future_state=FutureState(
            statement="Ship it",
            target_date=date(2027, 3, 1),
            outcomes=[Outcome(id="o1", metric="On-time", unit="%", baseline=80, target=95.5)],
        ),
        questions=[Question(id="q1", prompt="Who benefits?", answer="Everyone ✓")],
        map=[MapNode(id="m1", title="Plan", votes={"Dana": 2})],
        checkins=[CheckIn(date=date(2026, 12, 1), values={"o1": 82.0})],
        facilitation=Facilitation(timebox_minutes={"questions": 25}, parking_lot=["Later"]),
    )


def test_json_is_the_full_session_with_iso_dates():
    out = json_export.render(small_session(), TODAY)
    data = json.loads(out)
    # The derived facts come last, under one key (checked in tests/export/test_export_json_schema).
    assert data.pop("computed")["as_of"] == "2026-11-22"
    assert data == {
        "schema_version": 1,
        "id": "small-0001",
        "title": 'Small "plan"',
        "team": "Ops",
        "template": "blank",
        "created": "2026-11-01T09:00:00Z",
        "updated": "2026-11-02T10:30:15Z",
        "revision": 2,
        "current_step": "questions",
        "future_state": {
            "statement": "Ship it",
            "target_date": "2027-03-01",
            "outcomes": [
                {
                    "id": "o1",
                    "metric": "On-time",
                    "unit": "%",
                    "baseline": 80.0,
                    "target": 95.5,
                    "direction": "increase",
                }
            ],
        },
        "questions": [
            {"id": "q1", "prompt": "Who benefits?", "answer": "Everyone ✓", "status": "open"}
        ],
        "map": [{"id": "m1", "title": "Plan", "status": "todo", "votes": {"Dana": 2}}],
        "checkins": [{"date": "2026-12-01", "values": {"o1": 82.0}, "confidence": "on_track"}],
        "facilitation": {
            "timebox_minutes": {"questions": 25},
            "votes_per_person": 3,
            "parking_lot": ["Later"],
        },
    }


def test_json_key_order_layout_and_stability():
    session = small_session()
    out = json_export.render(session, TODAY)
    assert out == json_export.render(session, TODAY)  # byte-identical, no clock
    later = json.loads(json_export.render(session, date(2030, 1, 1)))
    assert later.pop("computed") != json.loads(out).pop("computed")  # as of another day
    assert later == {k: v for k, v in json.loads(out).items() if k != "computed"}
    assert out.endswith("}\n") and not out.endswith("\n\n")
    assert out.startswith('{\n  "schema_version": 1,\n  "id": "small-0001",\n')
    assert '"Everyone ✓"' in out  # readable, not \u-escaped
    assert list(json.loads(out)) == [
        "schema_version",
        "id",
        "title",
        "team",
        "template",
        "created",
        "updated",
        "revision",
        "current_step",
        "future_state",
        "questions",
        "map",
        "checkins",
        "facilitation",
        "computed",
    ]


def test_json_refuses_nan():
    session = small_session()
    session.future_state.outcomes[0].baseline = float("nan")
    with pytest.raises(ValueError):
        json_export.render(session, TODAY)


def test_json_dumps_escapes_terminal_controls_losslessly():
    out = json_export.dumps({"a": "x\x9b2Jy\x7f", "when": date(2026, 1, 2)})
    assert "\x9b" not in out and "\x7f" not in out
    assert "\\u009b" in out
    assert json.loads(out) == {"a": "x\x9b2Jy\x7f", "when": "2026-01-02"}


# --- text -------------------------------------------------------------------------------------


def test_wrap_breaks_at_words_and_inside_long_words():
    assert text.wrap("aaa bbb ccc", 7) == ["aaa bbb", "ccc"]
    assert text.wrap("abcdefghij", 4) == ["abcd", "efgh", "ij"]
    assert text.wrap("one two three", 9, "- ", "  ") == ["- one two", "  three"]
    assert text.wrap("", 10, "x: ") == ["x:"]
    assert text.wrap("日本語のテキスト", 6) == ["日本語", "のテキ", "スト"]


def test_cell_width_counts_wide_and_combining_characters():
    assert text.cell_width("abc") == 3
    assert text.cell_width("日本") == 4
    assert text.cell_width("e\u0301") == 1


@pytest.mark.parametrize("width", [20, 40, 80])
def test_text_lines_fit_the_width(width):
    long_word = "https://example.com/" + "x" * 120
    session = make_session(
        title="A rather long session title that will certainly need wrapping " + long_word,
        answer="Many words " * 30 + long_word,
        node_title="日本語のタイトル" * 10,
        pilot_name="Pilot " + long_word,
    )
    session.map.append(MapNode(id="m9", title="deep " * 20, parent="m2", notes="note " * 40))
    out = text.render(session, TODAY, width=width)
    assert out.endswith("\n")
    for row in out.splitlines():
        assert text.cell_width(row) <= width, row


def test_text_default_width_is_80_and_small_widths_are_raised():
    session = make_session(answer="y" * 300)  # one long word, broken at the width
    rows = text.render(session, TODAY).splitlines()
    assert max(text.cell_width(r) for r in rows) == 80
    narrow = text.render(session, TODAY, width=5).splitlines()
    assert max(text.cell_width(r) for r in narrow) <= text.MIN_WIDTH


def test_text_summary_content_is_plain():
    out = text.render(make_session(title="Plan [b]x[/b] *y*"), TODAY, width=80)
    rows = out.splitlines()
    assert rows[0] == "Plan [b]x[/b] *y*"
    assert rows[1] == "=" * len(rows[0])
    for expected in [
        "Team: People Ops",
        "Goal: By 2027-12-31, 90% of new hires stay 12 months.",
        "Target date: 2027-12-31 (in 404 days)",
        "- Retention: 78% -> 90% (increase), due 2027-12-31",
        "Tough questions (1 of 2 answered)",
        "- Who benefits? [answered]",
        "  New hires",
        "- How does daily work change? [open, owner: Lee]",
        "  (no answer yet)",
        "- Stay interviews [owner: Lee; 60 days; start 2027-05-01; due 2027-06-30",
        "  (pinned); todo; critical path; 3 votes]",
        "  - Train managers [1 day; start 2027-04-30; due 2027-05-01; todo; critical",
        "- Exit survey [start 2027-12-31; due 2027-12-31; done]",
        "Nothing has to start in the next 14 days.",
        "Critical path: Train managers -> Stay interviews (must start by 2027-04-30)",
        "* Sales pilot",
        "  Tests: Stay interviews; Train managers",
        "  Window: 2027-01-15 to 2027-03-15",
        "  Decision: scale",
        "- 2027-02-01 (on track) Retention: 80.5% - Started",
        "- 2027-02-01: Moved target (why: Freeze)",
        "- Budget for training?",
        "Exported by backplan on 2026-11-22.",
    ]:
        assert expected in rows, expected
    assert "**" not in out and "\\" not in out and "|" not in out


def test_text_strips_control_characters():
    session = make_session(title="Red \x1b[31malert\x1b[0m", answer="bell\x07 and \x9b31m")
    out = text.render(session, TODAY)
    assert "\x1b" not in out and "\x07" not in out and "\x9b" not in out
    assert out.startswith("Red [31malert[0m\n")


def test_text_is_deterministic():
    session = make_session()
    assert text.render(session, TODAY, width=50) == text.render(session, TODAY, width=50)


# --- schedule, progress and health in the summaries ------------------------------------------


def late_session() -> Session:
    # Target 2026-12-31, TODAY 2026-11-22: "Late" (40 days) should have started 2026-11-21;
    # "Soon" (35 days) starts 2026-11-26, within 14 days; "Later" (5 days) starts 2026-12-26.
    return Session(
        id="late-0001",
        title="Late plan",
        future_state=FutureState(statement="Done by December", target_date=date(2026, 12, 31)),
        map=[
            MapNode(id="m1", title="Later", duration_days=5),
            MapNode(id="m2", title="Soon", owner="Kim", duration_days=35),
            MapNode(id="m3", title="Late", owner="Ann", duration_days=40),
        ],
    )


def test_markdown_start_now_and_late_flags():
    lines_ = markdown.render(late_session(), TODAY).splitlines()
    start = lines_.index("### Start now")
    assert lines_[start + 2 : start + 8] == [
        "Latest start within the next 14 days, or already past:",
        "",
        "- Late (owner: Ann; should have started 2026-11-21)",
        "- Soon (owner: Kim; start by 2026-11-26)",
        "",
        "**Critical path:** Late (must start by 2026-11-21)",
    ]
    assert (
        "  - Late (owner: Ann; 40 days; start 2026-11-21; due 2026-12-31; todo; "
        "late: should have started; critical path)"
    ) in lines_


def test_text_start_now_and_missing_target_date():
    rows = text.render(late_session(), TODAY).splitlines()
    start = rows.index("Start now (latest start within 14 days):")
    assert rows[start + 1 : start + 4] == [
        "- Late (owner: Ann; should have started 2026-11-21)",
        "- Soon (owner: Kim; start by 2026-11-26)",
        "Critical path: Late (must start by 2026-11-21)",
    ]
    session = late_session()
    session.future_state.target_date = None
    assert "Set a target date to compute the schedule." in text.render(session, TODAY)
    md = markdown.render(session, TODAY).splitlines()
    assert md[md.index("### Start now") + 2] == "*Set a target date to compute the schedule.*"
    assert "  - Late (owner: Ann; 40 days; todo)" in md  # no dates without a schedule


def test_critical_path_must_start_by_the_earliest_start_on_it():
    # Issue 15: A (10 days, pinned 2027-01-10) starts 2026-12-31; B under A (5 days, pinned
    # 2027-05-01) starts 2027-04-26; C (30 days before 2027-06-30) starts 2027-05-31.  The
    # path B -> A must start by A's 2026-12-31, not B's own start.
    session = Session(
        id="pin-0001",
        title="Pinned",
        future_state=FutureState(statement="Goal", target_date=date(2027, 6, 30)),
        map=[
            MapNode(id="a", title="A", duration_days=10, pinned_due=date(2027, 1, 10)),
            MapNode(id="b", title="B", parent="a", duration_days=5, pinned_due=date(2027, 5, 1)),
            MapNode(id="c", title="C", duration_days=30),
        ],
    )
    assert "Critical path: B -> A (must start by 2026-12-31)" in text.render(session, TODAY)
    assert (
        "**Critical path:** B → A (must start by 2026-12-31)"
        in markdown.render(session, TODAY).splitlines()
    )


def test_progress_lines_in_markdown_and_text():
    # Baseline 78 on 2026-11-01 (created), 80.5 on 2027-02-01, target 90 by 2027-12-31:
    # 2.5 / 12 = 20.83% of the way; needs 9.5 / (404 / 7) = +0.16 a week; achieved
    # 2.5 / (92 / 7) = +0.19 a week, more than 110% of what is needed: ahead.
    md = markdown.render(make_session(), TODAY).splitlines()
    assert md[md.index("Progress at the latest check-in:") + 2] == (
        "- Retention: 80.5% (21% of the way to 90%); needs +0.16% per week, "
        "achieving +0.19% per week: ahead"
    )
    plain = " ".join(text.render(make_session(), TODAY, width=200).split())
    assert (
        "Progress at the latest check-in: - Retention: 80.5% (21% of the way to 90%); "
        "needs +0.16% per week, achieving +0.19% per week: ahead"
    ) in plain
    empty = make_session()
    empty.checkins = []
    assert "Progress at the latest check-in:" not in markdown.render(empty, TODAY)


def test_health_findings_are_listed_and_escaped(monkeypatch):
    from backplan_tui.core import coach

    findings = [
        coach.Finding(
            "problem", "reverse_map", "m1", '"[b]x[/b] <i>" has no owner.', "Name *one*."
        ),
        coach.Finding("tip", "track", "", "No check-in yet.", "Add one."),
    ]
    # The exports ask the coach once per export (core/export/facts.py).
    monkeypatch.setattr(
        coach, "review", lambda session, today, schedule=None, limits=None: findings
    )
    md = markdown.render(make_session(), TODAY).splitlines()
    start = md.index("## Plan health")
    assert md[start + 1 : start + 6] == [
        "",
        "1 problem, 0 warnings, 1 tip.",
        "",
        '- **Problem** (Reverse map): "\\[b\\]x\\[/b\\] \\<i>" has no owner. '
        "*Fix:* Name \\*one\\*.",
        "- **Tip** (Tracking): No check-in yet. *Fix:* Add one.",
    ]
    rows = text.render(make_session(), TODAY, width=100).splitlines()
    start = rows.index("Plan health")
    assert rows[start + 2 : start + 5] == [
        "1 problem, 0 warnings, 1 tip.",
        '- Problem (Reverse map): "[b]x[/b] <i>" has no owner. Fix: Name *one*.',
        "- Tip (Tracking): No check-in yet. Fix: Add one.",
    ]


@pytest.mark.parametrize(
    ("raw", "escaped"),
    [
        # plain prose reads as it is
        (
            "Cut 12-month attrition (78% today): 3.5 points.",
            "Cut 12-month attrition (78% today): 3.5 points.",
        ),
        # what could start a block, at the start of a line
        ("- not a list", "\\- not a list"),
        ("+1 more", "\\+1 more"),
        ("# not a heading", "\\# not a heading"),
        ("> not a quote", "\\> not a quote"),
        ("=== x", "\\=== x"),
        ("12. not a list", "12\\. not a list"),
        ("3) not a list", "3\\) not a list"),
        # inline syntax anywhere
        (
            "a *b* _c_ `d` ~e~ [f](g) <h> i|j \\",
            "a \\*b\\* \\_c\\_ \\`d\\` \\~e\\~ \\[f\\](g) \\<h> i\\|j \\\\",
        ),
        ("R&D and &amp; and &#35;", "R&D and \\&amp; and \\&#35;"),
        # nothing for linkify: schemes, //, www., domains, e-mail
        ("see https://x.org or //host", "see https\\:\\//x\\.org or \\//host"),
        (  # the "@" of an e-mail gets an invisible word joiner before it (cmark-gfm)
            "www.example.com, ask dana@hr.example",
            "www\\.example\\.com, ask dana\u2060\\@hr\\.example",
        ),
    ],
)
def test_markdown_escapes_only_what_could_mean_something(raw, escaped):
    assert markdown.esc(raw) == escaped


def test_wrap_cuts_a_long_word_of_wide_characters_by_cells() -> None:
    # 100 wide characters (2 cells each) in 21 cells: 10 a line, the indent counts too
    lines = text.wrap("漢" * 100, 21)
    assert lines == ["漢" * 10] * 10
    indented = text.wrap("go " + "字" * 25, 20, initial="", subsequent="  ")
    assert indented == ["go", "  " + "字" * 9, "  " + "字" * 9, "  " + "字" * 7]


def test_wrap_measures_each_character_of_a_long_word_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Issue 22 item 10: `show` of a 100,000-character field of wide characters took minutes,
    each cut measuring the rest of the word again.  Counted, not timed: a word of n wide
    characters cut into lines of 40 costs about 2n measurements (once whole, once cut), where
    measuring the rest again at each cut cost about n * n / 80."""
    calls = 0
    real = text.char_width

    def counting(char: str) -> int:
        nonlocal calls
        calls += 1
        return real(char)

    monkeypatch.setattr(text, "char_width", counting)
    monkeypatch.setattr("backplan_tui.core.textclean.char_width", counting)
    lines = text.wrap("漢" * 4000, 80)
    assert len(lines) == 100 and all(line == "漢" * 40 for line in lines)
    assert calls <= 3 * 4000


@pytest.mark.parametrize("fmt", list(export.FORMATS))
def test_an_export_computes_the_plan_facts_once(fmt, monkeypatch) -> None:
    """``export.render`` computes the schedule, the findings and the progress once and hands
    them to the format: no part of a format computes them again."""
    from backplan_tui.core import coach, progress, schedule

    calls = dict.fromkeys(("schedule", "review", "progress", "outcome", "flags"), 0)

    def counting(name, real):
        def wrapper(*args, **kwargs):
            calls[name] += 1
            return real(*args, **kwargs)

        return wrapper

    monkeypatch.setattr(schedule, "compute", counting("schedule", schedule.compute))
    monkeypatch.setattr(coach, "review", counting("review", coach.review))
    monkeypatch.setattr(progress, "progress_all", counting("progress", progress.progress_all))
    monkeypatch.setattr(
        progress, "outcome_progress", counting("outcome", progress.outcome_progress)
    )
    monkeypatch.setattr(coach, "all_pilot_flags", counting("flags", coach.all_pilot_flags))
    session = make_session()
    session.checkins.append(CheckIn(date=TODAY, values={"o1": 80.0}))
    expected = export.render(fmt, session, TODAY)
    assert calls["schedule"] == 1
    assert calls["review"] <= 1 and calls["progress"] <= 1 and calls["flags"] <= 1
    assert calls["outcome"] <= len(session.future_state.outcomes)  # each outcome once
    assert export.render(fmt, session, TODAY) == expected  # and says the same
