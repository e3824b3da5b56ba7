"""Dot voting: budgets per person and kind, clear refusals, the ranking."""

from __future__ import annotations

import pytest

from backplan_tui.core import codec
from backplan_tui.core.model import MapNode, Pilot, Session
from backplan_tui.core.votes import (
    VoteError,
    ballot,
    check_votes_per_person,
    clear_votes,
    ranking,
    remaining_votes,
    set_ballot,
    used_votes,
    vote,
)


def make_session(n: int = 3) -> Session:
    session = Session(
        id="s",
        title="t",
        participants=["Dana", "Lee", "Sam"],
        map=[MapNode(id=f"m{i}", title=f"Node {i}") for i in range(1, 5)],
        pilots=[Pilot(id="p1", name="A"), Pilot(id="p2", name="B")],
    )
    session.facilitation.votes_per_person = n
    return session


def test_three_participants_vote_and_the_ranking_follows() -> None:
    s = make_session()
    for item in ("m2", "m2", "m3"):
        vote(s, "map", item, "Dana")
    for item in ("m3", "m3", "m1"):
        vote(s, "map", item, "Lee")
    vote(s, "map", "m2", "Sam")
    assert s.node("m2").votes == {"Dana": 2, "Sam": 1}
    assert s.node("m3").votes == {"Dana": 1, "Lee": 2}
    # m2 and m3 tie on 3: file order breaks the tie; m4 (no votes) is listed last.
    assert ranking(s, "map") == [("m2", 3), ("m3", 3), ("m1", 1), ("m4", 0)]
    assert remaining_votes(s, "Dana") == 0
    assert remaining_votes(s, "Sam") == 2


def test_map_and_pilot_budgets_are_separate() -> None:
    s = make_session(n=2)
    vote(s, "map", "m1", "Lee", 2)
    assert remaining_votes(s, "Lee", "map") == 0
    assert remaining_votes(s, "Lee", "pilots") == 2
    vote(s, "pilots", "p2", "Lee")
    assert used_votes(s, "Lee", "pilots") == 1
    assert ranking(s, "pilots") == [("p2", 1), ("p1", 0)]


def test_no_votes_left_is_refused_with_a_clear_message() -> None:
    s = make_session()
    vote(s, "map", "m1", "Dana", 3)
    with pytest.raises(VoteError) as error:
        vote(s, "map", "m2", "Dana")
    assert str(error.value) == "Dana has no map node votes left (all 3 votes used)."
    assert s.node("m2").votes == {}  # nothing changed


def test_asking_for_more_than_is_left_says_how_many_are_left() -> None:
    s = make_session()
    vote(s, "pilots", "p1", "Sam")
    with pytest.raises(VoteError, match=r"^Sam has only 2 pilot votes left\.$"):
        vote(s, "pilots", "p2", "Sam", 3)


def test_unknown_participant_item_and_kind() -> None:
    s = make_session()
    with pytest.raises(VoteError, match=r'^"Kim" is not a participant of this session\.$'):
        vote(s, "map", "m1", "Kim")
    with pytest.raises(VoteError, match=r'^No map node with id "m9"\.$'):
        vote(s, "map", "m9", "Dana")
    with pytest.raises(VoteError, match=r'^Unknown vote kind "questions"'):
        vote(s, "questions", "q1", "Dana")  # type: ignore[arg-type]
    with pytest.raises(VoteError, match=r'^"Kim" is not a participant'):
        remaining_votes(s, "Kim")
    s.participants = []
    with pytest.raises(VoteError, match=r"^No participants yet: add them before voting\.$"):
        vote(s, "map", "m1", "Dana")


def test_going_below_zero_is_refused_and_zero_removes_the_key() -> None:
    s = make_session()
    with pytest.raises(VoteError, match=r"^Lee has no vote on m1 to take back\.$"):
        vote(s, "map", "m1", "Lee", -1)
    assert vote(s, "map", "m1", "Lee") == 1
    assert vote(s, "map", "m1", "Lee", -1) == 0
    assert s.node("m1").votes == {}


