"""An organiser changing a session's places or room: never fewer places than seats held.

A seat is counted only under its session's lock (`registration.services.locking`,
"Why no overbooking"), so the count here is taken holding the sessions' locks
(level 6), in the admin's transaction, before the UPDATE that sets the new
capacity: a booking waiting on the lock then sees the new capacity, and one
committed first is counted here. The database's capacity trigger guards
inserts only, so without this an organiser could leave "Places left: -1".
"""

from django.db.models import Count

from workshops.models import Booking
from workshops.services.locking import lock_seated_delegates, lock_sessions


def seats_over_capacity(*, capacities, deleting=()):
    """Of `capacities` ({session id: new capacity}), those below the seats held: {id: seats held}.

    A capacity of None locks the session without checking it (its form had errors).

    `deleting` names sessions the same save deletes: their seated delegates are
    locked first (level 5), as the delete must, so that locking the sessions
    here (level 6) keeps the order. Side effects: locks those delegates and
    every session in `capacities`, until the caller's transaction ends; must
    run inside it.
    """
    if deleting:
        lock_seated_delegates(deleting)
    lock_sessions(capacities)
    # A statement of its own, after the lock: it sees every seat committed while it waited.
    held = dict(
        Booking.objects.filter(session_id__in=list(capacities))
        .order_by()
        .values_list("session_id")
        .annotate(n=Count("pk"))
    )
    return {
        pk: held[pk]
        for pk, capacity in capacities.items()
        if capacity is not None and held.get(pk, 0) > capacity
    }


def seats_held_message(held):
    """What the organiser reads when the places asked for are fewer than the `held` seats."""
    who = "1 delegate holds a seat" if held == 1 else f"{held} delegates hold seats"
    return f"{who} here: move some first, or keep capacity at least {held}."
