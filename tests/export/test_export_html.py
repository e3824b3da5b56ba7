"""HTML export: a self-contained page with a strict CSP, built from the Markdown, plus SVG."""

from __future__ import annotations

import html
import re
from datetime import UTC, date, datetime
from html.parser import HTMLParser

from backplan_tui.core import templates
from backplan_tui.core.export import html as html_export
from backplan_tui.core.model import CheckIn, FutureState, MapNode, Outcome, Pilot, Session
from backplan_tui.core.textclean import cell_width

TODAY = date(2026, 11, 22)

HEAD = (
    "<!DOCTYPE html>\n"
    '<html lang="en">\n'
    "<head>\n"
    '<meta charset="utf-8">\n'
    '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
    "style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'\">\n"
)


class Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, dict[str, str | None]]] = []
        self.data: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))

    def handle_startendtag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.data.append(data)


def elements(page: str) -> Elements:
    parser = Elements()
    parser.feed(page)
    parser.close()
    return parser


def plan() -> Session:
    return Session(
        id="plan-0001",
        title="Plan",
        created=datetime(2026, 11, 1, tzinfo=UTC),
        updated=datetime(2026, 11, 2, tzinfo=UTC),
        future_state=FutureState(
            statement="Goal by 2027",
            target_date=date(2027, 3, 1),
            outcomes=[
                Outcome(id="o1", metric="Retention", unit="%", baseline=78, target=90),
                Outcome(id="o2", metric="Floor", unit="", target=5, direction="stay_above"),
                Outcome(id="o3", metric="No numbers"),
            ],
        ),
        map=[
            MapNode(id="m1", title="Top", duration_days=30),
            MapNode(id="m2", title="Below", parent="m1", duration_days=100, status="doing"),
            MapNode(id="m3", title="Dropped", status="dropped"),
        ],
        pilots=[
            Pilot(id="p1", name="Window", start=date(2026, 12, 1), end=date(2026, 12, 20)),
            Pilot(id="p2", name="One day", end=date(2027, 1, 5)),
        ],
        checkins=[CheckIn(date=date(2026, 11, 15), values={"o1": 80.5, "o2": 6})],
    )


def test_head_charset_first_then_csp():
    page = html_export.render(plan(), TODAY)
    assert page.startswith(HEAD)
    assert page.endswith("</main>\n</body>\n</html>\n")
    assert page.count("<style>") == 1 and "@media print {" in page


def test_self_contained_no_script_no_request():
    page = html_export.render(templates.demo_session(TODAY), TODAY)
    found = elements(page)
    tags = {tag for tag, _ in found.found}
    assert not tags & {"script", "img", "link", "iframe", "object", "embed", "base", "a", "form"}
    for tag, attrs in found.found:
        for name in attrs:
            assert not name.startswith("on"), (tag, name)
            assert name not in ("src", "href", "xlink:href", "srcset", "action"), (tag, name)
    # No URL of any kind and no CSS that could load something.
    assert not re.search(r"https?:|//[a-z]", page, re.I)
    assert "url(" not in page and "@import" not in page and "@font-face" not in page


def test_sections_follow_the_markdown():
    found = elements(html_export.render(plan(), TODAY))
    headings = [tag for tag, _ in found.found if tag in ("h1", "h2")]
    assert headings == ["h1"] + ["h2"] * 9
    data = "".join(found.data)
    for title in [
        "Future state",
        "Tough questions",
        "Reverse map",
        "Small pilots",
        "Owners",
        "Plan health",
        "Check-ins",
        "Adjustments",
        "Parking lot",
        "Outcome progress",
        "Timeline",
    ]:
        assert title in data, title


def test_kpi_bars():
    page = html_export.render(plan(), TODAY)
    # 78 -> 90, latest 80.5: 2.5 / 12 = 20.83% of the 480-unit track = 100 units.
    assert '<rect class="fill' in page and 'width="100" height="14"' in page
    assert "80.5% on 2026-11-15 · 21% of the way (78% → 90%) ·" in page
    # A floor to stay above, and met: a full bar.
    assert "6 on 2026-11-15 · 100% of the way (stay above 5) · target reached" in page
    assert 'class="fill holding" x="8" y="76" width="480"' in page
    # No numbers: a dashed empty track and a sentence saying what is missing.
    assert '<rect class="track empty" x="8" y="128"' in page
    assert "no target value · no data" in page


