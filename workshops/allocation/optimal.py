"""The optimiser: column generation first, the whole model through HiGHS when it must.

See `workshops.allocation` for the objective and the rules every method keeps.
"""

import time
from dataclasses import dataclass

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, linprog, milp
from scipy.sparse import coo_array, vstack

from workshops.allocation.columns import solve_by_columns
from workshops.allocation.stats import (
    make_allocation_result,
    summarise_allocation,
)
from workshops.allocation.types import (
    LAST_DOUBLING_RANK,
    SolverProgress,
    index_ballot,
    no_progress,
)


def _build_pairs(*, ballot, include_unranked):
    """Return (delegate, session, rank) arrays for every seat a delegate may be given."""
    allowed = np.ones_like(ballot.ranks, dtype=bool) if include_unranked else ballot.ranks > 0
    delegate, workshop = np.nonzero(allowed)
    rank = ballot.ranks[delegate, workshop]
    rank = np.where(rank > 0, rank, ballot.ranked_count[delegate] + 1)
    # One pair per (delegate, workshop, slot the workshop runs in), expanded without a loop.
    pair_delegate = np.repeat(delegate, ballot.slot_count)
    pair_session = ballot.session_at[workshop].ravel()
    pair_rank = np.repeat(rank, ballot.slot_count)
    runs = pair_session >= 0
    return pair_delegate[runs], pair_session[runs], pair_rank[runs]


def _build_seat_rows(*, ballot, pair_delegate, pair_session):
    """Return the sparse rows "one per slot", "one per workshop" and "within capacity"."""
    column = np.arange(pair_delegate.size)
    blocks, upper = [], []
    for group, width in (
        (ballot.session_slot[pair_session], ballot.slot_count),
        (ballot.session_workshop[pair_session], ballot.workshop_count),
    ):
        key = pair_delegate * width + group
        _, row, count = np.unique(key, return_inverse=True, return_counts=True)
        # A (delegate, slot) or (delegate, workshop) with a single option needs no row.
        keep = count[row] > 1
        kept_rows, row = np.unique(row[keep], return_inverse=True)
        blocks.append(
            coo_array((np.ones(row.size), (row, column[keep])), shape=(kept_rows.size, column.size))
        )
        upper.append(np.ones(kept_rows.size))
    blocks.append(
        coo_array(
            (np.ones(column.size), (pair_session, column)),
            shape=(ballot.capacity.size, column.size),
        )
    )
    upper.append(ballot.capacity.astype(float))
    return vstack(blocks, format="csr"), np.concatenate(upper)


@dataclass(frozen=True)
class _RelaxationResult:
    """An integral LP relaxation, shaped like the part of milp's result we read."""

    x: np.ndarray
    status: int
    message: str
    mip_gap: float


def _solve_relaxation_first(*, cost, rows, lower, upper, deadline, mip_rel_gap):
    """Solve the LP relaxation by interior point; if its vertex is integral, it is optimal.

    The "everyone from ranked workshops" model is a bipartite matching per delegate
    coupled only by capacities, and with the seeded tie-break its LP optimum is
    usually unique and integral: then the LP bound proves optimality (gap 0) and
    branch and bound is skipped. On large instances HiGHS's interior point method
    (with crossover to a vertex) takes about half the CPU time of milp's dual
    simplex root. Anything else (fractional, time limit) falls back to `_solve`;
    an infeasible relaxation means the integer programme is infeasible too.
    Rows with lower == upper are equalities; the others need only their upper bound
    because every coefficient there is non-negative and so is every variable.
    """
    equal = lower == upper
    relaxation = linprog(
        cost,
        A_ub=rows[~equal],
        b_ub=upper[~equal],
        A_eq=rows[equal],
        b_eq=upper[equal],
        bounds=(0, 1),
        method="highs-ipm",
        options={"time_limit": max(deadline - time.perf_counter(), 0.01)},
    )
    if relaxation.status == 2:
        return _RelaxationResult(
            x=None, status=2, message=f"LP relaxation: {relaxation.message}", mip_gap=None
        )
    if relaxation.status == 0:
        x = np.round(relaxation.x)
        activity = rows @ x
        if (
            np.abs(relaxation.x - x).max() <= 1e-6
            and (activity >= lower - 1e-9).all()
            and (activity <= upper + 1e-9).all()
        ):
            return _RelaxationResult(
                x=x, status=0, message="LP relaxation integral, so optimal", mip_gap=0.0
            )
    return _solve(
        cost=cost, rows=rows, lower=lower, upper=upper, deadline=deadline, mip_rel_gap=mip_rel_gap
    )


def _solve(*, cost, rows, lower, upper, deadline, mip_rel_gap):
    remaining = max(deadline - time.perf_counter(), 0.01)
    return milp(
        cost,
        integrality=np.ones(cost.size),
        bounds=Bounds(0, 1),
        constraints=LinearConstraint(rows, lower, upper),
        options={"time_limit": remaining, "mip_rel_gap": mip_rel_gap, "presolve": True},
    )


