import time
from itertools import combinations
from types import SimpleNamespace

import numpy as np
import pytest
from scipy.sparse import coo_array, vstack

from workshops.allocation import allocate_optimal, find_allocation_problems, generate_instance
from workshops.allocation import columns as allocation_columns
from workshops.allocation import optimal as allocation
from workshops.allocation.columns import (
    _settle,
    _settle_split_delegates,
    find_cheapest_timetables,
    solve_by_columns,
)
from workshops.allocation.types import BallotDelegate, BallotInstance, index_ballot


def seat_costs(*, instance):
    """Return delegates x sessions: 2^(rank-1) plus a small seeded noise; inf if unranked."""
    ballot = index_ballot(instance=instance)
    rank = ballot.ranks[:, ballot.session_workshop]
    noise = np.random.default_rng(instance.seed).random(rank.shape)
    cost = np.where(rank > 0, 2.0 ** (rank - 1), np.inf) + noise / (4 * rank.size)
    return ballot, cost


def cheapest_by_brute_force(*, ballot, seat_cost, k, prices, delegate):
    """Return the least cost over every k sessions in distinct slots and workshops."""
    best = np.inf
    for chosen in combinations(range(ballot.capacity.size), k):
        chosen = list(chosen)
        if len(set(ballot.session_slot[chosen])) < k:
            continue
        if len(set(ballot.session_workshop[chosen])) < k:
            continue
        best = min(best, (seat_cost[delegate, chosen] + prices[chosen]).sum())
    return best


def solve_whole_model(*, ballot, seat_cost, k):
    """Return the optimum of the ranked-only integer programme, solved whole by milp."""
    delegates = seat_cost.shape[0]
    pair_delegate, pair_session, _ = allocation._build_pairs(ballot=ballot, include_unranked=False)
    seat_rows, seat_upper = allocation._build_seat_rows(
        ballot=ballot, pair_delegate=pair_delegate, pair_session=pair_session
    )
    per_delegate = coo_array(
        (np.ones(pair_delegate.size), (pair_delegate, np.arange(pair_delegate.size))),
        shape=(delegates, pair_delegate.size),
    )
    cost = seat_cost[pair_delegate, pair_session]
    result = allocation._solve(
        cost=cost,
        rows=vstack([per_delegate, seat_rows], format="csr"),
        lower=np.concatenate([np.full(delegates, k), np.zeros(seat_upper.size)]),
        upper=np.concatenate([np.full(delegates, k), seat_upper]),
        deadline=time.perf_counter() + 60,
        mip_rel_gap=0,
    )
    return result.fun


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_find_cheapest_timetables_matches_brute_force(seed):
    instance = generate_instance(
        delegates=30, workshops=6, slots=4, runs_per_workshop=2, ranked=5, k=3, seed=seed
    )
    ballot, cost = seat_costs(instance=instance)
    prices = np.random.default_rng(seed).random(ballot.capacity.size) * 8

    found, sessions = find_cheapest_timetables(
        ballot=ballot, seat_cost=cost, k=instance.k, prices=prices
    )

    for delegate in range(len(instance.delegates)):
        expected = cheapest_by_brute_force(
            ballot=ballot, seat_cost=cost, k=instance.k, prices=prices, delegate=delegate
        )
        assert found[delegate] == pytest.approx(expected, rel=1e-12)
        chosen = sessions[delegate]
        assert (cost[delegate, chosen] + prices[chosen]).sum() == pytest.approx(found[delegate])
        assert len(set(ballot.session_slot[chosen])) == instance.k
        assert len(set(ballot.session_workshop[chosen])) == instance.k


def test_find_cheapest_timetables_none_when_ranked_workshops_cannot_fill_k_slots():
    instance = generate_instance(
        delegates=3, workshops=4, slots=2, runs_per_workshop=1, ranked=4, k=2, seed=1
    )
    # Workshops 1 and 3 both run only in slot 1: no two distinct slots from them.
    stuck = BallotDelegate(id=99, ranking=(1, 3))
    instance = BallotInstance(
        sessions=instance.sessions, delegates=(*instance.delegates, stuck), k=2, seed=1
    )
    ballot, cost = seat_costs(instance=instance)

    assert (
        find_cheapest_timetables(
            ballot=ballot, seat_cost=cost, k=2, prices=np.zeros(ballot.capacity.size)
        )
        is None
    )
    result = solve_by_columns(ballot=ballot, seat_cost=cost, k=2, deadline=time.perf_counter() + 9)
    assert result.sessions is None
    assert result.message == "a delegate has no full timetable of ranked workshops"


