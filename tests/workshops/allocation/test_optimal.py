from collections import Counter
from itertools import combinations, product

import numpy as np
import pytest

from workshops.allocation import (
    BallotDelegate,
    BallotInstance,
    BallotSession,
    allocate_first_come_first_served,
    allocate_optimal,
    allocate_random_serial_dictatorship,
    compute_rank_cost,
    find_allocation_problems,
    generate_instance,
    summarise_allocation,
)


def make_instance(*, sessions, rankings, k, seed=0, allow_unranked=True):
    """Build an instance from (id, workshop, slot, capacity) tuples and rankings by delegate."""
    return BallotInstance(
        sessions=tuple(BallotSession(*row) for row in sessions),
        delegates=tuple(BallotDelegate(id=d, ranking=tuple(r)) for d, r in rankings.items()),
        k=k,
        seed=seed,
        allow_unranked=allow_unranked,
    )


def assert_rules_hold(*, instance, assignment):
    """Check every rule independently of the module's own checker."""
    sessions = {s.id: s for s in instance.sessions}
    assert set(assignment) == {d.id for d in instance.delegates}
    taken = Counter()
    for delegate in instance.delegates:
        given = assignment[delegate.id]
        assert len(given) in (0, instance.k)
        assert len({sessions[s].slot_id for s in given}) == len(given)
        assert len({sessions[s].workshop_id for s in given}) == len(given)
        if not instance.allow_unranked:
            assert {sessions[s].workshop_id for s in given} <= set(delegate.ranking)
        taken.update(given)
    for session_id, count in taken.items():
        assert count <= sessions[session_id].capacity
    assert find_allocation_problems(instance=instance, assignment=assignment) == []


def find_best_by_brute_force(*, instance):
    """Return the least (incomplete, unranked seats, rank cost) over every possible assignment."""
    sessions = instance.sessions
    options = []
    for delegate in instance.delegates:
        rank_of = {w: r for r, w in enumerate(delegate.ranking, start=1)}
        penalty = len(delegate.ranking) + 1
        mine = [((), 1, 0, 0)]  # (session indices, incomplete, unranked seats, rank cost)
        for chosen in combinations(range(len(sessions)), instance.k):
            slots = {sessions[i].slot_id for i in chosen}
            workshops = {sessions[i].workshop_id for i in chosen}
            if len(slots) < instance.k or len(workshops) < instance.k:
                continue
            if not instance.allow_unranked and not workshops <= set(rank_of):
                continue
            ranks = [rank_of.get(sessions[i].workshop_id, penalty) for i in chosen]
            cost = sum(compute_rank_cost(rank=r) for r in ranks)
            mine.append((chosen, 0, ranks.count(penalty), cost))
        options.append(mine)
    best = None
    for combination in product(*options):
        taken = Counter(i for chosen, *_ in combination for i in chosen)
        if any(taken[i] > sessions[i].capacity for i in taken):
            continue
        key = tuple(sum(option[j] for option in combination) for j in (1, 2, 3))
        best = key if best is None else min(best, key)
    return best


def test_compute_rank_cost_doubles_then_grows_linearly():
    costs = [compute_rank_cost(rank=r) for r in range(1, 16)]

    assert costs == [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 6144, 8192]
    steps = np.diff(costs)
    assert (np.diff(steps) >= 0).all()


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5, 6])
def test_allocate_optimal_small_instances_match_brute_force(seed):
    instance = generate_instance(
        delegates=4, workshops=4, slots=2, runs_per_workshop=1, ranked=3, k=2, seed=seed, slack=0.0
    )

    result = allocate_optimal(instance=instance)

    stats = result.stats
    assert (stats.incomplete, stats.unranked_seats, stats.rank_cost) == find_best_by_brute_force(
        instance=instance
    )
    assert_rules_hold(instance=instance, assignment=result.assignment)


@pytest.mark.parametrize("seed", [11, 12, 13])
def test_allocate_optimal_scarce_seats_match_brute_force(seed):
    # Each slot seats 3 of 4 delegates, so at least one is left out and the
    # priority stages (completed, unranked seats, cost) decide the answer.
    rng = np.random.default_rng(seed)
    sessions = [(1, "A", 1, 2), (2, "B", 1, 1), (3, "A", 2, 1), (4, "C", 2, 2)]
    rankings = {d: list(rng.permutation(["A", "B", "C"])[:2]) for d in range(1, 5)}
    instance = make_instance(sessions=sessions, rankings=rankings, k=2, seed=seed)

    result = allocate_optimal(instance=instance)

    stats = result.stats
    assert (stats.incomplete, stats.unranked_seats, stats.rank_cost) == find_best_by_brute_force(
        instance=instance
    )
    assert len(result.incomplete) == 1
    assert_rules_hold(instance=instance, assignment=result.assignment)


