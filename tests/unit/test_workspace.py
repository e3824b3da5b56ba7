"""core.workspace without Textual: open, edit, undo, save, drafts, the clocks, the library."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from backplan_tui.core import templates
from backplan_tui.core.storage import SessionStore, StoreError
from backplan_tui.core.workspace import DRAFTS_KEY, Workspace

TODAY = date(2026, 11, 23)


def opened(tmp_path: Path, now: list[float]) -> Workspace:
    store = SessionStore(tmp_path)
    store.create(templates.demo_session(TODAY))
    workspace = Workspace(store, today=lambda: TODAY, clock=lambda: now[0])
    workspace.adopt(workspace.prepare("demo"))
    return workspace


def test_edits_are_undo_steps_and_a_save_writes_them(tmp_path: Path) -> None:
    now = [100.0]
    ws = opened(tmp_path, now)
    ws.session.team = "Platform"
    assert ws.record_edit("team")
    assert ws.document is not None and ws.document.dirty
    assert ws.save()
    assert SessionStore(tmp_path).load("demo").team == "Platform"
    assert ws.undo() == "team"
    assert ws.session.team != "Platform"
    assert ws.undo(redo=True) == "team"
    assert ws.session.team == "Platform"


def test_typing_in_one_field_within_two_seconds_is_one_undo_step(tmp_path: Path) -> None:
    now = [100.0]
    ws = opened(tmp_path, now)
    for letter in "abc":
        ws.session.team += letter
        ws.record_edit("type: team")
        now[0] += 1.0
    assert ws.history.undo_depth == 1
    now[0] += 5.0
    ws.session.team += "d"
    ws.record_edit("type: team")
    assert ws.history.undo_depth == 2


def test_a_read_only_session_records_nothing_and_reverts(tmp_path: Path) -> None:
    now = [0.0]
    ws = opened(tmp_path, now)
    ws.close()
    ws.adopt(ws.prepare("demo", read_only=True))
    before = ws.session.team
    ws.session.team = "Sneaked in"
    assert not ws.record_edit("team")
    ws.revert()
    assert ws.session.team == before
    assert ws.save()  # nothing to save: never dirty


def test_two_workspaces_open_one_session_and_saves_merge(tmp_path: Path) -> None:
    """Team mode: no in-use lock; each save merges what the other saved meanwhile."""
    from backplan_tui.core.model import Question

    ana = opened(tmp_path, [0.0])
    ben = Workspace(SessionStore(tmp_path), clock=lambda: 0.0, name="Ben")
    ben.adopt(ben.prepare("demo"))
    ana.session.team = "Ana's team"
    ana.record_edit("team")
    assert ana.save()
    ben.session.questions.append(Question(id="qb", prompt="Budget?"))
    assert ben.record_edit("add question")
    assert ben.session.questions[-1].by == "Ben"  # stamped centrally, on the edit
    assert ben.save()  # merged, not refused
    on_disk = SessionStore(tmp_path).load("demo")
    assert on_disk.team == "Ana's team"
    assert any(q.prompt == "Budget?" and q.by == "Ben" for q in on_disk.questions)
    assert ben.behind and ben.session.team != "Ana's team"  # memory catches up by absorb
    read = ben.read_disk()
    assert read is not None
    report = ben.absorb(read)
    assert report is not None and not ben.behind
    assert ben.session.team == "Ana's team"
    # Ana takes in Ben's question: the report names who added it
    read = ana.read_disk()
    assert read is not None
    report = ana.absorb(read)
    assert report is not None and report.arrived == ["Ben added the question 'Budget?'"]
    assert ana.document is not None and not ana.document.dirty
    ana.close()
    ben.close()


def test_three_apps_adding_under_the_same_new_id_keep_three_questions(tmp_path: Path) -> None:
    """Each app names its new question with the next free id, so all three pick one id.
    Found by the browser room's load check: C took A's question in under a fresh id, kept
    the file's version (A's id) as its base, and C's next save read B's question under that
    id as an edit of A's: one question became a conflict record.  The base is now the file
    as memory names it."""
    from backplan_tui.core.model import Question

    SessionStore(tmp_path).create(templates.demo_session(TODAY))
    apps = []
    for name in ("Ana", "Ben", "Cy"):
        ws = Workspace(SessionStore(tmp_path), today=lambda: TODAY, clock=lambda: 0.0, name=name)
        ws.adopt(ws.prepare("demo"))
        apps.append(ws)
    ana, ben, cy = apps

    def add(ws: Workspace, text: str) -> None:
        ws.session.questions.append(Question(id=ws.session.new_id("q"), prompt=text))
        assert ws.record_edit("add question")

    add(ana, "From Ana")
    add(ben, "From Ben")
    new_ids = {ana.session.questions[-1].id, ben.session.questions[-1].id}
    assert len(new_ids) == 1  # the same id on both sides
    assert ana.save()
    add(cy, "From Cy")
    read = cy.read_disk()
    assert read is not None and cy.absorb(read) is not None
    assert ben.save()
    assert cy.save()
    for ws in apps:
        read = ws.read_disk()
        if read is not None:
            ws.absorb(read)
        assert ws.save()
    on_disk = SessionStore(tmp_path).load("demo")
    prompts = [q.prompt for q in on_disk.questions]
    for text in ("From Ana", "From Ben", "From Cy"):
        assert prompts.count(text) == 1
    assert on_disk.conflicts == []  # three questions, not two in conflict
    assert len({q.id for q in on_disk.questions}) == len(on_disk.questions)
    for ws in apps:
        ws.close()


def test_while_others_are_here_new_ids_carry_this_persons_tag(tmp_path: Path) -> None:
    SessionStore(tmp_path).create(templates.demo_session(TODAY))
    ana = Workspace(SessionStore(tmp_path), today=lambda: TODAY, clock=lambda: 0.0, name="Ana")
    ana.adopt(ana.prepare("demo"))
    assert ana.look_around() == ""
    alone = ana.session.new_id("q")
    assert "-" not in alone  # alone: the short ids of old
    ben = Workspace(SessionStore(tmp_path), today=lambda: TODAY, clock=lambda: 0.0, name="Ben")
    ben.adopt(ben.prepare("demo"))
    assert ana.look_around() == "Ben here"
    assert ana.session.new_id("q") == alone + "-ana"  # q8-ana: Ben's would be q8-ben
    ben.close()
    assert ana.look_around() == ""
    assert ana.session.new_id("q") == alone
    ana.close()


def test_a_save_after_a_look_at_the_disk_but_before_taking_it_in_still_merges(
    tmp_path: Path,
) -> None:
    """The live poll reads another app's save (read_disk); before memory takes it in
    (absorb), this app saves.  Found by the autosave test under load: the look marked the
    file as seen, the save wrote without merging and stopped at the revision check."""
    ana = opened(tmp_path, [0.0])
    other = SessionStore(tmp_path)
    theirs = other.load("demo")
    theirs.team = "Changed elsewhere"
    other.save(theirs)
    assert ana.read_disk() is not None  # looked at, not taken in
    ana.session.future_state.aligned_objective = "My edit"
    assert ana.record_edit("objective")
    assert ana.save()
    assert ana.document is not None and not ana.document.error
    on_disk = SessionStore(tmp_path).load("demo")
    assert on_disk.team == "Changed elsewhere"
    assert on_disk.future_state.aligned_objective == "My edit"
    ana.close()


def test_a_damaged_file_is_read_once_not_at_every_poll(tmp_path: Path) -> None:
    ana = opened(tmp_path, [0.0])
    path = SessionStore(tmp_path).path_for("demo")
    good = path.read_bytes()
    path.write_bytes(b"title = [unclosed\n")  # another program broke it
    assert ana.disk_changed()
    assert ana.read_disk() is None
    assert not ana.disk_changed()  # the same damaged file: no second read
    path.write_bytes(good + b"\n")  # repaired (a new size): read again
    assert ana.disk_changed()
    assert ana.read_disk() is not None
    ana.close()


def test_the_same_field_edited_twice_keeps_both_values(tmp_path: Path) -> None:
    ana = opened(tmp_path, [0.0])
    ben = Workspace(SessionStore(tmp_path), clock=lambda: 0.0, name="Ben")
    ben.adopt(ben.prepare("demo"))
    ana.session.title = "Ana's title"
    ana.record_edit("title")
    assert ana.save()
    ben.session.title = "Ben's title"
    ben.record_edit("title")
    assert ben.save()
    final = SessionStore(tmp_path).load("demo")
    assert final.title == "Ben's title"
    assert [(c.field, c.theirs) for c in final.conflicts] == [("title", "Ana's title")]
    ana.close()
    ben.close()


def test_old_items_keep_an_empty_by_and_undo_does_not_stamp_them(tmp_path: Path) -> None:
    ws = opened(tmp_path, [0.0])
    before = [q.by for q in ws.session.questions]
    ws.session.team = "x"
    ws.record_edit("team")
    assert [q.by for q in ws.session.questions] == before
    ws.undo()
    ws.session.team = "y"
    ws.record_edit("team")
    assert [q.by for q in ws.session.questions] == before
    ws.close()


def test_drafts_at_quit_go_to_the_parking_lot_and_are_told_once(tmp_path: Path) -> None:
    ws = opened(tmp_path, [0.0])
    parked = len(ws.session.facilitation.parking_lot)
    assert ws.keep_drafts(["Draft from the form", ""]) == 1
    done, note = ws.save_for_exit(1)
    assert done and "parking lot" in note
    ws.close()
    ws.adopt(ws.prepare("demo"))
    assert len(ws.session.facilitation.parking_lot) == parked + 1
    assert ws.take_drafts_note() == 1
    assert DRAFTS_KEY not in ws.session.facilitation.extra
    assert ws.take_drafts_note() is None


def test_the_running_clock_follows_the_step(tmp_path: Path) -> None:
    now = [1000.0]
    ws = opened(tmp_path, now)
    assert ws.timer_follows("questions") is None  # no clock runs: none starts
    ws.toggle_timer("future_state")
    now[0] += 60
    message = ws.timer_follows("questions")
    assert message is not None and "timer started" in message
    assert ws.running_step() == "questions"
    assert ws.timer_line() == "Tough questions ▶ 25:00"
    ws.toggle_timer("questions")
    assert ws.running_step() is None


def test_the_library_writes_and_refuses_an_open_session(tmp_path: Path) -> None:
    ws = opened(tmp_path, [0.0])
    library = ws.library
    copy = library.duplicate("demo")
    assert library.rename(copy.id, "Renamed").title == "Renamed"
    trashed = library.delete(copy.id)
    assert library.undelete(trashed) == copy.id
    other = Workspace(SessionStore(tmp_path), clock=lambda: 0.0).library
    with pytest.raises(StoreError):
        other.rename("demo", "Behind their back")  # open in ws: presence says who
