"""CSV export: one row per action, RFC 4180, formula-injection safe, reads back the same."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime

import pytest

from backplan_tui.core.export import csv as csv_export
from backplan_tui.core.model import FutureState, MapNode, Pilot, Session

TODAY = date(2026, 11, 22)


def plan() -> Session:
    return Session(
        id="plan-0001",
        title="Plan",
        created=datetime(2026, 11, 1, tzinfo=UTC),
        updated=datetime(2026, 11, 2, tzinfo=UTC),
        future_state=FutureState(statement="Goal", target_date=date(2027, 3, 1)),
        map=[
            MapNode(id="m1", title="Top", owner="Ann", duration_days=30, votes={"a": 2, "b": 1}),
            MapNode(id="m2", title="Later top", duration_days=10, status="done"),
            MapNode(
                id="m3",
                title='Below, with "quotes"',
                parent="m1",
                owner="Bo",
                duration_days=5,
                pinned_due=date(2027, 1, 10),
                status="doing",
            ),
            MapNode(id="m4", title="Dropped", status="dropped", pinned_due=date(2027, 2, 1)),
        ],
        pilots=[
            Pilot(
                id="p1",
                name="Try it",
                owner="Cy",
                start=date(2026, 12, 1),
                end=date(2026, 12, 20),
                status="running",
                votes={"a": 3},
            ),
            Pilot(id="p2", name="Undated"),
        ],
    )


def read(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


def test_rows_in_map_order_then_pilots_with_iso_dates():
    # Hand-computed: m1 is due on the target date 2027-03-01 and starts 30 days earlier,
    # 2027-01-30; m3 is pinned to 2027-01-10 and lasts 5 days; m2 (done, 10 days) is due on
    # the target date; m4 is dropped, so the schedule leaves it out and its pinned date stays.
    assert read(csv_export.render(plan(), TODAY)) == [
        ["kind", "id", "title", "owner", "start", "due", "status", "votes"],
        ["map", "m1", "Top", "Ann", "2027-01-30", "2027-03-01", "todo", "3"],
        ["map", "m3", 'Below, with "quotes"', "Bo", "2027-01-05", "2027-01-10", "doing", "0"],
        ["map", "m2", "Later top", "", "2027-02-19", "2027-03-01", "done", "0"],
        ["map", "m4", "Dropped", "", "", "2027-02-01", "dropped", "0"],
        ["pilot", "p1", "Try it", "Cy", "2026-12-01", "2026-12-20", "running", "3"],
        ["pilot", "p2", "Undated", "", "", "", "planned", "0"],
    ]


def test_rfc4180_layout():
    out = csv_export.render(plan(), TODAY)
    assert out.startswith("kind,id,title,owner,start,due,status,votes\r\n")
    assert out.endswith("\r\n") and "\n" not in out.replace("\r\n", "")
    assert '"Below, with ""quotes"""' in out  # quoted, quotes doubled


def test_without_a_target_date_only_pinned_dates_are_known():
    session = plan()
    session.future_state.target_date = None
    rows = read(csv_export.render(session, TODAY))
    assert rows[1][4:6] == ["", ""]  # m1: nothing to compute from
    assert rows[2][4:6] == ["2027-01-05", "2027-01-10"]  # m3: pinned, 5 days


@pytest.mark.parametrize(
    ("text", "cell"),
    [
        ("=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"),
        ("+1", "'+1"),
        ("-2", "'-2"),
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ('=HYPERLINK("http://x","y")', '\'=HYPERLINK("http://x","y")'),
        ("a=b", "a=b"),  # only a leading trigger matters
        ("'quoted", "'quoted"),
        ("2026-01-01 plan", "2026-01-01 plan"),
    ],
)
def test_formula_cells_are_neutralised(text, cell):
    session = plan()
    session.map[0].title = text
    session.map[0].owner = text
    session.pilots[0].name = text
    rows = read(csv_export.render(session, TODAY))
    assert rows[1][2] == cell and rows[1][3] == cell
    assert rows[5][2] == cell


def test_safe_cell_handles_tab_and_carriage_return():
    # Titles never keep a leading tab or CR (they are cleaned), but the guard covers them.
    assert csv_export.safe_cell("\tx") == "'\tx"
    assert csv_export.safe_cell("\rx") == "'\rx"
    assert csv_export.safe_cell("x\t") == "x\t"


def test_hostile_ids_are_cells_too():
    session = plan()
    session.map[1].id = "=1+1"
    rows = read(csv_export.render(session, TODAY))
    assert rows[3][1] == "'=1+1"


def test_newlines_and_controls_never_split_a_row():
    session = plan()
    session.map[0].title = "two\nlines\r\nand\x1b[31m red\x07"
    rows = read(csv_export.render(session, TODAY))
    assert len(rows) == 7
    assert rows[1][2] == "two lines and[31m red"


def test_reads_back_to_the_same_rows():
    session = plan()
    assert read(csv_export.render(session, TODAY)) == csv_export.rows(session, TODAY)


def test_deterministic():
    assert csv_export.render(plan(), TODAY) == csv_export.render(plan(), TODAY)
