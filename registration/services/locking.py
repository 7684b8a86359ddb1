"""Row locks: the project's one home for `SELECT ... FOR NO KEY UPDATE`, in one order.

A write that uses up something countable (a seat, an agency's places, an
invitation's uses) locks what it consumes inside its transaction, late but
before it counts, as pretix does. Every such lock is taken by a function here
or in `workshops.services.locking` (which adds the workshops app's rows and
calls `lock_rows`); a lint test fails if `select_for_update` appears anywhere
else. `registration` cannot import `workshops`, so the order below names the
workshops app's rows by label only.

The order
---------
A transaction that waits for row locks of several kinds waits for them in
this order, and for rows of one kind in ascending id (`lock_rows` sorts the
ids itself, for every caller, like pretix's `lock_objects`):

1. the event (`lock_event`): publishing a ballot allocation;
2. the event's own records: an allocation run (`lock_allocation_run`), a
   facilitator sending an email (`lock_facilitator`), then an announcement
   (`lock_announcement`);
3. the agency (`lock_agency`): its place limit, while registering;
4. the invitation (`lock_invitation`): its uses, while registering;
5. delegates (`lock_delegate`, `lock_delegates`): whoever's seats, ranking,
   status, waiting-list or standby entries or check-ins change (a scan at a
   door locks the delegate scanned; a no-show release locks everyone it may
   seat or unseat, in one call);
6. sessions (`lock_sessions`): the sessions gaining a seat (a walk-in's or a
   standby's too), or whose capacity an organiser edits; a change of workshops
   (`lock_chosen_sessions`) locks, in one call, every session chosen, those
   kept as well as those gaining a seat, since one statement finds them all;
7. a job not started yet (`lock_waiting_job`): an organiser's timetable change
   adding its rounds to the waiting email job, last, after the sessions it
   saved (the worker claims jobs with SKIP LOCKED, so it never waits on one);
8. waiting-list entries, only ever with SKIP LOCKED (below).

Each transaction asks for each kind at most once, in one call; asking again
for rows it already holds (a ballot publish locks every delegate and session
up front, then books each delegate through `book_sessions`, which locks that
delegate and their sessions again) returns at once.

The mode
--------
Always `FOR NO KEY UPDATE OF <the table itself>`. It conflicts with itself
and with plain FOR UPDATE, so it serialises the writers that count, but not
with the `FOR KEY SHARE` that PostgreSQL takes on a row whenever another row
referencing it is inserted: a waiting-list promotion can insert a booking into
a session that a booking transaction holds, without waiting. Plain FOR UPDATE
is only needed to lock a row you will delete or whose key you will change
while others may reference it; no service does that (a promotion deletes the
waiting-list entry it locked, but nothing references entries). `OF self` keeps
joined rows (`related=`, for `select_related`) unlocked: PostgreSQL cannot
lock the nullable side of an outer join, and locking a delegate's event would
put the event out of order. SQLite has no row locks: there IMMEDIATE
transactions serialise every writer, and these functions only read.

SKIP LOCKED
-----------
A lock taken with SKIP LOCKED (`try_lock_delegate`, `try_lock_waitlist_entry`)
never waits: a row someone else holds is passed over. Waiting-list promotions
use it, for the person waiting and for their entry, which is why they may lock
delegates after sessions: a lock that never waits closes no cycle.

Why no deadlock
---------------
A deadlock is a cycle of transactions, each waiting for a row another holds.
Give every row the rank (its kind's place above, its id). A transaction waits
only for rows ranked above every row it already holds: it takes the kinds in
order, one call each, ascending ids within the call, and re-asking for a held
row never waits. Around a cycle each transaction would hold a row and wait for
a higher-ranked one held by the next, so the ranks would rise all the way
round and back to where they started: impossible. The locks PostgreSQL takes
by itself keep to this too:

- FOR KEY SHARE (inserting a row that references another) conflicts only with
  plain FOR UPDATE and with deleting the referenced row. No service takes the
  first; the one such delete, an organiser deleting a delegate in the admin,
  comes after everything else in its transaction, and whoever holds KEY SHARE
  on that delegate (sending an announcement, say) waits for nothing it holds;
- an UPDATE takes the row's NO KEY UPDATE lock: updating a session's capacity
  is the first lock the admin takes (`SessionAdmin.save_model`), or comes after
  `lock_sessions` on the same rows (`WorkshopAdmin.save_formset`), and a
  delegate's row is updated by the holder of its lock;
- rows written without an explicit lock (bookings, booking history,
  waiting-list and standby entries, check-ins, preferences) belong to one
  delegate and are written by the transaction holding that delegate's lock,
  so writing them waits for nobody; the unique keys that could make two
  inserts wait for each other (one seat per slot, one entry per slot, one
  admission per door) include that delegate too. Booking links
  and stored emails are also written by requests that take no lock of the
  order at all, so they can hold up nobody's order.

The workshops app's seat tally (one row per delegate, written by database
triggers whenever that delegate's seats or row are written) is written only by
the holder of that delegate's lock too: an admin delete of sessions, workshops
or time slots, which cascades to seats, first locks the delegates seated there.

Outside the argument: an organiser editing waiting-list entries in the admin
(promotions skip those entries rather than wait) and admin deletes of
sessions, workshops, time slots or events, which cascade to seats without
history (someone booking into such a session in the instant between the
delete locking its seated delegates and deleting is not locked). If such a
delete ever closed a cycle, PostgreSQL would abort one of the transactions;
nothing would be overbooked.

Why no overbooking
------------------
Capacity is only ever counted by a transaction holding the lock of what it
counts: `book_sessions` and `move_delegate` hold each session gaining a seat
(level 6) while they count its bookings, in a statement of their own sent after
the lock was granted (one sent before, or a subquery of the locking statement,
reads a snapshot older than the seats committed while it waited), and insert, so two of them on one
session run one after the other and the second sees the first's seat; agency
places and invitation uses are counted under levels 3 and 4 the same way. A
waiting-list promotion gives a seat only in exchange for one freed in the same
transaction, or for a place an organiser added while their UPDATE holds the
session's row, so no count ever rises past capacity; the capacity trigger
(migration `workshops.0005`) refuses any insert that would.
"""