def test_timeline_bars_from_the_schedule_and_pilots():
    page = html_export.render(plan(), TODAY)
    figure = page[
        page.index('<figure class="timeline">') : page.index(
            "</figure>", page.index('<figure class="timeline">')
        )
    ]
    # m1 runs 2027-01-30 .. 2027-03-01 (30 days before the goal); m2 (100 days) runs
    # 2026-10-22 .. 2027-01-30: both are on the critical path; m2 has started ("doing"), so
    # a past latest start is not late.  m3 is dropped: no date.  p1 is a window; p2 has
    # only an end: a diamond.
    assert figure.count('<rect class="bar') == 3
    assert figure.count("<polygon") == 1
    assert figure.count("no date yet") == 1
    assert "<title>Top · 2027-01-30 to 2027-03-01 · todo · critical path</title>" in figure
    assert "<title>Below · 2026-10-22 to 2027-01-30 · doing · critical path</title>" in figure
    assert ">doing · critical</text>" in figure
    assert "<title>Window · 2026-12-01 to 2026-12-20 · planned</title>" in figure
    assert "<title>One day · until 2027-01-05 · planned</title>" in figure
    # The axis: from the first of the earliest month to the first after the goal's month.
    assert "from 2026-10-01 to 2027-04-01" in figure
    assert "today 2026-11-22" in figure and "goal 2027-03-01" in figure


def test_late_rows_say_so_in_words():
    session = plan()
    session.map[1].status = "todo"  # m2 should have started on 2026-10-21
    page = html_export.render(session, TODAY)
    assert '<text class="small late" x="400" y="' in page
    assert ">late · critical</text>" in page


def test_no_dates_at_all():
    session = Session(id="x", title="Bare", map=[MapNode(id="m1", title="A")])
    page = html_export.render(session, TODAY)
    assert "No dates to draw yet" in page and "<svg" not in page


def test_ticks_are_months_then_quarters_then_years():
    assert html_export._ticks(date(2026, 10, 1), date(2027, 1, 1)) == [
        date(2026, 10, 1),
        date(2026, 11, 1),
        date(2026, 12, 1),
        date(2027, 1, 1),
    ]
    assert html_export._ticks(date(2026, 2, 1), date(2028, 2, 1))[:3] == [
        date(2026, 4, 1),
        date(2026, 7, 1),
        date(2026, 10, 1),
    ]
    assert html_export._ticks(date(2026, 2, 1), date(2036, 2, 1))[:2] == [
        date(2027, 1, 1),
        date(2028, 1, 1),
    ]


def test_truncate_counts_wide_characters():
    assert html_export.truncate("abcdef", 6) == "abcdef"
    assert html_export.truncate("abcdefgh", 6) == "abcde…"  # six cells with the ellipsis
    assert html_export.truncate("日本語のテキスト", 6) == "日本…"


def test_deterministic_and_dated_by_the_caller():
    assert html_export.render(plan(), TODAY) == html_export.render(plan(), TODAY)
    assert "today 2026-12-01" in html_export.render(plan(), date(2026, 12, 1))


def test_a_target_date_without_map_items_does_not_ask_for_a_target_date():
    session = Session(id="x", title="Bare", future_state=FutureState(target_date=date(2027, 3, 1)))
    page = html_export.render(session, TODAY)
    assert "<svg" not in page.split('<figure class="timeline">')[1]
    assert (
        '<p class="note">No dates to draw yet: the reverse map is empty (its items are dated '
        "backward from the target date, 2027-03-01), and no pilot has a start or an end.</p>"
    ) in page
    assert "set a target date" not in page
    session.map = [MapNode(id="m1", title="Gone", status="dropped")]
    page = html_export.render(session, TODAY)
    assert "No dates to draw yet: no map item leads to the goal" in page


SVG_TEXT = re.compile(r'<text class="small" x="500" y="\d+">([^<]*)</text>')


def test_a_long_unit_is_shortened_to_fit_the_kpi_figure_and_keeps_the_verdict():
    unit = "hours of unplanned downtime per production line per week"
    session = plan()
    session.future_state.outcomes = [
        Outcome(
            id="o1", metric="Downtime", unit=unit, baseline=40, target=10, direction="decrease"
        ),
        Outcome(id="o2", metric="Wide", unit="時間" * 20, baseline=1, target=2),
    ]
    session.checkins = [CheckIn(date=date(2026, 11, 15), values={"o1": 10, "o2": 2})]
    page = html_export.render(session, TODAY)
    drawn = [html.unescape(text) for text in SVG_TEXT.findall(page)]
    assert len(drawn) == 2
    for text in drawn:
        # 64 cells of 7 px from x=500 end before 948, inside the 960-wide figure.
        assert cell_width(text) <= 64, text
        assert text.endswith(" · target reached") and "…" in text
    assert drawn[0].startswith("10 hours of unplanned downtime")
    # The whole sentence is still in the tooltip.
    assert f"10 {unit} on 2026-11-15 · 100% of the way (40 {unit} → 10 {unit})" in page


def test_fit_sentence_keeps_short_sentences_and_cuts_before_the_verdict():
    assert html_export.fit_sentence("short · ok", 10) == "short · ok"
    assert html_export.fit_sentence("abcdefghij · ok", 10) == "abcd… · ok"  # 5 + 5 cells
    assert html_export.fit_sentence("abcdefghijklmnop", 10) == "abcdefghi…"
    assert html_export.fit_sentence("abcdefghij · a long verdict", 10) == "abcdefghi…"
