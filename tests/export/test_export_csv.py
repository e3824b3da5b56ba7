"""CSV export: one row per action, RFC 4180, UTF-8 with a BOM, formula-injection safe, reads
back the same in Python's csv module and in pandas."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from backplan_tui.core.export import csv as csv_export
from backplan_tui.core.model import FutureState, MapNode, Outcome, Owner, Pilot, Session
from backplan_tui.core.storage.fileio import write_atomic

TODAY = date(2026, 11, 22)
HEAD = ["kind", "id", "parent_id", "title", "owner", "start", "due", "status", "votes"]


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
    """The rows as a spreadsheet user's Python reads the file: bytes decoded as utf-8-sig."""
    data = text.encode("utf-8").decode("utf-8-sig")
    return list(csv.reader(io.StringIO(data, newline="")))


def test_rows_in_map_order_then_pilots_with_iso_dates():
    # Hand-computed: m1 is due on the target date 2027-03-01 and starts 30 days earlier,
    # 2027-01-30; m3 is pinned to 2027-01-10 and lasts 5 days; m2 (done, 10 days) is due on
    # the target date; m4 is dropped, so the schedule leaves it out and its pinned date stays.
    # m3 is a milestone with targets for o2 and o1 (written in outcome order), m2 one with none.
    # The owner columns: each owner has one item running, so 1 at once where it runs; no owner
    # list, so no hours; no owner, or no days to run (m2 done, m4 dropped): empty.
    s = plan()
    s.future_state.outcomes = [Outcome(id="o1", metric="Retention"), Outcome(id="o2")]
    s.map[2].milestone, s.map[2].targets = True, {"o2": 10.5, "o1": 82.0}
    s.map[1].milestone = True
    assert read(csv_export.render(s, TODAY)) == [
        [*HEAD, "milestone", "targets", "owner_at_once", "owner_capacity_hours"],
        ["map", "m1", "", "Top", "Ann", "2027-01-30", "2027-03-01", "todo", "3", "", "", "1", ""],
        ["map", "m3", "m1", 'Below, with "quotes"', "Bo", "2027-01-05", "2027-01-10", "doing"]
        + ["0", "yes", "o1=82; o2=10.5", "1", ""],
        ["map", "m2", "", "Later top", "", "2027-02-19", "2027-03-01", "done", "0", "yes", ""]
        + ["", ""],
        ["map", "m4", "", "Dropped", "", "", "2027-02-01", "dropped", "0", "", "", "", ""],
        ["pilot", "p1", "", "Try it", "Cy", "2026-12-01", "2026-12-20", "running", "3", "", ""]
        + ["1", ""],
        ["pilot", "p2", "", "Undated", "", "", "", "planned", "0", "", "", "", ""],
    ]


def test_owner_columns_count_the_overlap_and_the_listed_hours():
    # Ann owns m1 (runs 2027-01-30..2027-02-28) and, as "ann ", the pilot p1 moved to
    # 2027-02-10..2027-02-20: both run on 02-10..02-20, so each has 2 at once.  Ann is
    # listed with 6 hours a week; Bo is not listed (m3 runs alone: 1, no hours).
    session = plan()
    session.pilots[0].owner = "ann "
    session.pilots[0].start, session.pilots[0].end = date(2027, 2, 10), date(2027, 2, 20)
    session.owners = [Owner(id="w1", name="Ann", capacity_hours=6)]
    rows = {row[1]: row[-2:] for row in read(csv_export.render(session, TODAY))[1:]}
    assert rows == {
        "m1": ["2", "6"],
        "m3": ["1", ""],
        "m2": ["", ""],
        "m4": ["", ""],
        "p1": ["2", "6"],
        "p2": ["", ""],
    }


def test_rfc4180_layout():
    out = csv_export.render(plan(), TODAY)
    header = (
        "kind,id,parent_id,title,owner,start,due,status,votes,milestone,targets,owner_at_once,"
        "owner_capacity_hours"
    )
    assert out.startswith(f"\ufeff{header}\r\n")
    assert out.endswith("\r\n") and "\n" not in out.replace("\r\n", "")
    assert '"Below, with ""quotes"""' in out  # quoted, quotes doubled