from functools import cache

from django.db import router, transaction
from django.db.transaction import TransactionManagementError

from registration.models import Agency, Delegate, Event, Invitation
from socex.prepared import PreparedQuery

# A kind's place in the lock order is its index here (see the module docstring).
LOCK_ORDER = (
    "registration.event",
    "workshops.allocationrun",
    "workshops.facilitator",
    "workshops.announcement",
    "registration.agency",
    "registration.invitation",
    "registration.delegate",
    "workshops.session",
    "django_tasks_database.dbtaskresult",
)
# Locked only with SKIP LOCKED, which never waits, so they need no place in the order.
SKIP_LOCKED_ONLY = ("workshops.waitlistentry",)


def lock_rows(rows, pks=None, *, skip_locked=False):
    """Lock `rows` (a model, manager or queryset) FOR NO KEY UPDATE; return them in id order.

    `pks`, if given, narrows to those ids, in any order and with repeats: they
    are sorted here, and the rows are locked in ascending id (`ORDER BY id`),
    so no caller can take one kind in two orders. With `skip_locked`, rows
    another transaction holds are left out instead of waited for. Must run
    inside a transaction. Raises `ValueError` for a model with no place in
    `LOCK_ORDER`, so a new kind of lock has to be placed in the order first.
    """
    queryset = rows._default_manager.all() if isinstance(rows, type) else rows.all()
    _check_lock_order(queryset.model._meta.label_lower, skip_locked=skip_locked)
    if pks is not None:
        queryset = queryset.filter(pk__in=sorted(set(pks)))
    return list(_for_no_key_update(queryset, skip_locked=skip_locked))


def _check_lock_order(label, *, skip_locked):
    if label not in LOCK_ORDER and not (skip_locked and label in SKIP_LOCKED_ONLY):
        raise ValueError(
            f"{label} has no place in the lock order: add it to LOCK_ORDER in "
            "registration.services.locking and say there why it goes where it does."
        )


def _for_no_key_update(queryset, *, skip_locked=False):
    return queryset.select_for_update(no_key=True, skip_locked=skip_locked, of=("self",)).order_by(
        "pk"
    )


