"""What one change to seats did to each delegate, per round, told to each of them once.

`workshops.services.booking`, the one writer of seats, opens a `ChangeSet`
around its outermost function (`collecting`) and notes every seat gained or
given up in it (`note_seat`), whatever the cause: the delegate, an organiser,
the waiting list, the ballot, a door. Before that function's transaction
commits, `announce` turns the set into, for each delegate whose seats differ
in some round, one raised SEQUENCE per round changed (`CalendarEntry`) and one
email saying what changed (was, now) with the calendar file. Writers called
inside another (a promotion inside a change of workshops) add to the same
set, so a delegate moved twice in one transaction gets one email with the net
change, and a change that changes nothing sends nothing.

Private to `workshops.services.booking`: nothing else notes seats.
"""

from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from registration.models import Delegate
from workshops.models import Session
from workshops.services.calendar import raise_sequences
from workshops.services.notifications import (
    send_booking_confirmation,
    send_cancellation,
    send_seat_change,
)


class Cause:
    """Why a seat changed, as the email tells it."""

    DELEGATE = "delegate"  # the delegate, on their own page
    ORGANISER = "organiser"  # a person in the admin or at a door
    WAITING_LIST = "waiting_list"
    NO_SHOW = "no_show"  # released at the door to someone on standby
    BALLOT = "ballot"
    LEFT_DAY_TWO = "left_day_two"  # the delegate no longer attends day two
    HANDOVER = "handover"  # the delegate handed their place to a colleague
    SYSTEM = "system"  # anything else (a check-in device)


@dataclass
class RoundChange:
    was: int | None  # session ids, None: no seat that round
    now: int | None
    cause: str


@dataclass
class DelegateChange:
    rounds: dict = field(default_factory=dict)  # time slot id -> RoundChange
    quiet: bool = False
    cancelled: bool = False
    cancelled_by_organiser: bool = False


class ChangeSet:
    """The seats gained and given up in one transaction, per delegate and round.

    A writer may also leave what it loaded (`know`), so that `announce` need
    not load it again: the delegate, the sessions, the seats they hold now.
    """

    def __init__(self):
        self.delegates = {}
        self.known_delegates = {}  # id -> Delegate, event and agency loaded
        self.known_sessions = {}  # id -> Session, workshop, room and time slot loaded
        self.known_seats = {}  # delegate id -> their seats now, as `Booking.timetable()` has them

    def know(self, *, delegate, sessions=(), seats=None):
        """Keep what a writer loaded, under its locks, for `announce`.

        `delegate` with event and agency; `sessions` with workshop, room and
        time slot; `seats`, if given, the delegate's seats after this writer's
        changes (`Booking`s with session, workshop, room and time slot, in slot
        order). What is kept about a delegate holds until another change to
        them is noted (`note_seat`, `keep_quiet`, `registration_cancelled`):
        then `announce` loads them again.
        """
        self.known_delegates[delegate.pk] = delegate
        self.known_sessions.update((s.pk, s) for s in sessions)
        if seats is not None:
            self.known_seats[delegate.pk] = seats

    def _forget(self, delegate_id):
        self.known_delegates.pop(delegate_id, None)
        self.known_seats.pop(delegate_id, None)

    def note_seat(self, *, delegate_id, time_slot_id, was, now, cause):
        """Record that the delegate's seat in that round went from session `was` to `now`."""
        self._forget(delegate_id)
        change = self.delegates.setdefault(delegate_id, DelegateChange())
        round_change = change.rounds.get(time_slot_id)
        if round_change is None:
            change.rounds[time_slot_id] = RoundChange(was=was, now=now, cause=cause)
        else:  # keep what they had before the transaction; the last cause says why
            round_change.now = now
            round_change.cause = cause

    def keep_quiet(self, *, delegate_ids):
        """Email none of these delegates (their record is being deleted or erased)."""
        for delegate_id in delegate_ids:
            self._forget(delegate_id)
            self.delegates.setdefault(delegate_id, DelegateChange()).quiet = True

    def registration_cancelled(self, *, delegate_id, by_organiser=False):
        """The delegate's registration ended: they get the cancellation email instead.

        `by_organiser`: an organiser ended it, and the email says so.
        """
        self._forget(delegate_id)
        change = self.delegates.setdefault(delegate_id, DelegateChange())
        change.cancelled = True
        change.cancelled_by_organiser = by_organiser


