"""Fairness and fill figures for an allocation, and an independent rule checker. Pure."""

from workshops.allocation.types import AllocationResult, AllocationStats, compute_rank_cost


def make_allocation_result(*, instance, method, assignment, solve_seconds, mip_gap, status):
    return AllocationResult(
        method=method,
        assignment=assignment,
        incomplete=[d.id for d in instance.delegates if not assignment.get(d.id)],
        solve_seconds=solve_seconds,
        mip_gap=None if mip_gap is None else float(mip_gap),
        status=status,
        stats=summarise_allocation(instance=instance, assignment=assignment),
    )


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