def _check_in_transaction(model):
    # Django refuses a select_for_update outside a transaction when it compiles one; a
    # prepared query is compiled once, so the check is made here on every call.
    connection = transaction.get_connection(router.db_for_write(model))
    if connection.features.has_select_for_update and connection.get_autocommit():
        raise TransactionManagementError(
            "select_for_update cannot be used outside of a transaction."
        )


class PreparedLock:
    """`lock_rows(build(**values))` with its SQL compiled once per connection (`socex.prepared`).

    For a lock taken on every request of a kind (a delegate's, the sessions they
    chose): building and compiling the locking SELECT cost more CPU than the
    database spends on it. `build` takes the values (`types`: ints or strs, as
    `PreparedQuery`) in exact-match filters only and returns a queryset of
    `model`, which must have its place in `LOCK_ORDER`. Calling it locks and
    returns the rows in id order; outside a transaction it raises
    `TransactionManagementError`, as Django's `select_for_update` does.
    """

    def __init__(self, model, build, **types):
        _check_lock_order(model._meta.label_lower, skip_locked=False)
        self.model = model
        self.query = PreparedQuery(
            model, lambda **values: _for_no_key_update(build(**values)), **types
        )

    def __call__(self, **values):
        _check_in_transaction(self.model)
        return self.query(**values)


@cache
def _prepared_row_lock(model, related):
    """`lock_row(joined(model, related), pk)`, prepared: the first statement of every seat
    change and of confirming an address (building and compiling it cost about 0.7 ms)."""
    return PreparedLock(model, lambda pk: joined(model, related).filter(pk=pk), pk=int)


def lock_row(rows, pk, *, skip_locked=False):
    """Lock the row of `rows` with id `pk` and return it.

    Raises the model's `DoesNotExist` if there is none; with `skip_locked`,
    returns None instead, and also when another transaction holds the row.
    """
    locked = lock_rows(rows, [pk], skip_locked=skip_locked)
    if locked:
        return locked[0]
    if skip_locked:
        return None
    model = rows if isinstance(rows, type) else rows.model
    raise model.DoesNotExist(f"No {model._meta.verbose_name} with id {pk}.")


# Registration's rows, by their place in the order.


def lock_event(pk):
    """Lock and return the event (level 1)."""
    return lock_row(Event, pk)


def lock_agency(pk):
    """Lock and return the agency (level 3), whose live delegates count against its place limit."""
    return lock_row(Agency, pk)


def lock_invitation(*, event, code):
    """Lock and return `event`'s invitation with this (normalised) `code`, or None (level 4).

    Its agency comes along unlocked.
    """
    locked = lock_rows(Invitation.objects.select_related("agency").filter(event=event, code=code))
    return locked[0] if locked else None


def lock_delegate(pk, *, related=()):
    """Lock and return the delegate (level 5), with `related` joined in but not locked."""
    if type(pk) is not int:
        return lock_row(joined(Delegate, related), pk)
    locked = _prepared_row_lock(Delegate, tuple(related))(pk=pk)
    if not locked:
        raise Delegate.DoesNotExist(f"No {Delegate._meta.verbose_name} with id {pk}.")
    return locked[0]


def lock_live_delegate(pk, *, email, related=()):
    """Lock the delegate (level 5) and return them if still live at `email`, else None.

    For work that found a delegate by address before locking (a worker's job
    emailing them): under the lock, a registration cancelled, erased or
    anonymised, or an address changed, meanwhile is seen, and nothing is sent.
    """
    delegate = next(iter(lock_rows(joined(Delegate, related), [pk])), None)
    if (
        delegate is None
        or delegate.status in (Delegate.Status.CANCELLED, Delegate.Status.ERASED)
        or delegate.anonymised_at is not None
        or delegate.email != email
    ):
        return None
    return delegate


def lock_delegates(pks):
    """Lock the delegates with these ids (level 5), ascending; return them in id order."""
    return lock_rows(Delegate, pks)


def try_lock_delegate(pk, *, related=()):
    """Lock the delegate if nobody else holds them, without waiting; None if someone does."""
    return lock_row(joined(Delegate, related), pk, skip_locked=True)


def joined(model, related):
    """`model`'s rows with `related` joined in (none at all when it is empty)."""
    # select_related() with no names would join every non-null relation.
    return model.objects.select_related(*related) if related else model.objects.all()
