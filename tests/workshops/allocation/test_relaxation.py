import numpy as np
import pytest
from scipy.sparse import coo_array, vstack

from workshops.allocation import generate_instance
from workshops.allocation import optimal as allocation
from workshops.allocation.types import index_ballot


def build_ranked_model(*, instance):
    """Return (cost, rows, lower, upper) of the "everyone from ranked workshops" model."""
    ballot = index_ballot(instance=instance)
    delegates = ballot.ranks.shape[0]
    pair_delegate, pair_session, pair_rank = allocation._build_pairs(
        ballot=ballot, include_unranked=False
    )
    seat_rows, seat_upper = allocation._build_seat_rows(
        ballot=ballot, pair_delegate=pair_delegate, pair_session=pair_session
    )
    per_delegate = coo_array(
        (np.ones(pair_delegate.size), (pair_delegate, np.arange(pair_delegate.size))),
        shape=(delegates, pair_delegate.size),
    )
    noise = np.random.default_rng(instance.seed).random(pair_delegate.size)
    cost = 2.0 ** (pair_rank - 1) + noise / (2 * delegates * instance.k)
    lower = np.concatenate([np.full(delegates, instance.k), np.zeros(seat_upper.size)])
    upper = np.concatenate([np.full(delegates, instance.k), seat_upper])
    return cost, vstack([per_delegate, seat_rows], format="csr"), lower, upper


@pytest.mark.parametrize("seed", [31, 32, 33, 34])
def test_solve_relaxation_first_matches_branch_and_bound(seed):
    instance = generate_instance(
        delegates=300, workshops=12, slots=6, runs_per_workshop=2, ranked=6, k=3, seed=seed
    )
    cost, rows, lower, upper = build_ranked_model(instance=instance)
    solve = dict(cost=cost, rows=rows, lower=lower, upper=upper, deadline=1e12, mip_rel_gap=0)

    relaxed = allocation._solve_relaxation_first(**solve)
    exact = allocation._solve(**solve)

    assert relaxed.status == exact.status == 0
    assert np.array_equal(np.round(relaxed.x), np.round(exact.x))
    assert relaxed.message == "LP relaxation integral, so optimal"
    assert relaxed.mip_gap == 0.0


def test_solve_relaxation_first_reports_infeasible_relaxation():
    instance = generate_instance(
        delegates=50, workshops=4, slots=2, runs_per_workshop=1, ranked=4, k=2, seed=1, slack=-0.5
    )
    cost, rows, lower, upper = build_ranked_model(instance=instance)

    result = allocation._solve_relaxation_first(
        cost=cost, rows=rows, lower=lower, upper=upper, deadline=1e12, mip_rel_gap=0
    )

    assert result.status == 2
    assert result.x is None
