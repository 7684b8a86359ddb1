"""How many delegates the free seats can still give a full, valid set of sessions.

A full set is `required` sessions, at most one per time slot, never the same
workshop twice. Seats left in each round are not enough: the last places can
sit in the same workshop in two rounds, which nobody may hold twice.

Exact, by one maximum flow per question (`scipy.sparse.csgraph.maximum_flow`)::

    source --k--> each slot --free seats of its session--> that workshop --k--> sink

`n` delegates can each be given a full set if and only if this network, with
`k = n`, carries `n * required` units:

- if they can, their sets route one unit per seat: each slot and each workshop
  appears at most once in a set, so at most `n` units pass through it;
- if the flow carries `n * required`, read it as a bipartite multigraph of slots
  and workshops (one edge per seat) in which no vertex has more than `n` edges.
  König's theorem colours its edges with `n` colours, each colour a matching,
  and swapping along alternating paths evens the matchings out until their
  sizes differ by at most one (de Werra's equitable colouring); with
  `n * required` edges each has exactly `required`. A matching of that size is
  one delegate's full set: different slots, different workshops, and each
  session's seats used at most its free seats over all the colours.

Fewer delegates fit whenever more do (drop one colour), so the largest number
is found by bisection. Pure: numpy and scipy, no database.
"""

import numpy as np
from scipy.sparse import csr_array
from scipy.sparse.csgraph import maximum_flow

SOURCE, SINK = 0, 1


def can_give_full_sets(*, free_seats, required, delegates):
    """Whether `delegates` people can each be given a full set out of `free_seats`.

    `free_seats` maps (time slot, workshop) to the seats free in that slot's
    session of that workshop (zero or less: none); `required` is how many
    sessions make a full set. Any hashable keys will do.
    """
    if delegates <= 0 or required <= 0:
        return True
    seats = {key: int(n) for key, n in free_seats.items() if n > 0}
    slots = {slot: 2 + i for i, slot in enumerate({slot for slot, _ in seats})}
    workshops = {w: 2 + len(slots) + i for i, w in enumerate({w for _, w in seats})}
    if len(slots) < required or sum(seats.values()) < delegates * required:
        return False
    # Arcs: source -> each slot, each slot -> a workshop it runs, each workshop -> sink.
    arcs = (
        [(SOURCE, node, delegates) for node in slots.values()]
        + [(slots[slot], workshops[w], n) for (slot, w), n in seats.items()]
        + [(node, SINK, delegates) for node in workshops.values()]
    )
    tails, heads, capacities = (
        np.array(column, dtype=np.int32) for column in zip(*arcs, strict=True)
    )
    nodes = 2 + len(slots) + len(workshops)
    network = csr_array((capacities, (tails, heads)), shape=(nodes, nodes))
    return maximum_flow(network, SOURCE, SINK).flow_value >= delegates * required


def count_full_sets(*, free_seats, required):
    """The most delegates that can each be given a full set out of `free_seats` (exact).

    Arguments as for `can_give_full_sets`. Tries the counting bound first (one
    flow, usually enough), then bisects below it.
    """
    if required <= 0:
        return 0
    low, high = 0, _upper_bound(free_seats=free_seats, required=required)
    if high and can_give_full_sets(free_seats=free_seats, required=required, delegates=high):
        return high
    while low < high - 1:
        middle = (low + high) // 2
        if can_give_full_sets(free_seats=free_seats, required=required, delegates=middle):
            low = middle
        else:
            high = middle
    return low


def _upper_bound(*, free_seats, required):
    """A count no allocation can beat, from seats alone.

    Each delegate uses `required` different slots, so any `slots - required + 1`
    of the slots hold a seat of every one of them: the fewest seats in that
    many slots is a bound. Likewise for workshops.
    """
    by_slot, by_workshop = {}, {}
    for (slot, workshop), n in free_seats.items():
        by_slot[slot] = by_slot.get(slot, 0) + max(int(n), 0)
        by_workshop[workshop] = by_workshop.get(workshop, 0) + max(int(n), 0)
    if len(by_slot) < required or len(by_workshop) < required:
        return 0
    fewest = [
        sum(sorted(totals.values())[: len(totals) - required + 1])
        for totals in (by_slot, by_workshop)
    ]
    return min(fewest)