@pytest.mark.parametrize("seed", [11, 12, 13, 14, 15])
def test_solve_by_columns_matches_the_whole_integer_programme(seed):
    instance = generate_instance(
        delegates=200,
        workshops=8,
        slots=4,
        runs_per_workshop=2,
        ranked=8,
        k=3,
        seed=seed,
        slack=0.02,
        popularity_exponent=1.2,
    )
    ballot, cost = seat_costs(instance=instance)

    result = solve_by_columns(
        ballot=ballot, seat_cost=cost, k=instance.k, deadline=time.perf_counter() + 60
    )

    expected = solve_whole_model(ballot=ballot, seat_cost=cost, k=instance.k)
    assert result.cost == pytest.approx(expected, rel=1e-9)
    assert result.lower_bound <= result.cost + 1e-9
    assert result.mip_gap == pytest.approx((result.cost - result.lower_bound) / result.cost)
    sessions = result.sessions
    assert (cost[np.arange(len(instance.delegates))[:, None], sessions].sum()) == pytest.approx(
        result.cost
    )
    assert (np.bincount(sessions.ravel(), minlength=ballot.capacity.size) <= ballot.capacity).all()


def test_solve_by_columns_when_seats_run_out_leaves_some_not_placed():
    instance = generate_instance(
        delegates=50, workshops=4, slots=2, runs_per_workshop=1, ranked=4, k=2, seed=1, slack=-0.5
    )
    ballot, cost = seat_costs(instance=instance)

    result = solve_by_columns(ballot=ballot, seat_cost=cost, k=2, deadline=time.perf_counter() + 9)

    # 25 seats a slot for 50 delegates: 25 placed, whole timetables only.
    assert (result.unplaced, result.mip_gap, result.lower_bound) == (25, None, None)
    assert result.message == "seats ran out: 25 not placed (not proven the fewest)"
    placed = result.sessions[result.sessions[:, 0] >= 0]
    assert placed.shape == (25, 2)
    assert (result.sessions[result.sessions[:, 0] < 0] == -1).all()
    assert (np.bincount(placed.ravel(), minlength=ballot.capacity.size) <= ballot.capacity).all()
    assert (ballot.session_slot[placed[:, 0]] != ballot.session_slot[placed[:, 1]]).all()


def test_solve_by_columns_with_nobody_to_place():
    instance = generate_instance(
        delegates=0, workshops=4, slots=2, runs_per_workshop=1, ranked=4, k=2, seed=1
    )
    ballot, cost = seat_costs(instance=instance)

    result = solve_by_columns(ballot=ballot, seat_cost=cost, k=2, deadline=time.perf_counter() + 9)

    assert result.sessions.shape == (0, 2)
    assert result.mip_gap == 0.0


def test_settle_split_delegates_picks_the_cheapest_timetables_that_fit():
    # Delegates 0 and 1 each have two timetables; session 0 has one seat left.
    owners = np.array([0, 0, 1, 1, 2])
    timetables = np.array([[0, 2], [1, 3], [0, 3], [1, 2], [-1, -1]])
    costs = np.array([1.0, 5.0, 2.0, 3.0, 100.0])

    picked = _settle_split_delegates(
        open_delegates=np.array([0, 1]),
        owners=owners,
        timetables=timetables,
        costs=costs,
        room=np.array([1, 2, 2, 2]),
        deadline=time.perf_counter() + 9,
    )

    # Both want session 0; giving it to delegate 0 (1 + 3) beats delegate 1 (5 + 2).
    assert picked.tolist() == [0, 3]


def test_settle_split_delegates_none_when_nothing_fits():
    picked = _settle_split_delegates(
        open_delegates=np.array([0, 1]),
        owners=np.array([0, 1]),
        timetables=np.array([[0], [0]]),
        costs=np.array([1.0, 1.0]),
        room=np.array([1]),
        deadline=time.perf_counter() + 9,
    )

    assert picked is None