def test_allocate_optimal_too_few_seats_reports_incomplete_never_half_booked():
    sessions = [(1, "A", 1, 1), (2, "B", 2, 1), (3, "C", 2, 5)]
    rankings = {"ann": ["A", "B"], "bob": ["A", "B"], "cat": ["A", "C"]}
    instance = make_instance(sessions=sessions, rankings=rankings, k=2)

    result = allocate_optimal(instance=instance)

    # Slot 1 has one seat, so exactly one delegate can be completed.
    assert len(result.incomplete) == 2
    completed = [d for d, given in result.assignment.items() if given]
    assert len(completed) == 1
    assert result.assignment[completed[0]] == ([1, 3] if completed[0] == "cat" else [1, 2])
    assert all(result.assignment[d] == [] for d in result.incomplete)
    assert result.stats.session_fill[1] == (1, 1)
    assert_rules_hold(instance=instance, assignment=result.assignment)


def test_allocate_optimal_short_ranking_without_unranked_is_incomplete():
    sessions = [(1, "A", 1, 5), (2, "B", 2, 5)]
    instance = make_instance(
        sessions=sessions, rankings={1: ["A"], 2: ["A", "B"]}, k=2, allow_unranked=False
    )

    result = allocate_optimal(instance=instance)

    assert result.assignment == {1: [], 2: [1, 2]}
    assert result.incomplete == [1]


def test_allocate_optimal_short_ranking_with_unranked_gets_penalty_rank():
    sessions = [(1, "A", 1, 5), (2, "B", 2, 5)]
    instance = make_instance(sessions=sessions, rankings={1: ["A"], 2: ["A", "B"]}, k=2)

    result = allocate_optimal(instance=instance)

    assert result.assignment == {1: [1, 2], 2: [1, 2]}
    assert result.incomplete == []
    assert result.stats.unranked_seats == 1
    assert result.stats.worst_rank == 2
    assert result.stats.rank_counts == {1: 2, 2: 2}


def test_allocate_optimal_unranked_only_when_needed_to_complete():
    # Bob would lose nothing by taking unranked C, but nobody needs him to.
    sessions = [(1, "A", 1, 2), (2, "B", 2, 2), (3, "C", 2, 2)]
    rankings = {"ann": ["A", "B"], "bob": ["A", "B"]}
    instance = make_instance(sessions=sessions, rankings=rankings, k=2)

    result = allocate_optimal(instance=instance)

    assert result.assignment == {"ann": [1, 2], "bob": [1, 2]}
    assert result.stats.unranked_seats == 0


def test_allocate_optimal_seats_equal_demand_completes_everyone():
    # A Latin square: three workshops in each of three slots, two seats each,
    # six delegates who must attend all three slots: no seat to spare.
    sessions = [
        (slot * 3 + offset + 1, workshop, slot, 2)
        for slot in range(3)
        for offset, workshop in enumerate(["A", "B", "C"])
    ]
    rankings = {d: ["ABC", "BCA", "CAB", "ACB", "BAC", "CBA"][d - 1] for d in range(1, 7)}
    instance = make_instance(
        sessions=sessions, rankings={d: list(r) for d, r in rankings.items()}, k=3
    )

    result = allocate_optimal(instance=instance)

    assert result.incomplete == []
    assert result.stats.completed == 6
    assert all(fill == (2, 2) for fill in result.stats.session_fill.values())
    assert result.stats.rank_cost == 6 * (1 + 2 + 4)
    assert_rules_hold(instance=instance, assignment=result.assignment)


@pytest.mark.parametrize("seed", [21, 22, 23])
def test_every_method_keeps_the_rules_on_random_instances(seed):
    instance = generate_instance(
        delegates=60, workshops=6, slots=4, runs_per_workshop=2, ranked=5, k=3, seed=seed
    )

    results = [
        allocate_optimal(instance=instance),
        allocate_first_come_first_served(instance=instance),
        allocate_random_serial_dictatorship(instance=instance, seed=seed),
    ]

    for result in results:
        assert_rules_hold(instance=instance, assignment=result.assignment)
        assert result.stats == summarise_allocation(instance=instance, assignment=result.assignment)
    # The optimiser's priorities are lexicographic, so no baseline beats it on them.
    optimal = results[0].stats
    for baseline in results[1:]:
        assert (optimal.incomplete, optimal.unranked_seats, optimal.rank_cost) <= (
            baseline.stats.incomplete,
            baseline.stats.unranked_seats,
            baseline.stats.rank_cost,
        )


def test_every_method_ranked_only_keeps_the_rules():
    instance = generate_instance(
        delegates=80, workshops=6, slots=3, runs_per_workshop=2, ranked=3, k=3, seed=5
    )
    instance = BallotInstance(
        sessions=instance.sessions, delegates=instance.delegates, k=3, seed=5, allow_unranked=False
    )

    for result in (
        allocate_optimal(instance=instance),
        allocate_first_come_first_served(instance=instance),
        allocate_random_serial_dictatorship(instance=instance, seed=5),
    ):
        assert_rules_hold(instance=instance, assignment=result.assignment)
        assert result.stats.unranked_seats == 0


