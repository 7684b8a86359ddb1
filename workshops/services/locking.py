"""The workshops app's rows in the project's one lock order.

The order, the mode and why they rule out deadlocks and overbooking are in
`registration.services.locking`, which takes every lock; this module only
names the workshops rows it places there (levels 2, 6, 7 and 8).
"""

from functools import cache
from operator import attrgetter

from django.db import connection
from django.db.models import Count, Subquery
from django.db.models.functions import Coalesce
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from registration.services.locking import (
    PreparedLock,
    joined,
    lock_delegates,
    lock_row,
    lock_rows,
)
from workshops.models import (
    AllocationRun,
    Announcement,
    Booking,
    Facilitator,
    Session,
    WaitlistEntry,
)


def lock_allocation_run(pk):
    """Lock and return the allocation run (level 2, after its event)."""
    return lock_row(AllocationRun, pk)


def lock_announcement(pk, *, related=()):
    """Lock and return the announcement (level 2), with `related` joined in but not locked."""
    return lock_row(joined(Announcement, related), pk)


def lock_facilitator(pk):
    """Lock and return the facilitator (level 2, before any announcement they send)."""
    return lock_row(Facilitator.objects.all(), pk)


def lock_sessions(pks):
    """Lock the sessions with these ids (level 6, after delegates), ascending; return them."""
    return lock_rows(Session, pks)


def lock_waiting_job(task_path):
    """Lock the jobs of `task_path` not started yet (level 7); return the oldest, or None.

    There is normally one at most. A job a worker has claimed meanwhile is no
    longer waiting: under PostgreSQL's READ COMMITTED the row is checked again
    once its lock is granted, and left out.

    On PostgreSQL a transaction-level advisory lock on `task_path` comes first:
    two organisers saving at the same moment could otherwise both find no job
    waiting and queue one each (two emails, the first telling half the change).
    It is the last lock its transaction takes, so it waits on nobody holding it.
    SQLite runs one writer at a time anyway.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [task_path])
    waiting = DBTaskResult.objects.filter(task_path=task_path, status=TaskResultStatus.READY)
    return min(lock_rows(waiting), key=attrgetter("enqueued_at"), default=None)


def lock_seated_delegates(sessions):
    """Lock every delegate holding a seat in `sessions` (a queryset; level 5), ascending.

    For an organiser deleting sessions (or the workshop or time slot they belong
    to): the delete cascades to the seats, and each seat deleted writes its
    delegate's `SeatTally` row, which everyone else writes only holding that
    delegate's lock. Taken first, so the cascade waits for nobody's tally and
    nobody waits for it mid-cascade. Must run inside the deleting transaction.
    """
    seated = Booking.objects.filter(session__in=sessions).values_list("delegate_id", flat=True)
    return lock_delegates(set(seated))


def lock_chosen_sessions(*, delegate, pks):
    """Lock the sessions with ids `pks` that `delegate` chose (level 6); return them in id order.

    For a change of workshops, which must know what the delegate holds before
    it knows which sessions gain a seat: each comes with its time slot,
    workshop and room (not locked), `held` (the delegate holds a seat in it)
    and `seats_held` (how many seats the delegate holds in all, so the caller
    knows whether any lies outside `pks`). The caller holds the delegate's
    lock, so their seats cannot change meanwhile; it must still count the
    seats taken in a separate statement, after this one, to see every seat
    committed while it waited here.
    """
    pks = sorted(set(pks))
    if not pks or len(pks) > PREPARED_CHOICES:
        return lock_rows(_chosen_sessions(delegate=delegate, pks=pks))
    values = {f"pk{i}": pk for i, pk in enumerate(pks)}
    return _prepared_chosen_sessions_lock(len(pks))(delegate=delegate.pk, **values)


# A choice of up to this many sessions is locked by a statement prepared per length.
PREPARED_CHOICES = 12


def _chosen_sessions(*, delegate, pks):
    theirs = Booking.objects.filter(delegate=delegate).order_by().values("delegate")
    return (
        Session.objects.select_related("time_slot", "workshop", "room")
        .with_held_by(delegate)
        .annotate(seats_held=Coalesce(Subquery(theirs.annotate(n=Count("pk")).values("n")), 0))
        .filter(pk__in=pks)
    )


@cache
def _prepared_chosen_sessions_lock(count):
    """`lock_chosen_sessions` for `count` sessions, compiled once per connection: building it
    took about 2 ms of every change of workshops."""
    names = [f"pk{i}" for i in range(count)]
    return PreparedLock(
        Session,
        lambda delegate, **pks: _chosen_sessions(
            delegate=delegate, pks=[pks[name] for name in names]
        ),
        delegate=int,
        **dict.fromkeys(names, int),
    )


def try_lock_waitlist_entry(pk):
    """Lock the waiting-list entry unless someone else holds it, without waiting; else None.

    An organiser reordering or deleting it in the admin holds it until they save.
    """
    return lock_row(WaitlistEntry, pk, skip_locked=True)
