"""storage/backups.py and history.py: the retention tiers (hand-computed), ages, what changed."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

from backplan_tui.core.codec import dumps
from backplan_tui.core.history import describe_changes
from backplan_tui.core.model import MapNode, Question, Session
from backplan_tui.core.storage import backups
from backplan_tui.core.storage.backups import Kept, age_text, keeps_backup, kept

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
MB = 1024 * 1024


def seventy_days() -> dict[int, datetime]:
    """100 revisions over 70 days (revision -> when its backup was saved)."""
    saved: dict[int, datetime] = {}
    for r in range(1, 21):  # one a day at 08:00, 70 .. 51 days ago
        saved[r] = NOW - timedelta(days=70 - (r - 1), hours=4)
    for k in range(10):  # two a day (08:00 and 09:00), 50 .. 41 days ago
        day = NOW - timedelta(days=50 - k)
        saved[21 + 2 * k] = day - timedelta(hours=4)
        saved[22 + 2 * k] = day - timedelta(hours=3)
    for r in range(41, 51):  # every 30 min from 47 h ago (13:00 .. 17:30 UTC two days ago)
        saved[r] = NOW - timedelta(hours=47) + timedelta(minutes=30 * (r - 41))
    for r in range(51, 61):  # every 10 min from 40 h ago (20:00 .. 21:30)
        saved[r] = NOW - timedelta(hours=40) + timedelta(minutes=10 * (r - 51))
    for r in range(61, 101):  # the last hour: every 90 s, the newest 30 s ago
        saved[r] = NOW - timedelta(seconds=(100 - r) * 90 + 30)
    return saved


def test_a_hundred_saves_over_seventy_days_keep_exactly_these():
    saved = seventy_days()
    chosen = kept([Kept(r, when, 1000) for r, when in saved.items()], NOW)
    expected = (
        set(range(12, 21))  # daily: 59 .. 51 days old (70 .. 60 days old are gone)
        | set(range(22, 41, 2))  # daily: the 09:00 one of each of those days
        | {42, 44, 46, 48, 50}  # hourly: the newest of 13:00, 14:00 .. 17:00
        | {56, 60}  # hourly: the newest of 20:00 and of 21:00
        | set(range(61, 101))  # the last hour: every one
    )
    assert chosen == expected
    assert len(chosen) == 66


def test_a_choice_never_changes_as_time_passes():
    saved = seventy_days()
    items = [Kept(r, when, 1000) for r, when in saved.items()]
    kept_then = kept(items, NOW)
    for hours in (1, 5, 30, 24 * 5, 24 * 30):
        later = NOW + timedelta(hours=hours)
        kept_later = kept([i for i in items if i.key in kept_then], later)
        # pruning again later drops only what pruning everything later would drop
        assert kept_later == kept(items, later) & kept_then


def test_the_newest_ten_stay_whatever_their_age():
    items = [Kept(r, NOW - timedelta(days=90 + 15 - r), 1000) for r in range(1, 16)]
    assert kept(items, NOW) == set(range(6, 16))


def test_the_count_bound_drops_the_oldest_of_the_last_hour_first():
    hourly = [Kept(f"h{n}", NOW - timedelta(hours=n, minutes=30), 1000) for n in range(2, 7)]
    recent = [Kept(r, NOW - timedelta(seconds=10 * (300 - r)), 1000) for r in range(50, 300)]
    chosen = kept(hourly + recent, NOW)
    assert backups.MAX_COUNT == 200
    assert len(chosen) == 200
    assert {"h2", "h3", "h4", "h5", "h6"} <= chosen  # an hour ago, two hours ago ... kept
    assert chosen - {"h2", "h3", "h4", "h5", "h6"} == set(range(105, 300))  # the newest 195


def test_the_byte_bound_keeps_twenty_megabytes():
    items = [Kept(r, NOW - timedelta(minutes=30 - r), MB) for r in range(30)]
    assert backups.MAX_BYTES == 20 * MB
    assert kept(items, NOW) == set(range(10, 30))  # the newest 20 of 1 MB
    huge = [Kept("big", NOW, 25 * MB), Kept("old", NOW - timedelta(minutes=5), MB)]
    assert kept(huge, NOW) == {"big"}  # the newest is always kept


def test_ages_in_words():
    assert age_text(NOW - timedelta(seconds=20), NOW) == "just now"
    assert age_text(NOW - timedelta(minutes=12), NOW) == "12 min ago"
    assert age_text(NOW - timedelta(hours=3, minutes=5), NOW) == "3 h ago"
    assert age_text(NOW - timedelta(hours=13), NOW) == "yesterday"  # 23:00 the day before
    assert age_text(NOW - timedelta(days=41), NOW) == "41 days ago"
    assert age_text(NOW + timedelta(minutes=5), NOW) == "in the future"
    # calendar days where the person is: at 22:00 in New York (03:00 UTC the next day),
    # 09:00 that morning is the same day, not "yesterday" as in UTC
    new_york = timezone(timedelta(hours=-5))
    here = datetime(2026, 11, 23, 22, 0, tzinfo=new_york)
    assert age_text(datetime(2026, 11, 23, 14, 0, tzinfo=UTC), here) == "13 h ago"
    assert age_text(datetime(2026, 11, 23, 4, 0, tzinfo=UTC), here) == "yesterday"


def plan() -> Session:
    session = Session(
        id="p",
        title="Retention",
        created=NOW,
        updated=NOW,
        questions=[Question(id="q1", prompt="Who benefits?")],
        map=[MapNode(id="m1", title="Survey")],
    )
    session.future_state.target_date = date(2027, 6, 30)
    return session


def test_a_step_change_alone_keeps_no_backup():
    before = plan()
    after = plan()
    after.current_step = "reverse_map"
    after.revision = 7
    after.updated = before.updated + timedelta(minutes=3)
    assert not keeps_backup(dumps(before).encode(), dumps(after).encode())
    after.map[0].title = "Survey all staff"
    assert keeps_backup(dumps(before).encode(), dumps(after).encode())
    # a line that only looks like bookkeeping, inside a table, is content
    assert keeps_backup(b'id = "p"\n[x]\nrevision = 1\n', b'id = "p"\n[x]\nrevision = 2\n')


def test_what_changed_in_words():
    old, new = plan(), plan()
    new.questions += [Question(id="q2", prompt="Why now?"), Question(id="q3", prompt="Cost?")]
    new.future_state.target_date = date(2027, 9, 30)
    assert describe_changes(old, new) == (
        "Target date slipped 92 days: 2027-06-30 → 2027-09-30; 2 questions added"
    )
    new = plan()
    new.map = []
    new.title = "Retention 2"
    assert describe_changes(old, new) == 'renamed "Retention" → "Retention 2"; 1 map node removed'
    new = plan()
    new.current_step = "pilots"
    assert describe_changes(old, new) == "no change to the plan"
    new.facilitation.parking_lot.append("Budget?")
    assert describe_changes(old, new) == "1 parked item added"
