"""``review_cadence`` and the timeboxes' used/added seconds are typed fields of the session.

Older files kept them as unknown keys: ``review_cadence`` as a word (what Track wrote) or a
number of days (what the coach read), the seconds as two tables under ``[facilitation]``.
Both old forms are read here from TOML written by hand the way older versions wrote it.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from backplan_tui.core import coach, codec, progress
from backplan_tui.core.storage import SessionStore
from backplan_tui.core.timebox import Agenda

HEAD = 'schema_version = 1\nid = "old-1"\ntitle = "Old"\n'


@pytest.mark.parametrize(
    ("written", "read"),
    [
        ('"weekly"', "weekly"),  # what Track wrote
        ('"fortnightly"', "fortnightly"),
        ('"monthly"', "monthly"),
        ("7", "weekly"),  # what the coach read: days
        ("10", "weekly"),
        ("11", "fortnightly"),
        ("14", "fortnightly"),
        ("21", "fortnightly"),
        ("22", "monthly"),
        ("30", "monthly"),
    ],
)
def test_both_old_forms_of_review_cadence_are_read(written, read):
    session = codec.loads(f"{HEAD}review_cadence = {written}\n")
    assert session.review_cadence == read
    assert "review_cadence" not in session.extra
    text = codec.dumps(session)
    if read == "fortnightly":  # the default is not written (absent means it)
        assert "review_cadence" not in text
    else:
        assert f'\nreview_cadence = "{read}"\n' in text
    assert codec.loads(text).review_cadence == read


def test_no_review_cadence_is_fortnightly():
    assert codec.loads(HEAD).review_cadence == "fortnightly"


@pytest.mark.parametrize("written", ['"daily"', "0", "-3", "true", "1.5", '["weekly"]'])
def test_an_odd_review_cadence_is_refused_with_the_field_named(written):
    with pytest.raises(codec.CodecError) as info:
        codec.loads(f"{HEAD}review_cadence = {written}\n", source="old.toml")
    assert info.value.field == "review_cadence"
    assert str(info.value).startswith(
        "old.toml: review_cadence: expected one of 'weekly', 'fortnightly', 'monthly' "
        "(or a number of days), got "
    )


OLD_FACILITATION = (
    HEAD
    + "\n[facilitation]\nvotes_per_person = 3\n"
    + "\n[facilitation.timebox_minutes]\nfuture_state = 20\n"
    + "\n[facilitation.used_seconds]\nfuture_state = 754\nquestions = 60\n"
    + "\n[facilitation.added_seconds]\nfuture_state = 300\n"
)


def test_old_timebox_tables_become_typed_fields_and_are_written_the_same():
    session = codec.loads(OLD_FACILITATION)
    assert session.facilitation.used_seconds == {"future_state": 754, "questions": 60}
    assert session.facilitation.added_seconds == {"future_state": 300}
    assert session.facilitation.extra == {}
    assert codec.dumps(session).endswith(OLD_FACILITATION.split("\n[facilitation]\n", 1)[1])
    agenda = Agenda.from_session(session)
    assert agenda.timebox("future_state").elapsed(0.0) == 754
    assert agenda.timebox("future_state").budget_seconds == 25 * 60  # 20 + 5 minutes


def test_a_bad_seconds_value_is_refused_with_the_field_named():
    text = OLD_FACILITATION.replace("questions = 60", 'questions = "lots"')
    with pytest.raises(codec.CodecError) as info:
        codec.loads(text)
    assert info.value.field == "facilitation.used_seconds.questions"


def test_an_old_file_on_disk_opens_with_the_cadence_the_coach_and_track_share(tmp_path: Path):
    # A file as an older version wrote it: Track had set "weekly" (an unknown key then).
    store = SessionStore(tmp_path / "data")
    text = (
        'schema_version = 1\nid = "old-2"\ntitle = "Old plan"\n'
        "created = 2026-09-01 09:00:00+00:00\n"
        'review_cadence = "weekly"\n'
        '\n[future_state]\nstatement = "Ship 3 things"\ntarget_date = 2027-06-30\n'
        '\n[[map]]\nid = "m1"\ntitle = "First"\nduration_days = 30\nstatus = "doing"\n'
        "\n[[checkins]]\ndate = 2026-11-13\n"
    )
    path = store.path_for("old-2")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    session = store.load("old-2")
    assert session.review_cadence == "weekly"
    assert session.created == datetime(2026, 9, 1, 9, 0, tzinfo=UTC)
    today = date(2026, 11, 23)  # 10 days after the last check-in: a week is over
    due = progress.next_checkin_due(session, today)
    assert (due.due, due.overdue) == (date(2026, 11, 20), True)
    found = [f for f in coach.review(session, today) if f.check == "no_checkin"]
    assert len(found) == 1
