"""Seat allocation after the workshop ballot closes: an optimiser and two baselines.

Pure Python, numpy and scipy; nothing here touches the database. The caller turns
sessions and rankings into a `BallotInstance`, runs one of the `allocate_*`
functions and books the returned assignment through `workshops.services`.

Every method keeps the same rules: a delegate gets exactly `k` sessions or none at
all (never half-booked), at most one per time slot, never the same workshop twice,
and no session beyond its capacity.

Unranked workshops: when `BallotInstance.allow_unranked` is true (the default) a
delegate may be given a workshop they did not rank, counted at the penalty rank
`len(ranking) + 1`, but only when that is the only way to complete someone, so
nobody is left out while seats exist. Set it false to give ranked workshops only
and report the delegates that cannot be completed.

The optimiser minimises, in strict order of priority: delegates left incomplete,
seats in unranked workshops, then the total rank cost `compute_rank_cost`, which
doubles with every place down a delegate's list. Because that cost is convex,
moving one delegate from their 4th to their 5th choice (+8) outweighs moving seven
delegates from their 1st to their 2nd (+7): the optimiser does not sacrifice a few
delegates to improve the average. Ties are broken by a tiny perturbation drawn from
`BallotInstance.seed`, so equal claims are settled by a seeded lottery rather than
by registration order, and the same instance always gives the same allocation
(provided the solver finishes within its time limit).
"""

import math
import time
from collections.abc import Hashable
from dataclasses import dataclass
from itertools import chain

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_array, vstack

# Beyond this rank the cost grows linearly instead of doubling: still convex, and it
# keeps objective coefficients within a range HiGHS handles without scaling trouble
# when a delegate ranked (and is given) a workshop very far down a long list.
LAST_DOUBLING_RANK = 12


@dataclass(frozen=True)
class BallotSession:
    id: Hashable
    workshop_id: Hashable
    slot_id: Hashable
    capacity: int


@dataclass(frozen=True)
class BallotDelegate:
    id: Hashable
    ranking: tuple  # workshop ids, best first


@dataclass(frozen=True)
class BallotInstance:
    """Everything an allocation depends on; delegates are listed in registration order."""

    sessions: tuple[BallotSession, ...]
    delegates: tuple[BallotDelegate, ...]
    k: int
    seed: int = 0
    allow_unranked: bool = True


@dataclass(frozen=True)
class AllocationStats:
    delegates: int
    completed: int
    incomplete: int
    all_top_k: float  # share of all delegates given exactly their top k
    at_least_k_minus_1: float  # share given at least k - 1 of their top k
    mean_rank: float | None  # over assigned seats; unranked seats count as len(ranking) + 1
    worst_rank: int | None
    rank_cost: int  # sum of compute_rank_cost over assigned seats
    unranked_seats: int
    rank_counts: dict[int, int]
    session_fill: dict[Hashable, tuple[int, int]]  # session id -> (taken, capacity)


@dataclass(frozen=True)
class AllocationResult:
    method: str
    assignment: dict[Hashable, list]  # every delegate id -> session ids; [] if incomplete
    incomplete: list
    solve_seconds: float
    mip_gap: float | None
    status: str
    stats: AllocationStats


def compute_rank_cost(*, rank):
    """Return the cost of one seat at `rank` (1 = first choice): 2^(rank-1), linear later."""
    if rank <= LAST_DOUBLING_RANK:
        return 2 ** (rank - 1)
    return 2 ** (LAST_DOUBLING_RANK - 1) * (rank - LAST_DOUBLING_RANK + 1)


@dataclass(frozen=True)
class _IndexedBallot:
    """The instance as dense integer indices, so the model can be built with numpy."""

    session_workshop: np.ndarray  # per session: workshop index
    session_slot: np.ndarray  # per session: slot index
    capacity: np.ndarray
    workshop_count: int
    slot_count: int
    ranks: np.ndarray  # delegates x workshops; 1 = first choice, 0 = unranked
    ranked_count: np.ndarray  # per delegate
    session_at: np.ndarray  # workshops x slots -> session index, -1 if none