def test_allocate_first_come_first_served_follows_registration_order():
    sessions = [(1, "A", 1, 1), (2, "B", 1, 3), (3, "C", 2, 3)]
    rankings = {"ann": ["A", "C", "B"], "bob": ["A", "C", "B"], "cat": ["A", "C", "B"]}
    instance = make_instance(sessions=sessions, rankings=rankings, k=2)
    reversed_instance = BallotInstance(
        sessions=instance.sessions, delegates=instance.delegates[::-1], k=2
    )

    result = allocate_first_come_first_served(instance=instance)
    reversed_result = allocate_first_come_first_served(instance=reversed_instance)

    assert result.assignment == {"ann": [1, 3], "bob": [2, 3], "cat": [2, 3]}
    assert reversed_result.assignment == {"cat": [1, 3], "bob": [2, 3], "ann": [2, 3]}


def test_allocate_random_serial_dictatorship_follows_seeded_order():
    sessions = [(1, "A", 1, 1), (2, "B", 1, 3), (3, "C", 2, 3)]
    names = ["ann", "bob", "cat"]
    instance = make_instance(sessions=sessions, rankings={n: ["A", "C"] for n in names}, k=2)
    first = names[np.random.default_rng(9).permutation(3)[0]]

    result = allocate_random_serial_dictatorship(instance=instance, seed=9)

    assert result.assignment == {n: [1, 3] if n == first else [2, 3] for n in names}


def test_allocate_greedy_moves_placed_workshop_to_fit_the_next():
    # A fits slot 1 or 2; B only slot 1. Taking B must move A to slot 2.
    sessions = [(1, "A", 1, 5), (2, "A", 2, 5), (3, "B", 1, 5), (4, "C", 2, 5)]
    instance = make_instance(sessions=sessions, rankings={"ann": ["A", "B", "C"]}, k=2)

    result = allocate_first_come_first_served(instance=instance)

    assert result.assignment == {"ann": [2, 3]}
    assert result.stats.all_top_k == 1.0


def test_summarise_allocation_counts_top_k_ranks_and_fill():
    sessions = [(1, "A", 1, 2), (2, "B", 2, 2), (3, "C", 2, 2), (4, "D", 1, 2)]
    rankings = {"ann": ["A", "B", "C"], "bob": ["A", "B", "C"], "cat": ["B", "A"]}
    instance = make_instance(sessions=sessions, rankings=rankings, k=2)
    assignment = {"ann": [1, 2], "bob": [1, 3], "cat": [4, 3]}

    stats = summarise_allocation(instance=instance, assignment=assignment)

    assert stats.completed == 3
    assert stats.all_top_k == 1 / 3
    assert stats.at_least_k_minus_1 == 2 / 3
    assert stats.rank_counts == {1: 2, 2: 1, 3: 3}
    assert stats.mean_rank == 13 / 6
    assert stats.worst_rank == 3
    assert stats.unranked_seats == 2
    assert stats.rank_cost == 1 + 2 + 1 + 4 + 4 + 4
    assert stats.session_fill == {1: (2, 2), 2: (1, 2), 3: (2, 2), 4: (1, 2)}


def test_allocation_methods_report_on_the_same_instance():
    instance = generate_instance(
        delegates=40, workshops=5, slots=3, runs_per_workshop=2, ranked=5, k=3, seed=8
    )

    results = [
        allocate_optimal(instance=instance),
        allocate_first_come_first_served(instance=instance),
        allocate_random_serial_dictatorship(instance=instance, seed=8),
    ]

    for result in results:
        assert list(result.assignment) == [d.id for d in instance.delegates]
        assert result.stats.delegates == 40
        assert set(result.stats.session_fill) == {s.id for s in instance.sessions}
        assert sum(taken for taken, _ in result.stats.session_fill.values()) == 3 * (
            result.stats.completed
        )


def test_allocate_optimal_twice_gives_identical_assignments():
    instance = generate_instance(
        delegates=200, workshops=8, slots=4, runs_per_workshop=2, ranked=8, k=4, seed=3
    )

    first = allocate_optimal(instance=instance)
    second = allocate_optimal(instance=instance)

    assert first.assignment == second.assignment
    assert first.mip_gap == second.mip_gap
    assert allocate_random_serial_dictatorship(instance=instance, seed=4).assignment == (
        allocate_random_serial_dictatorship(instance=instance, seed=4).assignment
    )


def test_generate_instance_same_seed_gives_same_instance():
    params = dict(delegates=30, workshops=6, slots=3, runs_per_workshop=2, ranked=4, k=3)

    first = generate_instance(**params, seed=4)

    assert first == generate_instance(**params, seed=4)
    assert first != generate_instance(**params, seed=5)
    seats_per_slot = Counter()
    for session in first.sessions:
        seats_per_slot[session.slot_id] += session.capacity
    assert seats_per_slot == {1: 33, 2: 33, 3: 33}


def test_allocate_optimal_duplicate_ranking_is_rejected():
    instance = make_instance(sessions=[(1, "A", 1, 1)], rankings={1: ["A", "A"]}, k=1)

    with pytest.raises(ValueError, match="ranked the same workshop twice"):
        allocate_optimal(instance=instance)