def test_names_match_ignoring_case_and_keep_the_participant_spelling() -> None:
    s = make_session()
    vote(s, "map", "m1", "dana")
    assert s.node("m1").votes == {"Dana": 1}
    assert remaining_votes(s, "DANA") == 2


def test_a_removed_participant_keeps_counting_and_can_only_take_back() -> None:
    s = make_session()
    vote(s, "map", "m4", "Sam", 2)
    s.participants.remove("Sam")
    assert ranking(s, "map")[0] == ("m4", 2)
    with pytest.raises(VoteError, match="not a participant"):
        vote(s, "map", "m4", "Sam")
    assert vote(s, "map", "m4", "Sam", -1) == 1


def test_lowering_the_budget_removes_nothing() -> None:
    s = make_session(n=5)
    vote(s, "map", "m1", "Dana", 5)
    s.facilitation.votes_per_person = 2
    assert remaining_votes(s, "Dana") == 0
    assert s.node("m1").votes == {"Dana": 5}
    with pytest.raises(VoteError, match="no map node votes left"):
        vote(s, "map", "m2", "Dana")
    vote(s, "map", "m1", "Dana", -1)
    assert s.node("m1").votes == {"Dana": 4}


def test_set_ballot_replaces_a_persons_votes_all_or_nothing() -> None:
    s = make_session()
    vote(s, "map", "m4", "Lee")
    set_ballot(s, "map", "Lee", {"m1": 2, "m3": 1})
    assert ballot(s, "map", "Lee") == {"m1": 2, "m3": 1}
    assert s.node("m4").votes == {}
    with pytest.raises(VoteError, match=r"^Lee has 3 map node votes, not 4\.$"):
        set_ballot(s, "map", "Lee", {"m1": 2, "m2": 2})
    with pytest.raises(VoteError, match=r'No map node with id "m7"'):
        set_ballot(s, "map", "Lee", {"m7": 1})
    with pytest.raises(VoteError, match="0 or more"):
        set_ballot(s, "map", "Lee", {"m1": -1})
    assert ballot(s, "map", "Lee") == {"m1": 2, "m3": 1}  # unchanged by the refusals


def test_clear_votes_for_one_person_or_everyone() -> None:
    s = make_session()
    vote(s, "map", "m1", "Lee", 2)
    vote(s, "map", "m1", "Dana", 1)
    vote(s, "pilots", "p1", "Dana", 1)
    assert clear_votes(s, "map", "Lee") == 2
    assert s.node("m1").votes == {"Dana": 1}
    assert clear_votes(s, "map") == 1
    assert ranking(s, "map")[0] == ("m1", 0)
    assert s.pilots[0].votes == {"Dana": 1}  # the other kind is untouched


def test_votes_are_saved_in_the_file() -> None:
    s = make_session()
    vote(s, "map", "m2", "Sam", 2)
    vote(s, "pilots", "p2", "Dana")
    again = codec.loads(codec.dumps(s))
    assert ranking(again, "map")[0] == ("m2", 2)
    assert again.pilots[1].votes == {"Dana": 1}


@pytest.mark.parametrize("n", [1, 3, 12])
def test_votes_per_person_in_range(n: int) -> None:
    assert check_votes_per_person(n) == n


@pytest.mark.parametrize("n", [0, 13, -1])
def test_votes_per_person_out_of_range(n: int) -> None:
    with pytest.raises(VoteError, match=rf"^Votes per person must be 1-12, got {n}\.$"):
        check_votes_per_person(n)


def test_a_hand_edited_budget_is_clamped() -> None:
    s = make_session(n=0)
    assert remaining_votes(s, "Dana") == 1
    s.facilitation.votes_per_person = 40
    assert remaining_votes(s, "Dana") == 12
