"""Column generation for the "everyone from ranked workshops" allocation model.

The model has one binary per (delegate, session) pair; only the session capacities
tie delegates together. Once each capacity has a price, every delegate's best
timetable is a small minimum-cost matching of their ranked workshops to time slots
(at most one workshop per slot, exactly `k` of them), which
`scipy.optimize.linear_sum_assignment` solves in microseconds. So instead of handing
HiGHS one large integer programme (200,000 binaries and 164,000 rows for 10,000
delegates ranking 10 of 50 workshops), we solve a master linear programme over whole
timetables: one row per delegate ("take one of your timetables") and one per session
("within capacity"), starting from each delegate's favourite timetable and adding,
round by round, the timetable each delegate prefers at the master's current seat
prices (Dantzig-Wolfe decomposition).

Every round also yields a lower bound: with capacity prices `p >= 0`, the sum over
delegates of their cheapest timetable at cost plus price, minus the price of every
seat, is at most the cost of any allocation (Lagrangian relaxation). The per-delegate
problem is a bipartite matching, whose polytope is integral, so the best such bound
equals the linear relaxation's optimum and the rounds stop when the master reaches
it. Each delegate takes the timetable carrying most of their weight in the master's
solution. The interior point method stops just short of an optimal vertex, so those
whose weight is split, and those whose rounding would overfill a session, are
settled by a small integer programme over the timetables generated for them; the
gap between the resulting allocation and the bound is reported.

When seats run out, delegates stay on their "not placed" columns, priced high
but finitely: the result is then a good allocation that the caller compares with
the exact (and at scale much slower) whole model, not a proof.

The master is solved by HiGHS's interior point method without crossover, through
highspy: each round adds columns to the same model, and skipping crossover (which
SciPy's `linprog` cannot do) saves most of the time on large instances.
"""

import time
from dataclasses import dataclass

import highspy
import numpy as np
from scipy.optimize import Bounds, LinearConstraint, linear_sum_assignment, milp
from scipy.sparse import csc_array

from workshops.allocation.types import SolverProgress, no_progress

# The rounds stop once the master's value is within this share of the bound; well
# below one rank-cost unit on every instance size we allocate.
BOUND_TOLERANCE = 1e-8
MAX_ROUNDS = 200
# A delegate whose heaviest timetable carries at least this much of their weight in
# the interior-point solution is rounded to it even where a session is tight.
INTEGRAL = 0.99
# Delegates priced at once: bounds the assignment matrices to a few MB per block.
PRICING_BLOCK = 1000


@dataclass(frozen=True)
class ColumnResult:
    """What column generation found; `sessions` is None when it gives up."""

    sessions: np.ndarray | None  # delegates x k session indices, sorted; -1 rows: not placed
    lower_bound: float | None
    cost: float | None
    mip_gap: float | None  # None when someone is not placed: the bound then proves nothing
    message: str
    unplaced: int = 0


