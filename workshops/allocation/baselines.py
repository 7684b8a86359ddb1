"""First come first served and random serial dictatorship: the baselines for the optimiser."""

import time

import numpy as np

from workshops.allocation.stats import make_allocation_result
from workshops.allocation.types import index_ballot


def allocate_first_come_first_served(*, instance):
    """Return the allocation where delegates choose in registration order. Pure."""
    return _allocate_serially(
        instance=instance, order=range(len(instance.delegates)), method="first come first served"
    )


def allocate_random_serial_dictatorship(*, instance, seed):
    """Return the allocation where delegates choose in an order drawn from `seed`. Pure."""
    order = np.random.default_rng(seed).permutation(len(instance.delegates)).tolist()
    return _allocate_serially(instance=instance, order=order, method="random serial dictatorship")


def _allocate_serially(*, instance, order, method):
    """Give each delegate in `order` their best completable set from the seats left.

    Workshop sets that fit into distinct slots form a transversal matroid, so adding
    workshops greedily in rank order (keeping a slot matching) yields the set that is
    best for the delegate under any rank-monotone preference, with no backtracking.
    """
    started = time.perf_counter()
    ballot = index_ballot(instance=instance)
    k = instance.k
    free = ballot.capacity.tolist()
    runs = [[(t, s) for t, s in enumerate(row) if s >= 0] for row in ballot.session_at.tolist()]
    chosen_sessions = {}
    for d in order:
        ranked = np.argsort(
            np.where(ballot.ranks[d] > 0, ballot.ranks[d], ballot.workshop_count + 1),
            kind="stable",
        ).tolist()
        candidates = ranked if instance.allow_unranked else ranked[: ballot.ranked_count[d]]
        holder = {}  # slot -> (workshop, session)
        for workshop in candidates:
            if len(holder) == k:
                break
            _place_workshop(workshop=workshop, holder=holder, visited=set(), runs=runs, free=free)
        if len(holder) == k:
            sessions = sorted(s for _, s in holder.values())
            for s in sessions:
                free[s] -= 1
            chosen_sessions[d] = sessions
    session_ids = [s.id for s in instance.sessions]
    assignment = {
        delegate.id: [session_ids[s] for s in chosen_sessions.get(d, [])]
        for d, delegate in enumerate(instance.delegates)
    }
    return make_allocation_result(
        instance=instance,
        method=method,
        assignment=assignment,
        solve_seconds=time.perf_counter() - started,
        mip_gap=None,
        status="greedy",
    )


def _place_workshop(*, workshop, holder, visited, runs, free):
    """Fit `workshop` into a slot with a free seat, moving placed ones along an augmenting path.

    Mutates `holder` (slot -> (workshop, session)) and `visited` only; on failure
    `holder` is unchanged.
    """
    for slot, session in runs[workshop]:
        if slot in visited or free[session] == 0:
            continue
        visited.add(slot)
        if slot not in holder or _place_workshop(
            workshop=holder[slot][0], holder=holder, visited=visited, runs=runs, free=free
        ):
            holder[slot] = (workshop, session)
            return True
    return False