_current = ContextVar("seat_changes", default=None)


@contextmanager
def collecting():
    """Open a change set for the seat writer inside, unless one is open; yield whether it did.

    The writer that opened it announces it (`announce`) before its transaction ends.
    """
    if _current.get() is not None:
        yield False
        return
    token = _current.set(ChangeSet())
    try:
        yield True
    finally:
        _current.reset(token)


def current():
    """The change set open now; a seat writer always runs inside one."""
    changes = _current.get()
    if changes is None:
        raise RuntimeError("Seats change only inside a seat writer (workshops.services.booking).")
    return changes


def announce(changes):
    """Raise the SEQUENCE of each round changed and queue one email per delegate changed.

    Call in the transaction that changed the seats, after the last change.
    Side effects: updates or inserts `CalendarEntry` rows; queues, per delegate
    whose seats differ in some round (and who is not `quiet`), the booking
    confirmation (their first seats, whoever chose them), the
    cancellation (a registration ended) or the change email, each with its
    calendar file. Returns the number of emails queued.
    """
    changed = {
        delegate_id: {slot: r for slot, r in change.rounds.items() if r.was != r.now}
        for delegate_id, change in changes.delegates.items()
    }
    ids = [pk for pk, rounds in changed.items() if rounds or changes.delegates[pk].cancelled]
    if not ids:
        return 0
    delegates = _load(
        changes.known_delegates, ids, Delegate.objects.select_related("event", "agency")
    )
    session_ids = {
        pk for rounds in changed.values() for r in rounds.values() for pk in (r.was, r.now) if pk
    }
    sessions = _load(
        changes.known_sessions,
        session_ids,
        Session.objects.select_related("workshop", "room", "time_slot"),
    )
    sent = 0
    for delegate_id in sorted(ids):
        delegate = delegates.get(delegate_id)
        if delegate is None:
            continue  # deleted in this transaction
        rounds = changed[delegate_id]
        sequence_of = raise_sequences(delegate=delegate, time_slot_ids=list(rounds))
        change = changes.delegates[delegate_id]
        if change.quiet:
            continue
        rows = sorted(
            (
                {"was": sessions.get(r.was), "now": sessions.get(r.now), "cause": r.cause}
                for r in rounds.values()
            ),
            key=lambda row: (row["now"] or row["was"]).time_slot.starts_at,
        )
        for row in rows:
            row["time_slot"] = (row["now"] or row["was"]).time_slot
        _send(
            delegate=delegate,
            change=change,
            rows=rows,
            sequence_of=sequence_of,
            seats=changes.known_seats.get(delegate_id),
        )
        sent += 1
    return sent


def _load(known, ids, queryset):
    """{id: row} for `ids`: those `known` as they are, the rest from `queryset` (one query)."""
    rows = {pk: known[pk] for pk in ids if pk in known}
    missing = [pk for pk in ids if pk not in rows]
    if missing:
        rows.update(queryset.in_bulk(missing))
    return rows


def _send(*, delegate, change, rows, sequence_of, seats=None):
    released = [row["was"] for row in rows if row["was"] and not row["now"]]
    if change.cancelled:
        send_cancellation(
            delegate=delegate,
            released=released,
            sequence_of=sequence_of,
            by_organiser=change.cancelled_by_organiser,
        )
        return
    bookings = list(delegate.bookings.timetable()) if seats is None else seats
    gained = {row["time_slot"].pk for row in rows if row["now"]}
    causes = {row["cause"] for row in rows}
    if not any(row["was"] for row in rows) and len(bookings) == len(gained):
        # Their first seats, whoever chose them: the confirmation, which lists them all.
        send_booking_confirmation(delegate=delegate, bookings=bookings, sequence_of=sequence_of)
        return
    send_seat_change(
        delegate=delegate,
        rows=rows,
        bookings=bookings,
        cause=rows[0]["cause"] if len(causes) == 1 else "",
        updated=[b for b in bookings if b.time_slot_id in gained],
        released=released,
        sequence_of=sequence_of,
    )