def allocate_optimal(*, instance, time_limit=30.0, mip_rel_gap=1e-4, progress=no_progress):
    """Return the allocation minimising incomplete delegates, unranked seats, then rank cost.

    The usual case, everybody completed from ranked workshops, is solved by column
    generation (`workshops.allocation.columns`), which proves a lower bound and reports
    the gap to it (0 up to rounding when the optimum is proven). Otherwise (it misses
    `mip_rel_gap`, seats run out, or a delegate's ranking cannot fill a timetable) the
    model goes to HiGHS whole (`_solve_whole_model`), and any allocation column
    generation did find is kept if the whole model does worse within the time, as it
    may at scale. Pure; `time_limit` covers all solves.

    `progress` is called with a `SolverProgress` as each stage starts and after
    every round of column generation (with the bound proven so far); whatever it
    raises stops the solve and propagates, which is how a caller cancels. The
    whole model is one HiGHS call: no progress, and no stop, until it returns.
    """
    started = time.perf_counter()
    progress(SolverProgress(stage="reading the rankings", elapsed=0.0))
    deadline = started + time_limit
    ballot = index_ballot(instance=instance)
    delegate_count, k = ballot.ranks.shape[0], instance.k
    # Seeded per (delegate, session) so it does not depend on which pairs a stage uses;
    # summed over all N * k seats it stays below 1, the smallest real cost difference.
    noise = np.random.default_rng(instance.seed).random((delegate_count, ballot.capacity.size))
    noise_scale = 0.5 / max(delegate_count * k, 1)

    def pair_cost(pair_delegate, pair_session, pair_rank):
        doubling = np.minimum(pair_rank, LAST_DOUBLING_RANK)
        base = 2.0 ** (doubling - 1) * (pair_rank - doubling + 1)
        return base + noise_scale * noise[pair_delegate, pair_session]

    seat_rank = ballot.ranks[:, ballot.session_workshop]
    seat_cost = np.full(seat_rank.shape, np.inf)
    ranked = seat_rank > 0
    seat_cost[ranked] = pair_cost(*np.nonzero(ranked), seat_rank[ranked])
    columns = solve_by_columns(
        ballot=ballot,
        seat_cost=seat_cost,
        k=k,
        deadline=deadline,
        progress=progress,
        started=started,
    )
    statuses = [f"everyone from ranked workshops: {columns.message}"]
    from_columns = None
    if columns.sessions is not None:
        if not columns.unplaced and columns.cost - columns.lower_bound < 0.5:
            # Two allocations' rank costs differ by whole units and the tie-break noise
            # adds less than 0.5 in all, so nothing cheaper in rank cost can exist.
            statuses.append("rank cost proven optimal")
        flat = columns.sessions.ravel()
        from_columns = _collect_assignment(
            instance=instance,
            delegate_count=delegate_count,
            pair_delegate=np.repeat(np.arange(delegate_count), k)[flat >= 0],
            pair_session=flat[flat >= 0],
        )
    proven = from_columns is not None and not columns.unplaced and columns.mip_gap <= mip_rel_gap
    if proven or time.perf_counter() >= deadline:
        assignment, mip_gap = from_columns, columns.mip_gap
        if not proven:
            # HiGHS may overrun a nearly spent limit by a long way on the whole model.
            statuses.append("no time left for the whole model")
    else:
        progress(
            SolverProgress(
                stage="the whole model (no progress until HiGHS returns)",
                elapsed=time.perf_counter() - started,
                bound=columns.lower_bound,
                value=columns.cost,
            )
        )
        assignment, mip_gap, more = _solve_whole_model(
            instance=instance,
            ballot=ballot,
            pair_cost=pair_cost,
            deadline=deadline,
            mip_rel_gap=mip_rel_gap,
        )
        statuses += more
        if from_columns is not None and (
            assignment is None
            or _priorities(instance, from_columns) < _priorities(instance, assignment)
        ):
            assignment, mip_gap = from_columns, columns.mip_gap
            statuses.append("kept the column generation allocation: the whole model did worse")
    if assignment is None:
        assignment = {delegate.id: [] for delegate in instance.delegates}
    return make_allocation_result(
        instance=instance,
        method="optimal",
        assignment=assignment,
        solve_seconds=time.perf_counter() - started,
        mip_gap=mip_gap,
        status="; ".join(statuses),
    )


def _priorities(instance, assignment):
    """What the optimiser minimises, in order: incomplete, unranked seats, rank cost."""
    stats = summarise_allocation(instance=instance, assignment=assignment)
    return (stats.incomplete, stats.unranked_seats, stats.rank_cost)