def test_without_a_target_date_only_pinned_dates_are_known():
    session = plan()
    session.future_state.target_date = None
    rows = read(csv_export.render(session, TODAY))
    assert rows[1][5:7] == ["", ""]  # m1: nothing to compute from
    assert rows[2][5:7] == ["2027-01-05", "2027-01-10"]  # m3: pinned, 5 days


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
    assert rows[1][3] == cell and rows[1][4] == cell
    assert rows[5][3] == cell


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
    assert rows[1][3] == "two lines and[31m red"


def test_reads_back_to_the_same_rows():
    session = plan()
    assert read(csv_export.render(session, TODAY)) == csv_export.rows(session, TODAY)


# --- UTF-8 with a BOM, read by Python's csv module and by pandas from a real file -----------


def hostile_plan() -> Session:
    """Non-ASCII text, formula triggers, separators and ids that differ only in spacing."""
    session = plan()
    session.map[0].id = "stay  interviews"
    session.map[2].parent = "stay  interviews"
    session.map[1].id = "stay interviews"
    session.map[0].title = 'Entretien d\'\u00e9t\u00e9, \u65e5\u672c; "quoted"'
    session.map[0].owner = '=HYPERLINK("http://x","y")'
    session.map[2].title = "-2 + 3"
    session.pilots[0].name = "@SUM(A1:A9)"
    session.pilots[0].owner = "Zo\u00eb \U0001f642"
    return session


def test_the_file_starts_with_a_utf8_bom():
    out = csv_export.render(plan(), TODAY)
    assert out.encode("utf-8")[:3] == b"\xef\xbb\xbf"
    assert out.count("\ufeff") == 1


def test_ids_are_exact_and_parent_ids_rebuild_the_tree():
    rows = read(csv_export.render(hostile_plan(), TODAY))
    by_title = {row[3]: row for row in rows[1:]}
    assert by_title["'-2 + 3"][1:3] == ["m3", "stay  interviews"]  # two spaces kept
    assert by_title["Later top"][1:3] == ["stay interviews", ""]
    ids = [row[1] for row in rows[1:]]
    assert len(set(ids)) == len(ids)
    # Every parent_id of a map row names a map row: the tree is all there.
    map_ids = {row[1] for row in rows[1:] if row[0] == "map"}
    assert {row[2] for row in rows[1:] if row[0] == "map"} <= map_ids | {""}


def test_every_field_round_trips_through_a_file_read_as_utf8_sig(tmp_path: Path):
    session = hostile_plan()
    path = write_atomic(tmp_path / "plan.csv", csv_export.render(session, TODAY))
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    expected = csv_export.rows(session, TODAY)
    assert rows == expected
    # The guards are there (written out by hand), and the text is intact.
    assert rows[1][3] == 'Entretien d\'\u00e9t\u00e9, \u65e5\u672c; "quoted"'
    assert rows[1][4] == '\'=HYPERLINK("http://x","y")'
    assert rows[5][3] == "'@SUM(A1:A9)"
    assert rows[5][4] == "Zo\u00eb \U0001f642"


def test_pandas_reads_the_same_table(tmp_path: Path):
    # pandas is an independent CSV reader, as a data analyst would use it; it must see the
    # header without the BOM, the same cells, and non-ASCII text intact.  (Imported here: it
    # takes a second, which every test process would pay at collection.)
    import pandas

    session = hostile_plan()
    path = write_atomic(tmp_path / "plan.csv", csv_export.render(session, TODAY))
    frame = pandas.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    expected = csv_export.rows(session, TODAY)
    assert list(frame.columns) == expected[0]
    assert frame.values.tolist() == expected[1:]
    assert frame.loc[0, "title"] == 'Entretien d\'\u00e9t\u00e9, \u65e5\u672c; "quoted"'
    assert frame.loc[0, "id"] == "stay  interviews"
    assert frame.loc[1, "parent_id"] == "stay  interviews"


def test_deterministic():
    assert csv_export.render(plan(), TODAY) == csv_export.render(plan(), TODAY)