def test_allocate_optimal_medium_instance_is_proven_by_column_generation():
    instance = generate_instance(
        delegates=400, workshops=10, slots=5, runs_per_workshop=2, ranked=10, k=4, seed=3
    )

    result = allocate_optimal(instance=instance)

    assert result.status.startswith("everyone from ranked workshops: column generation")
    assert result.status.endswith("; rank cost proven optimal")
    # What is left of the gap is the tie-break noise, within the solver's tolerance.
    assert result.mip_gap < 1e-6
    assert result.incomplete == []


def test_allocate_optimal_when_seats_run_out_still_solves_the_whole_model():
    instance = generate_instance(
        delegates=50, workshops=4, slots=2, runs_per_workshop=1, ranked=4, k=2, seed=1, slack=-0.5
    )

    result = allocate_optimal(instance=instance)

    assert result.status.startswith(
        "everyone from ranked workshops: seats ran out: 25 not placed (not proven the fewest); "
        "whole model: "
    )
    assert "most delegates completed: " in result.status
    assert "kept the column generation allocation" not in result.status
    assert result.stats.completed == sum(s.capacity for s in instance.sessions) // 2
    assert result.mip_gap is not None


def test_allocate_optimal_keeps_the_column_allocation_if_the_whole_model_finds_none(
    monkeypatch,
):
    # Stands in for HiGHS running out of time on a large whole model.
    monkeypatch.setattr(
        allocation, "_solve_whole_model", lambda **_: (None, None, ["whole model: stopped"])
    )
    instance = generate_instance(
        delegates=50, workshops=4, slots=2, runs_per_workshop=1, ranked=4, k=2, seed=1, slack=-0.5
    )

    result = allocate_optimal(instance=instance)

    assert result.status.endswith(
        "whole model: stopped; kept the column generation allocation: the whole model did worse"
    )
    assert (result.stats.completed, len(result.incomplete)) == (25, 25)
    assert result.mip_gap is None
    assert find_allocation_problems(instance=instance, assignment=result.assignment) == []


def test_allocate_optimal_with_no_time_books_nobody_and_says_why():
    instance = generate_instance(
        delegates=100, workshops=8, slots=4, runs_per_workshop=2, ranked=8, k=4, seed=5
    )

    result = allocate_optimal(instance=instance, time_limit=0)

    assert result.status == (
        "everyone from ranked workshops: time limit reached; no time left for the whole model"
    )
    assert result.mip_gap is None
    assert result.stats.completed == 0
    assert len(result.incomplete) == 100


def test_settle_unsettles_near_whole_delegates_when_rounding_overfills():
    # Two delegates each put 0.995 of their weight on session 0, which has one seat:
    # rounding both up would overfill it, so both are settled by the small MILP.
    master = SimpleNamespace(
        delegate_count=2,
        owners=[np.array([0, 1]), np.array([0, 0, 1, 1])],
        timetables=[np.full((2, 1), -1), np.array([[0], [1], [0], [1]])],
        costs=[np.array([99.0, 99.0]), np.array([1.0, 2.0, 1.0, 4.0])],
    )
    values = np.array([0.0, 0.0, 0.995, 0.005, 0.995, 0.005])

    result = _settle(
        master=master,
        values=values,
        capacity=np.array([1, 5]),
        bound=4.0,
        deadline=time.perf_counter() + 9,
    )

    # Delegate 1's second choice costs more (4 > 2), so delegate 0 yields session 0.
    assert result.sessions.tolist() == [[1], [0]]
    assert result.cost == 3.0
    assert result.message == "column generation: 2 split delegates settled by MILP"


def test_find_cheapest_timetables_in_small_blocks_gives_the_same_answer(monkeypatch):
    instance = generate_instance(
        delegates=50, workshops=6, slots=4, runs_per_workshop=2, ranked=5, k=3, seed=4
    )
    ballot, cost = seat_costs(instance=instance)
    prices = np.random.default_rng(4).random(ballot.capacity.size) * 4
    whole = find_cheapest_timetables(ballot=ballot, seat_cost=cost, k=3, prices=prices)

    monkeypatch.setattr(allocation_columns, "PRICING_BLOCK", 7)
    blocks = find_cheapest_timetables(ballot=ballot, seat_cost=cost, k=3, prices=prices)

    assert np.array_equal(whole[0], blocks[0])
    assert np.array_equal(whole[1], blocks[1])