def _index_ballot(*, instance):
    sessions = instance.sessions
    if instance.k < 1:
        raise ValueError("k must be at least 1.")
    if len({s.id for s in sessions}) != len(sessions):
        raise ValueError("Session ids must be unique.")
    if len({d.id for d in instance.delegates}) != len(instance.delegates):
        raise ValueError("Delegate ids must be unique.")
    workshop_index = {w: i for i, w in enumerate(dict.fromkeys(s.workshop_id for s in sessions))}
    slot_index = {t: i for i, t in enumerate(dict.fromkeys(s.slot_id for s in sessions))}
    session_workshop = np.array([workshop_index[s.workshop_id] for s in sessions], dtype=np.int64)
    session_slot = np.array([slot_index[s.slot_id] for s in sessions], dtype=np.int64)
    capacity = np.array([s.capacity for s in sessions], dtype=np.int64)
    if (capacity < 0).any():
        raise ValueError("Capacities cannot be negative.")
    session_at = np.full((len(workshop_index), len(slot_index)), -1, dtype=np.int64)
    session_at[session_workshop, session_slot] = np.arange(len(sessions))
    if (session_at >= 0).sum() != len(sessions):
        raise ValueError("A workshop can run only once per time slot.")

    delegate_count = len(instance.delegates)
    rankings = [d.ranking for d in instance.delegates]
    ranked_count = np.fromiter(map(len, rankings), dtype=np.int64, count=delegate_count)
    try:
        flat = np.fromiter(
            map(workshop_index.__getitem__, chain.from_iterable(rankings)),
            dtype=np.int64,
            count=int(ranked_count.sum()),
        )
    except KeyError as error:
        raise ValueError(f"Ranked workshop {error.args[0]!r} has no sessions.") from None
    owner = np.repeat(np.arange(delegate_count), ranked_count)
    position = np.arange(flat.size) - np.repeat(
        np.cumsum(ranked_count) - ranked_count, ranked_count
    )
    ranks = np.zeros((delegate_count, len(workshop_index)), dtype=np.int64)
    ranks[owner, flat] = position + 1
    if (ranks > 0).sum() != flat.size:
        raise ValueError("A delegate ranked the same workshop twice.")
    return _IndexedBallot(
        session_workshop=session_workshop,
        session_slot=session_slot,
        capacity=capacity,
        workshop_count=len(workshop_index),
        slot_count=len(slot_index),
        ranks=ranks,
        ranked_count=ranked_count,
        session_at=session_at,
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


def _solve(*, cost, rows, lower, upper, deadline, mip_rel_gap):
    remaining = max(deadline - time.perf_counter(), 0.01)
    return milp(
        cost,
        integrality=np.ones(cost.size),
        bounds=Bounds(0, 1),
        constraints=LinearConstraint(rows, lower, upper),
        options={"time_limit": remaining, "mip_rel_gap": mip_rel_gap, "presolve": True},
    )


def allocate_optimal(*, instance, time_limit=30.0, mip_rel_gap=1e-4):
    """Return the allocation minimising incomplete delegates, unranked seats, then rank cost.

    Solves integer programmes with HiGHS (`scipy.optimize.milp`). The usual case is one
    solve: everybody completed from ranked workshops. Only if that is infeasible are
    the three priorities solved one after another, each fixing the previous optimum,
    over ranked and (if allowed) unranked workshops. Pure; `time_limit` covers all solves.
    """
    started = time.perf_counter()
    deadline = started + time_limit
    ballot = _index_ballot(instance=instance)
    delegate_count, k = ballot.ranks.shape[0], instance.k
    # Seeded per (delegate, session) so it does not depend on which pairs a stage uses;
    # summed over all N * k seats it stays below 1, the smallest real cost difference.
    noise = np.random.default_rng(instance.seed).random((delegate_count, ballot.capacity.size))
    noise_scale = 0.5 / max(delegate_count * k, 1)

    def pair_cost(pair_delegate, pair_session, pair_rank):
        doubling = np.minimum(pair_rank, LAST_DOUBLING_RANK)
        base = 2.0 ** (doubling - 1) * (pair_rank - doubling + 1)
        return base + noise_scale * noise[pair_delegate, pair_session]

    pair_delegate, pair_session, pair_rank = _build_pairs(ballot=ballot, include_unranked=False)
    seat_rows, seat_upper = _build_seat_rows(
        ballot=ballot, pair_delegate=pair_delegate, pair_session=pair_session
    )
    per_delegate = coo_array(
        (np.ones(pair_delegate.size), (pair_delegate, np.arange(pair_delegate.size))),
        shape=(delegate_count, pair_delegate.size),
    )
    result = _solve(
        cost=pair_cost(pair_delegate, pair_session, pair_rank),
        rows=vstack([per_delegate, seat_rows], format="csr"),
        lower=np.concatenate([np.full(delegate_count, k), np.zeros(seat_upper.size)]),
        upper=np.concatenate([np.full(delegate_count, k), seat_upper]),
        deadline=deadline,
        mip_rel_gap=mip_rel_gap,
    )
    statuses = [f"everyone from ranked workshops: {result.message}"]
    if result.status != 2:
        chosen = None if result.x is None else result.x > 0.5
    else:
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
    assignment = _collect_assignment(
        instance=instance,
        delegate_count=delegate_count,
        pair_delegate=pair_delegate[chosen] if chosen is not None else np.empty(0, np.int64),
        pair_session=pair_session[chosen] if chosen is not None else np.empty(0, np.int64),
    )
    return _make_result(
        instance=instance,
        method="optimal",
        assignment=assignment,
        solve_seconds=time.perf_counter() - started,
        mip_gap=getattr(result, "mip_gap", None),
        status="; ".join(statuses),
    )


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


def _make_result(*, instance, method, assignment, solve_seconds, mip_gap, status):
    return AllocationResult(
        method=method,
        assignment=assignment,
        incomplete=[d.id for d in instance.delegates if not assignment.get(d.id)],
        solve_seconds=solve_seconds,
        mip_gap=None if mip_gap is None else float(mip_gap),
        status=status,
        stats=summarise_allocation(instance=instance, assignment=assignment),
    )


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
    ballot = _index_ballot(instance=instance)
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
    return _make_result(
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


def summarise_allocation(*, instance, assignment):
    """Return fairness and fill figures for `assignment` (delegate id -> session ids). Pure.

    A delegate counts as completed when given exactly `k` sessions.
    """
    k = instance.k
    sessions = {s.id: s for s in instance.sessions}
    taken = dict.fromkeys(sessions, 0)
    ranks, completed, all_top, most_top, cost, unranked = [], 0, 0, 0, 0, 0
    for delegate in instance.delegates:
        given = assignment.get(delegate.id, [])
        for session_id in given:
            taken[session_id] += 1
        if len(given) != k:
            continue
        completed += 1
        rank_of = {w: r for r, w in enumerate(delegate.ranking, start=1)}
        penalty = len(delegate.ranking) + 1
        given_ranks = [rank_of.get(sessions[s].workshop_id, penalty) for s in given]
        in_top = sum(r <= k for r in given_ranks)
        all_top += in_top == k
        most_top += in_top >= k - 1
        unranked += given_ranks.count(penalty)
        cost += sum(compute_rank_cost(rank=r) for r in given_ranks)
        ranks.extend(given_ranks)
    delegate_count = len(instance.delegates)
    return AllocationStats(
        delegates=delegate_count,
        completed=completed,
        incomplete=delegate_count - completed,
        all_top_k=all_top / delegate_count if delegate_count else 0.0,
        at_least_k_minus_1=most_top / delegate_count if delegate_count else 0.0,
        mean_rank=sum(ranks) / len(ranks) if ranks else None,
        worst_rank=max(ranks) if ranks else None,
        rank_cost=cost,
        unranked_seats=unranked,
        rank_counts={r: ranks.count(r) for r in sorted(set(ranks))},
        session_fill={s: (taken[s], sessions[s].capacity) for s in sessions},
    )


def find_allocation_problems(*, instance, assignment):
    """Return sentences naming every rule `assignment` breaks; empty when it is valid. Pure."""
    sessions = {s.id: s for s in instance.sessions}
    taken = dict.fromkeys(sessions, 0)
    problems = []
    for delegate in instance.delegates:
        given = assignment.get(delegate.id, [])
        if len(given) not in (0, instance.k):
            problems.append(f"Delegate {delegate.id!r} has {len(given)} sessions.")
        slots = [sessions[s].slot_id for s in given]
        workshops = [sessions[s].workshop_id for s in given]
        if len(set(slots)) != len(slots):
            problems.append(f"Delegate {delegate.id!r} has two sessions in one slot.")
        if len(set(workshops)) != len(workshops):
            problems.append(f"Delegate {delegate.id!r} has a workshop twice.")
        if not instance.allow_unranked and not set(workshops) <= set(delegate.ranking):
            problems.append(f"Delegate {delegate.id!r} has a workshop they did not rank.")
        for s in given:
            taken[s] += 1
    problems += [
        f"Session {s!r} has {n} delegates for {sessions[s].capacity} seats."
        for s, n in taken.items()
        if n > sessions[s].capacity
    ]
    return problems


def generate_instance(
    *,
    delegates,
    workshops,
    slots,
    runs_per_workshop,
    ranked,
    k,
    seed,
    slack=0.10,
    popularity_exponent=0.6,
    popularity_capacity_share=0.5,
):
    """Return a seeded random ballot with Zipf-like popularity. Pure.

    Rankings are Plackett-Luce draws (Gumbel keys on log popularity). Workshop `i`
    runs in consecutive slots; each slot holds `(1 + slack) * k * delegates / slots`
    seats, shared between its sessions partly evenly and partly by popularity
    (`popularity_capacity_share`), so popular workshops get bigger rooms yet remain
    oversubscribed.
    """
    if runs_per_workshop > slots or ranked > workshops or k > slots:
        raise ValueError("Need runs_per_workshop <= slots, ranked <= workshops, k <= slots.")
    rng = np.random.default_rng(seed)
    popularity = 1.0 / np.arange(1, workshops + 1) ** popularity_exponent
    popularity = rng.permutation(popularity)
    keys = np.log(popularity) + rng.gumbel(size=(delegates, workshops))
    rankings = np.argsort(-keys, axis=1, kind="stable")[:, :ranked] + 1

    session_workshop = np.repeat(np.arange(workshops), runs_per_workshop)
    session_slot = np.arange(session_workshop.size) % slots
    weight = (1 - popularity_capacity_share) / workshops + popularity_capacity_share * (
        popularity / popularity.sum()
    )
    weight = weight[session_workshop]
    # Rounded first so that float noise (1.1 * 30 = 33.000000000000004) adds no seat.
    seats_per_slot = math.ceil(round((1 + slack) * k * delegates / slots, 6))
    capacity = np.zeros(session_workshop.size, dtype=np.int64)
    for slot in range(slots):
        here = np.nonzero(session_slot == slot)[0]
        share = weight[here] / weight[here].sum() * seats_per_slot
        capacity[here] = np.floor(share)
        # Hand out the seats lost to rounding by largest remainder, ties by session order.
        short = seats_per_slot - int(capacity[here].sum())
        capacity[here[np.argsort(-(share - capacity[here]), kind="stable")[:short]]] += 1
    sessions = tuple(
        BallotSession(id=i + 1, workshop_id=int(w) + 1, slot_id=int(t) + 1, capacity=int(c))
        for i, (w, t, c) in enumerate(zip(session_workshop, session_slot, capacity, strict=True))
    )
    return BallotInstance(
        sessions=sessions,
        delegates=tuple(
            BallotDelegate(id=i + 1, ranking=tuple(row)) for i, row in enumerate(rankings.tolist())
        ),
        k=k,
        seed=seed,
    )


def describe_instance(*, instance: BallotInstance) -> str:
    """Return a one-line summary of the instance's size and slack."""
    seats = sum(s.capacity for s in instance.sessions)
    demand = instance.k * len(instance.delegates)
    workshops = len({s.workshop_id for s in instance.sessions})
    slots = len({s.slot_id for s in instance.sessions})
    return (
        f"{len(instance.delegates)} delegates, {workshops} workshops, "
        f"{len(instance.sessions)} sessions in {slots} slots, k={instance.k}, "
        f"{seats} seats for {demand} wanted ({seats / max(demand, 1) - 1:+.1%})"
    )