def _solve_whole_model(*, instance, ballot, pair_cost, deadline, mip_rel_gap):
    """Solve the pair model with HiGHS; return (assignment or None, mip gap, statuses).

    Everyone from ranked workshops first (LP relaxation, then `milp`); only if that
    is infeasible, the three priorities one after another.
    """
    delegate_count, k = ballot.ranks.shape[0], instance.k
    pair_delegate, pair_session, pair_rank = _build_pairs(ballot=ballot, include_unranked=False)
    seat_rows, seat_upper = _build_seat_rows(
        ballot=ballot, pair_delegate=pair_delegate, pair_session=pair_session
    )
    per_delegate = coo_array(
        (np.ones(pair_delegate.size), (pair_delegate, np.arange(pair_delegate.size))),
        shape=(delegate_count, pair_delegate.size),
    )
    result = _solve_relaxation_first(
        cost=pair_cost(pair_delegate, pair_session, pair_rank),
        rows=vstack([per_delegate, seat_rows], format="csr"),
        lower=np.concatenate([np.full(delegate_count, k), np.zeros(seat_upper.size)]),
        upper=np.concatenate([np.full(delegate_count, k), seat_upper]),
        deadline=deadline,
        mip_rel_gap=mip_rel_gap,
    )
    statuses = [f"whole model: {result.message}"]
    chosen = None if result.x is None else result.x > 0.5
    if result.status == 2:
        pair_delegate, pair_session, pair_rank = _build_pairs(
            ballot=ballot, include_unranked=instance.allow_unranked
        )
        chosen, result, stage_statuses = _solve_by_priority(
            ballot=ballot,
            k=k,
            pair_delegate=pair_delegate,
            pair_session=pair_session,
            pair_rank=pair_rank,
            pair_cost=pair_cost(pair_delegate, pair_session, pair_rank),
            deadline=deadline,
            mip_rel_gap=mip_rel_gap,
        )
        statuses += stage_statuses
    if chosen is None:
        return None, None, statuses
    assignment = _collect_assignment(
        instance=instance,
        delegate_count=delegate_count,
        pair_delegate=pair_delegate[chosen],
        pair_session=pair_session[chosen],
    )
    return assignment, getattr(result, "mip_gap", None), statuses


def _solve_by_priority(
    *, ballot, k, pair_delegate, pair_session, pair_rank, pair_cost, deadline, mip_rel_gap
):
    """Solve the three priorities in turn; each later stage keeps the earlier optimum."""
    delegate_count, pairs = ballot.ranks.shape[0], pair_delegate.size
    seat_rows, seat_upper = _build_seat_rows(
        ballot=ballot, pair_delegate=pair_delegate, pair_session=pair_session
    )
    # Columns: one per pair, then completed[d]; sum of d's pairs - k * completed[d] == 0.
    per_delegate = coo_array(
        (
            np.concatenate([np.ones(pairs), np.full(delegate_count, -float(k))]),
            (
                np.concatenate([pair_delegate, np.arange(delegate_count)]),
                np.arange(pairs + delegate_count),
            ),
        ),
        shape=(delegate_count, pairs + delegate_count),
    )
    seat_rows = coo_array(seat_rows)
    seat_rows.resize((seat_rows.shape[0], pairs + delegate_count))
    completed_cost = np.concatenate([np.zeros(pairs), np.ones(delegate_count)])
    unranked = pair_rank > ballot.ranked_count[pair_delegate]
    unranked_cost = np.concatenate([unranked.astype(float), np.zeros(delegate_count)])
    rows = [per_delegate, seat_rows]
    lower = [np.zeros(delegate_count), np.zeros(seat_upper.size)]
    upper = [np.zeros(delegate_count), seat_upper]
    statuses, chosen = [], None
    stages = [("most delegates completed", -completed_cost, 0.5 / max(delegate_count, 1))]
    if unranked.any():
        stages.append(("fewest unranked seats", unranked_cost, 0.5 / max(delegate_count * k, 1)))
    stages.append(("lowest rank cost", np.concatenate([pair_cost, np.zeros(delegate_count)]), 0))
    for name, cost, stage_gap in stages:
        result = _solve(
            cost=cost,
            rows=vstack(rows, format="csr"),
            lower=np.concatenate(lower),
            upper=np.concatenate(upper),
            deadline=deadline,
            mip_rel_gap=stage_gap or mip_rel_gap,
        )
        statuses.append(f"{name}: {result.message}")
        if result.x is None:
            break
        chosen = result.x[:pairs] > 0.5
        # Keep this stage's achievement (rounded: its objective counts whole seats).
        achieved = float(np.round(cost @ np.round(result.x)))
        rows.append(coo_array(cost.reshape(1, -1)))
        lower.append(np.array([-np.inf]))
        upper.append(np.array([achieved]))
    return chosen, result, statuses


def _collect_assignment(*, instance, delegate_count, pair_delegate, pair_session):
    """Return every delegate id -> their session ids in instance order; [] if not k seats."""
    order = np.lexsort((pair_session, pair_delegate))
    pair_delegate, pair_session = pair_delegate[order], pair_session[order]
    counts = np.bincount(pair_delegate, minlength=delegate_count)
    session_ids = [s.id for s in instance.sessions]
    chunks = np.split(pair_session, np.cumsum(counts)[:-1])
    return {
        delegate.id: [session_ids[s] for s in chunk] if len(chunk) == instance.k else []
        for delegate, chunk in zip(instance.delegates, chunks, strict=True)
    }