def find_cheapest_timetables(*, ballot, seat_cost, k, prices):
    """Return (cost, sessions) of every delegate's cheapest timetable at `prices`.

    `seat_cost` is delegates x sessions (inf where a delegate may not sit); `prices`
    is per session. A timetable is exactly `k` sessions of ranked workshops, in
    distinct slots and distinct workshops. Returns None if some delegate has none.
    Solved as an assignment problem per delegate: their ranked workshops are matched
    to the slots plus `ranked - k` free "no session" columns, so exactly `k`
    workshops get a real slot.
    """
    delegate_count = seat_cost.shape[0]
    cost = np.empty(delegate_count)
    sessions = np.empty((delegate_count, k), dtype=np.int64)
    order = np.argsort(np.where(ballot.ranks > 0, ballot.ranks, np.iinfo(np.int64).max), axis=1)
    session_at = ballot.session_at
    runs = session_at >= 0
    slot_count = session_at.shape[1]
    for ranked in np.unique(ballot.ranked_count):
        if ranked < k:
            return None
        same_length = np.nonzero(ballot.ranked_count == ranked)[0]
        # In blocks, so long rankings of many delegates never need a huge array at once.
        for group in np.array_split(same_length, -(-same_length.size // PRICING_BLOCK)):
            workshops = order[group, :ranked]  # delegates x ranked
            grid = session_at[workshops]  # delegates x ranked x slots
            seat = seat_cost[group[:, None, None], grid] + prices[grid]
            price = np.where(runs[workshops], seat, np.inf)
            free = np.zeros((group.size, ranked, ranked - k))
            matrices = np.concatenate([price, free], axis=2)
            for i, delegate in enumerate(group.tolist()):
                try:
                    rows, columns = linear_sum_assignment(matrices[i])
                except ValueError:  # no k of their workshops fit into distinct slots
                    return None
                real = columns < slot_count
                cost[delegate] = matrices[i][rows, columns].sum()
                sessions[delegate] = np.sort(grid[i][rows[real], columns[real]])
    return cost, sessions


class _Master:
    """The master LP in highspy: delegate rows, then capacity rows; columns grow."""

    def __init__(self, *, capacity, delegate_count, k, artificial_cost):
        self.delegate_count = delegate_count
        self.highs = highspy.Highs()
        self.highs.setOptionValue("output_flag", False)
        self.highs.setOptionValue("solver", "ipm")
        self.highs.setOptionValue("run_crossover", "off")
        no_entries = np.zeros(0, dtype=np.int32)
        self.highs.addRows(
            delegate_count,
            np.ones(delegate_count),
            np.ones(delegate_count),
            0,
            no_entries,
            no_entries,
            np.zeros(0),
        )
        self.highs.addRows(
            capacity.size,
            np.zeros(capacity.size),
            capacity.astype(float),
            0,
            no_entries,
            no_entries,
            np.zeros(0),
        )
        # One "not placed" column per delegate keeps every round feasible; it is
        # dearer than any timetable, so it stays empty whenever seats allow.
        index = np.arange(delegate_count, dtype=np.int32)
        self.highs.addCols(
            delegate_count,
            np.full(delegate_count, artificial_cost),
            np.zeros(delegate_count),
            np.full(delegate_count, np.inf),
            delegate_count,
            index,
            index,
            np.ones(delegate_count),
        )
        self.known = set()  # (delegate, sessions) already in the master
        self.owners = [np.arange(delegate_count)]
        self.timetables = [np.full((delegate_count, k), -1)]
        self.costs = [np.full(delegate_count, artificial_cost)]

    def add(self, *, delegates, sessions, cost):
        """Add these timetables, skipping any the master already has; return how many."""
        keys = [(d, row.tobytes()) for d, row in zip(delegates.tolist(), sessions, strict=True)]
        new = np.array([key not in self.known for key in keys], dtype=bool)
        self.known.update(keys)
        delegates, sessions, cost = delegates[new], sessions[new], cost[new]
        count, k = sessions.shape
        if not count:
            return 0
        entries = np.concatenate([delegates[:, None], self.delegate_count + sessions], axis=1)
        self.highs.addCols(
            count,
            cost,
            np.zeros(count),
            np.full(count, np.inf),
            count * (k + 1),
            np.arange(0, count * (k + 1), k + 1, dtype=np.int32),
            entries.ravel().astype(np.int32),
            np.ones(count * (k + 1)),
        )
        self.owners.append(delegates)
        self.timetables.append(sessions)
        self.costs.append(cost)
        return count

    def solve(self, *, time_limit):
        """Return (status, value, delegate duals, capacity prices >= 0, column values)."""
        # HiGHS's time limit counts every run of this model, not just the next one.
        self.highs.setOptionValue("time_limit", self.highs.getRunTime() + max(time_limit, 0.01))
        self.highs.run()
        status = self.highs.getModelStatus()
        if status != highspy.HighsModelStatus.kOptimal:
            return self.highs.modelStatusToString(status), None, None, None, None
        solution = self.highs.getSolution()
        duals = np.asarray(solution.row_dual)
        values = np.asarray(solution.col_value)
        value = self.highs.getInfo().objective_function_value
        prices = np.maximum(-duals[self.delegate_count :], 0.0)
        return "Optimal", value, duals[: self.delegate_count], prices, values


def solve_by_columns(*, ballot, seat_cost, k, deadline, progress=no_progress, started=None):
    """Return a `ColumnResult` for the ranked-only model with `seat_cost` per seat.

    `progress` is called with a `SolverProgress` after every round (its bound
    and the master's value); an exception it raises stops the solve and
    propagates (that is how a caller cancels). `started` (perf_counter) is
    where its `elapsed` counts from.

    Gives up (sessions None) when a delegate has no timetable of ranked workshops
    or at the deadline. When seats run out, some rows are "not placed" (-1) and
    `unplaced` counts them: a good allocation, but not a proof, so the caller also
    tries the full model and keeps whichever is better.
    """
    delegate_count = seat_cost.shape[0]
    capacity = ballot.capacity
    if delegate_count == 0:
        return ColumnResult(
            sessions=np.empty((0, k), dtype=np.int64),
            lower_bound=0.0,
            cost=0.0,
            mip_gap=0.0,
            message="column generation: nobody to place",
        )
    found = find_cheapest_timetables(
        ballot=ballot, seat_cost=seat_cost, k=k, prices=np.zeros(capacity.size)
    )
    if found is None:
        return _give_up("a delegate has no full timetable of ranked workshops")
    cost, sessions = found
    finite = seat_cost[np.isfinite(seat_cost)]
    master = _Master(
        capacity=capacity,
        delegate_count=delegate_count,
        k=k,
        artificial_cost=4.0 * k * (finite.max() + 1.0),
    )
    everyone = np.arange(delegate_count)
    master.add(delegates=everyone, sessions=sessions, cost=cost)
    best_bound = -np.inf
    started = time.perf_counter() if started is None else started
    for round_number in range(1, MAX_ROUNDS + 1):
        if time.perf_counter() >= deadline:
            return _give_up("time limit reached")
        status, value, delegate_duals, prices, values = master.solve(
            time_limit=deadline - time.perf_counter()
        )
        if value is None:
            return _give_up(f"master LP: {status}")
        found = find_cheapest_timetables(ballot=ballot, seat_cost=seat_cost, k=k, prices=prices)
        if found is None:  # only if the solver returned unusable prices
            return _give_up("master LP prices unusable")
        cost, sessions = found
        best_bound = max(best_bound, cost.sum() - prices @ capacity)
        progress(
            SolverProgress(
                stage="column generation",
                elapsed=time.perf_counter() - started,
                round=round_number,
                bound=float(best_bound),
                value=float(value),
            )
        )
        if value - best_bound <= BOUND_TOLERANCE * max(abs(value), 1.0):
            break
        better = cost - delegate_duals < -BOUND_TOLERANCE * np.maximum(np.abs(delegate_duals), 1.0)
        added = master.add(
            delegates=everyone[better],
            sessions=sessions[better],
            cost=seat_cost[everyone[better, None], sessions[better]].sum(axis=1),
        )
        if not added:
            break
    else:
        return _give_up(f"no convergence in {MAX_ROUNDS} rounds")
    return _settle(
        master=master, values=values, capacity=capacity, bound=best_bound, deadline=deadline
    )


def _settle(*, master, values, capacity, bound, deadline):
    """Turn the master's optimum into whole timetables; report the gap to `bound`."""
    owners = np.concatenate(master.owners)
    costs = np.concatenate(master.costs)
    timetables = np.concatenate(master.timetables)  # "not placed" columns are rows of -1
    # Each delegate's heaviest column; delegates whose weight is split are settled below.
    order = np.lexsort((-values, owners))
    first = np.r_[0, np.flatnonzero(np.diff(owners[order])) + 1]
    heaviest = order[first]
    settled = values[heaviest] > 0.5
    # Rounding the interior point can overfill a session by a seat; its delegates that
    # were not quite whole (or, if that is not enough, all of them) are then settled
    # with the split ones.
    for threshold in (INTEGRAL, np.inf):
        used = _seats_used(timetables[heaviest[settled]], size=capacity.size)
        overfull = np.flatnonzero(used > capacity)
        if not overfull.size:
            break
        crowded = np.isin(timetables[heaviest], overfull).any(axis=1)
        settled &= ~(crowded & (values[heaviest] < threshold))
    chosen = heaviest.copy()
    open_delegates = np.flatnonzero(~settled)
    message = "column generation: master LP rounds to whole timetables"
    if open_delegates.size:
        used = _seats_used(timetables[chosen[settled]], size=capacity.size)
        picked = _settle_split_delegates(
            open_delegates=open_delegates,
            owners=owners,
            timetables=timetables,
            costs=costs,
            room=capacity - used,
            deadline=deadline,
        )
        if picked is None:
            return _give_up("could not settle the split delegates")
        chosen[open_delegates] = picked
        message = f"column generation: {open_delegates.size} split delegates settled by MILP"
    sessions = timetables[chosen]
    if (_seats_used(sessions, size=capacity.size) > capacity).any():
        return _give_up("rounded timetables overfill a session")
    total = float(costs[chosen].sum())
    unplaced = int((sessions[:, 0] < 0).sum())
    if unplaced:
        # Seats ran out. The "not placed" price is large but finite, so this is a good
        # allocation, not a proof that no other places more delegates.
        return ColumnResult(
            sessions=sessions,
            lower_bound=None,
            cost=total,
            mip_gap=None,
            message=f"seats ran out: {unplaced} not placed (not proven the fewest)",
            unplaced=unplaced,
        )
    gap = max(total - bound, 0.0) / max(abs(total), 1e-9)
    return ColumnResult(
        sessions=sessions, lower_bound=bound, cost=total, mip_gap=gap, message=message
    )


def _seats_used(timetables, *, size):
    """Count seats per session in these timetables, skipping "not placed" rows (-1)."""
    sessions = timetables.ravel()
    return np.bincount(sessions[sessions >= 0], minlength=size)


def _settle_split_delegates(*, open_delegates, owners, timetables, costs, room, deadline):
    """Pick one generated timetable per open delegate within `room`; None if impossible."""
    position = np.full(owners.max() + 1, -1)
    position[open_delegates] = np.arange(open_delegates.size)
    # Their "not placed" columns are candidates too, at their (large) cost.
    candidates = np.flatnonzero(position[owners] >= 0)
    k = timetables.shape[1]
    pick_one = csc_array(
        (np.ones(candidates.size), (position[owners[candidates]], np.arange(candidates.size))),
        shape=(open_delegates.size, candidates.size),
    )
    seat = timetables[candidates].ravel()
    column = np.repeat(np.arange(candidates.size), k)
    seats = csc_array(
        (np.ones(int((seat >= 0).sum())), (seat[seat >= 0], column[seat >= 0])),
        shape=(room.size, candidates.size),
    )
    result = milp(
        costs[candidates],
        integrality=np.ones(candidates.size),
        bounds=Bounds(0, 1),
        constraints=[
            LinearConstraint(pick_one, 1, 1),
            LinearConstraint(seats, -np.inf, room),
        ],
        options={"time_limit": max(deadline - time.perf_counter(), 0.01)},
    )
    if result.x is None:
        return None
    picked = candidates[result.x > 0.5]
    return picked[np.argsort(owners[picked])]


def _give_up(reason):
    return ColumnResult(sessions=None, lower_bound=None, cost=None, mip_gap=None, message=reason)
