"""Whether a chooser can still make a full set: the matching for one delegate."""

from types import SimpleNamespace

from hypothesis import given
from hypothesis import strategies as st

from workshops.allocation.full_sets import can_give_full_sets
from workshops.services.choices import can_complete_choices


def options(*slots):
    """Per slot, sessions of the workshops named (only `workshop_id` is read)."""
    return [[SimpleNamespace(workshop_id=w) for w in slot] for slot in slots]


def test_a_free_session_in_every_round_of_different_workshops_makes_a_set():
    assert can_complete_choices(options_by_slot=options("AB", "BC", "CD", "DA"), required=4)


def test_places_left_only_in_one_workshop_twice_make_no_set():
    assert not can_complete_choices(options_by_slot=options("A", "A", "BC", "CD"), required=4)


def test_an_earlier_round_gives_way_to_a_later_one():
    # Round 1 first takes A; round 2 has only A, so round 1 must move to B.
    assert can_complete_choices(options_by_slot=options("AB", "A"), required=2)


def test_a_round_with_no_places_leaves_the_set_short():
    assert not can_complete_choices(options_by_slot=options("AB", "", "CD", "EF"), required=4)
    assert can_complete_choices(options_by_slot=options("AB", "", "CD", "EF"), required=3)


def test_nothing_required_is_always_possible():
    assert can_complete_choices(options_by_slot=[], required=0)


@given(
    slots=st.lists(
        st.lists(st.integers(min_value=0, max_value=6), max_size=5, unique=True), max_size=6
    ),
    required=st.integers(min_value=0, max_value=6),
)
def test_the_matching_agrees_with_the_network_flow(slots, required):
    free_seats = {(index, w): 1 for index, slot in enumerate(slots) for w in slot}
    assert can_complete_choices(options_by_slot=options(*slots), required=required) == (
        can_give_full_sets(free_seats=free_seats, required=required, delegates=1)
    )
