"""Seeded random ballots with Zipf-like popularity, for tests and the benchmark. Pure."""

import math

import numpy as np

from workshops.allocation.types import BallotDelegate, BallotInstance, BallotSession


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
