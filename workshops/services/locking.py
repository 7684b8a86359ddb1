"""The workshops app's rows in the project's one lock order.

The order, the mode and why they rule out deadlocks and overbooking are in
`registration.services.locking`, which takes every lock; this module only
names the workshops rows it places there (levels 2, 6 and 7).
"""

from registration.services.locking import joined, lock_row, lock_rows
from workshops.models import AllocationRun, Announcement, Session, WaitlistEntry


def lock_allocation_run(pk):
    """Lock and return the allocation run (level 2, after its event)."""
    return lock_row(AllocationRun, pk)


def lock_announcement(pk, *, related=()):
    """Lock and return the announcement (level 2), with `related` joined in but not locked."""
    return lock_row(joined(Announcement, related), pk)


def lock_sessions(pks):
    """Lock the sessions with these ids (level 6, after delegates), ascending; return them."""
    return lock_rows(Session, pks)


def try_lock_waitlist_entry(pk):
    """Lock the waiting-list entry unless someone else holds it, without waiting; else None.

    An organiser reordering or deleting it in the admin holds it until they save.
    """
    return lock_row(WaitlistEntry, pk, skip_locked=True)
