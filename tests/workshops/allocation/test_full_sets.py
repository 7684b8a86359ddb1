"""The full-set count against an exhaustive search over every way to hand out sets."""

from itertools import combinations

from hypothesis import given, settings
from hypothesis import strategies as st

from workshops.allocation.full_sets import can_give_full_sets, count_full_sets


def count_by_exhaustive_search(*, free_seats, required):
    """Try every multiset of valid sets that fits the seats; return the largest size."""
    sessions = [key for key, n in free_seats.items() if n > 0]
    valid_sets = [
        combo
        for combo in combinations(sessions, required)
        if len({slot for slot, _ in combo}) == required == len({w for _, w in combo})
    ]
    left = {key: max(n, 0) for key, n in free_seats.items()}

    def most(start):
        best = 0
        for index in range(start, len(valid_sets)):
            combo = valid_sets[index]
            if all(left[key] for key in combo):
                for key in combo:
                    left[key] -= 1
                best = max(best, 1 + most(index))
                for key in combo:
                    left[key] += 1
        return best

    return most(0)


@st.composite
def programmes(draw):
    slots = draw(st.integers(1, 3))
    workshops = draw(st.integers(1, 4))
    free_seats = {
        (slot, workshop): draw(st.integers(-1, 2))
        for slot in range(slots)
        for workshop in range(workshops)
        if draw(st.booleans())
    }
    return free_seats, draw(st.integers(1, slots))


@settings(max_examples=400, deadline=None)
@given(programmes())
def test_count_full_sets_matches_exhaustive_search(programme):
    free_seats, required = programme
    expected = count_by_exhaustive_search(free_seats=free_seats, required=required)
    assert count_full_sets(free_seats=free_seats, required=required) == expected
    assert can_give_full_sets(free_seats=free_seats, required=required, delegates=expected)
    assert not can_give_full_sets(free_seats=free_seats, required=required, delegates=expected + 1)


def test_count_full_sets_free_seats_only_in_one_workshop_give_none():
    # A seat in every round, but all in one workshop: nobody may hold it twice.
    free_seats = {(slot, "drones"): 5 for slot in range(4)}
    assert count_full_sets(free_seats=free_seats, required=4) == 0


def test_count_full_sets_is_limited_by_workshops_as_well_as_rounds():
    # 10 seats free in each of two rounds, but round one's are all in "a": whoever takes
    # one must take "b" in round two, which has 5. Seats per round alone would say 10.
    free_seats = {(1, "a"): 10, (1, "b"): 0, (2, "a"): 5, (2, "b"): 5}
    assert count_full_sets(free_seats=free_seats, required=2) == 5
    free_seats = {(1, "a"): 5, (1, "b"): 5, (2, "a"): 5, (2, "b"): 5}
    assert count_full_sets(free_seats=free_seats, required=2) == 10


def test_count_full_sets_fewer_required_than_rounds():
    # Four rounds, delegates hold two: one round's seats can go to anyone.
    free_seats = {(1, "a"): 3, (2, "a"): 3, (3, "b"): 1, (4, "c"): 1}
    assert count_full_sets(free_seats=free_seats, required=2) == 2


def test_count_full_sets_socex_shape_fills_every_seat():
    # Eight workshops, each twice, in four rounds of four rooms of 50: 200 full sets.
    plan = [(0, 1, 2, 3), (4, 5, 6, 7), (2, 3, 4, 5), (0, 1, 6, 7)]
    free_seats = {(slot, w): 50 for slot, row in enumerate(plan) for w in row}
    assert count_full_sets(free_seats=free_seats, required=4) == 200
