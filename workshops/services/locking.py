"""The workshops app's rows in the project's one lock order.

The order, the mode and why they rule out deadlocks and overbooking are in
`registration.services.locking`, which takes every lock; this module only
names the workshops rows it places there (levels 2, 6 and 7).
"""

from django.db.models import Q

from registration.services.locking import joined, lock_row, lock_rows
from workshops.models import AllocationRun, Announcement, Booking, Session, WaitlistEntry


def lock_allocation_run(pk):
    """Lock and return the allocation run (level 2, after its event)."""
    return lock_row(AllocationRun, pk)


def lock_announcement(pk, *, related=()):
    """Lock and return the announcement (level 2), with `related` joined in but not locked."""
    return lock_row(joined(Announcement, related), pk)


def lock_sessions(pks):
    """Lock the sessions with these ids (level 6, after delegates), ascending; return them."""
    return lock_rows(Session, pks)


def lock_sessions_of_choice(*, delegate, pks):
    """Lock the sessions `delegate` holds and those with ids `pks` (level 6); return them.

    For a change of workshops, which must find what the delegate holds before
    it knows which sessions gain a seat: one statement finds and locks both, in
    ascending id, each with its time slot, workshop and room (not locked), and
    `held` says whether the delegate holds a seat in it. The caller holds the
    delegate's lock, so what they hold cannot change meanwhile; it must still
    count the seats taken in a separate statement, after this one, to see
    every seat committed while it waited here.
    """
    theirs = Booking.objects.filter(delegate=delegate).order_by().values("session_id")
    return lock_rows(
        Session.objects.select_related("time_slot", "workshop", "room")
        .with_held_by(delegate)
        .filter(Q(pk__in=sorted(set(pks))) | Q(pk__in=theirs))
    )


def try_lock_waitlist_entry(pk):
    """Lock the waiting-list entry unless someone else holds it, without waiting; else None.

    An organiser reordering or deleting it in the admin holds it until they save.
    """
    return lock_row(WaitlistEntry, pk, skip_locked=True)
