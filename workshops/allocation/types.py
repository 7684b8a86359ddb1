"""The ballot's data: sessions, delegates, instances, results, and the rank cost.

Pure Python and numpy; shared by the optimiser (`workshops.allocation`), the
baselines (`workshops.allocation.baselines`) and the figures
(`workshops.allocation.stats`). Import public names from `workshops.allocation`.
"""

from collections.abc import Hashable
from dataclasses import dataclass
from itertools import chain

import numpy as np

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


@dataclass(frozen=True)
class SolverProgress:
    """What the optimiser has proven so far, passed to its `progress` callback.

    `stage` says what it is doing in words; `bound` is the best lower bound on the
    rank cost proven so far and `value` the current master linear programme's value
    (column generation only), so `gap`, their relative difference, shrinks towards
    0 as the rounds converge. None where the stage gives no bound (the whole model,
    which HiGHS solves in one call, and the baselines).
    """

    stage: str
    elapsed: float
    round: int = 0
    bound: float | None = None
    value: float | None = None

    @property
    def gap(self):
        if self.bound is None or self.value is None:
            return None
        return max(self.value - self.bound, 0.0) / max(abs(self.value), 1e-9)


def no_progress(progress):
    """The default `progress` callback: ignores it."""


def compute_rank_cost(*, rank):
    """Return the cost of one seat at `rank` (1 = first choice): 2^(rank-1), linear later."""
    if rank <= LAST_DOUBLING_RANK:
        return 2 ** (rank - 1)
    return 2 ** (LAST_DOUBLING_RANK - 1) * (rank - LAST_DOUBLING_RANK + 1)


@dataclass(frozen=True)
class IndexedBallot:
    """The instance as dense integer indices, so the model can be built with numpy."""

    session_workshop: np.ndarray  # per session: workshop index
    session_slot: np.ndarray  # per session: slot index
    capacity: np.ndarray
    workshop_count: int
    slot_count: int
    ranks: np.ndarray  # delegates x workshops; 1 = first choice, 0 = unranked
    ranked_count: np.ndarray  # per delegate
    session_at: np.ndarray  # workshops x slots -> session index, -1 if none


def index_ballot(*, instance):
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
    return IndexedBallot(
        session_workshop=session_workshop,
        session_slot=session_slot,
        capacity=capacity,
        workshop_count=len(workshop_index),
        slot_count=len(slot_index),
        ranks=ranks,
        ranked_count=ranked_count,
        session_at=session_at,
    )
