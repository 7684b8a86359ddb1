"""Seat allocation after the workshop ballot closes: an optimiser and two baselines.

Pure Python, numpy, scipy and highspy; nothing here touches the database. The
caller turns sessions and rankings into a `BallotInstance`, runs one of the
`allocate_*` functions and books the returned assignment through
`workshops.services.ballot.publish_allocation`.

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

How: the usual case, everyone completed from ranked workshops, is solved by column
generation over whole timetables (`workshops.allocation.columns`), which proves
its own lower bound. Otherwise the whole model goes to HiGHS here: LP relaxation
first, then `scipy.optimize.milp`, then the three priorities one after another;
when seats run out, column generation's allocation stands if that does no better.
"""

from workshops.allocation.baselines import (
    allocate_first_come_first_served,
    allocate_random_serial_dictatorship,
)
from workshops.allocation.instances import describe_instance, generate_instance
from workshops.allocation.optimal import allocate_optimal
from workshops.allocation.stats import find_allocation_problems, summarise_allocation
from workshops.allocation.types import (
    AllocationResult,
    AllocationStats,
    BallotDelegate,
    BallotInstance,
    BallotSession,
    SolverProgress,
    compute_rank_cost,
)

__all__ = [
    "AllocationResult",
    "AllocationStats",
    "BallotDelegate",
    "BallotInstance",
    "BallotSession",
    "SolverProgress",
    "allocate_first_come_first_served",
    "allocate_optimal",
    "allocate_random_serial_dictatorship",
    "compute_rank_cost",
    "describe_instance",
    "find_allocation_problems",
    "generate_instance",
    "summarise_allocation",
]
