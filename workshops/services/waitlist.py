"""Waiting lists for full sessions: who waits, in what order, and who is next.

A delegate who holds a seat in a time slot may wait for a full session in that
slot while keeping their seat. When a place frees (a cancellation, a change of
workshops, an organiser deleting a booking or raising a capacity), the
transaction that freed it hands it on: `workshops.services.booking`, the one
writer of seats, asks `next_in_line` who is next for the session, swaps each
of them into it (`booking.swap_seat`) and releases their old seat in that
slot, which may in turn serve its own waiting list (`booking.serve_waitlists`).

This module decides *who*, and writes only waiting-list entries; it never
imports `workshops.services.booking` (which imports this module), so the seats
have one writer and the two modules no cycle.

Who is next: the first entries by `position`, then by who joined first, whose
delegate holds a seat in the slot and whose swapped set still passes
`choice_problems` (one seat per slot, no workshop twice, exactly the required
number); anyone else is skipped and keeps their place in the queue. Nobody whose
email address is unconfirmed joins or is promoted (they keep their place).

Why the chain terminates: each promotion deletes the promoted delegate's entry,
and a session is only revisited when a promotion freed a seat in it, so there
are at most as many steps as there are entries.

Why it cannot overbook: a freed seat is handed on one for one, in the same
transaction that freed it, so the session's count never rises above what it
was; any other transaction counting that session still sees the old booking
until we commit. When the organiser raises a capacity, the admin's UPDATE of the
session holds its row lock while we count and fill the new places.

Why it cannot deadlock: every transaction waits for row locks only in the one
order of `registration.services.locking` (the acting delegate, then the
sessions gaining a seat, ascending ids). `next_in_line` never *waits* for a
lock: the person waiting and their entry are locked with
`SELECT ... FOR NO KEY UPDATE SKIP LOCKED` (`try_lock_delegate`,
`try_lock_waitlist_entry`), and someone whose row another transaction holds
(they are changing their own seats at this very moment, or an organiser is
reordering the list) is passed over this time and keeps their place. Their
booking rows are only written by whoever holds their delegate row, so
deleting them never waits; inserts only take `FOR KEY SHARE` on the session
through the foreign key, which does not conflict with the `FOR NO KEY UPDATE`
that bookings take. A transaction that waits for nothing can close no cycle.
On SQLite, IMMEDIATE transactions serialise all of this anyway.
"""

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Max

from registration.errors import UserFacingError
from registration.models import Delegate
from registration.services.confirmation import unconfirmed_message
from registration.services.locking import lock_delegate, try_lock_delegate
from workshops.models import Booking, Session, WaitlistEntry
from workshops.services.choices import choice_problems
from workshops.services.locking import lock_sessions, try_lock_waitlist_entry


class WaitlistError(UserFacingError):
    """Joining or leaving a waiting list is not possible; `message` says why."""


@dataclass(frozen=True)
class Promotion:
    """Someone `next_in_line` chose: `delegate` (locked) gives up `old_booking` for `session`."""

    delegate: Delegate
    session: Session
    old_booking: Booking
    entry: WaitlistEntry


@transaction.atomic
def join_waitlist(*, delegate, session):
    """Put `delegate` at the end of `session`'s waiting list, keeping their seat in that slot.

    Side effects: inserts a `WaitlistEntry`, replacing the delegate's entry for
    another session in the same slot if they had one. Raises `WaitlistError`
    when the session has places (book it instead), the delegate holds no seat
    in that slot, the swap could never be valid, or the delegate's email
    address is not confirmed.
    """
    delegate = lock_delegate(delegate.pk)
    # The session's lock (after the delegate's, as every writer takes them) queues joins
    # to one list: each reads the last position after the one before it committed, so
    # two people joining at once are told 5th and 6th, not both 5th.
    lock_sessions([session.pk])
    session = Session.objects.select_related("time_slot", "workshop").get(pk=session.pk)
    if not delegate.is_active or not delegate.attends_day_two:
        raise WaitlistError("Only delegates attending day two can join a waiting list.")
    if not delegate.email_is_confirmed:
        raise WaitlistError(unconfirmed_message(delegate=delegate, doing="join a waiting list"))
    if session.time_slot.event_id != delegate.event_id:
        raise WaitlistError("That session is not part of your event.")
    held = list(delegate.bookings.select_related("session__time_slot", "session__workshop"))
    if any(b.session_id == session.pk for b in held):
        raise WaitlistError(f"You already have a place in “{session.workshop.title}”.")
    if not any(b.time_slot_id == session.time_slot_id for b in held):
        raise WaitlistError(
            f"Book a full set of workshops first; then you can wait for "
            f"“{session.workshop.title}” while keeping your place in {session.time_slot.name}."
        )
    swapped = [b.session for b in held if b.time_slot_id != session.time_slot_id] + [session]
    problems = choice_problems(event=delegate.event, sessions=swapped)
    if problems:
        raise WaitlistError(" ".join(problems))
    if session.bookings.count() < session.capacity:
        raise WaitlistError(
            f"“{session.workshop.title}” has a place free: choose it and book instead."
        )
    WaitlistEntry.objects.filter(delegate=delegate, time_slot_id=session.time_slot_id).delete()
    last = WaitlistEntry.objects.filter(session=session).aggregate(last=Max("position"))["last"]
    return WaitlistEntry.objects.create(
        delegate=delegate,
        session=session,
        time_slot_id=session.time_slot_id,
        position=(last or 0) + 1,
    )


@transaction.atomic
def leave_waitlist(*, delegate, session_id):
    """Take `delegate` off the waiting list of `session_id`; return whether they were on it.

    Side effects: deletes the entry. Locks the delegate first, so a promotion
    running at this moment either finishes first or passes them over.
    """
    lock_delegate(delegate.pk)
    deleted, _ = WaitlistEntry.objects.filter(delegate=delegate, session_id=session_id).delete()
    return bool(deleted)


def drop_waitlist_entries(*, delegate, session_ids=None):
    """Take `delegate` off the waiting lists of `session_ids` (None: off every list).

    The booking service calls it, holding the delegate's lock, for the sessions
    the delegate has just gained a seat in, and for every list when they cancel.
    Side effects: deletes the entries.
    """
    entries = WaitlistEntry.objects.filter(delegate=delegate)
    if session_ids is not None:
        if not session_ids:
            return
        entries = entries.filter(session_id__in=session_ids)
    entries.delete()


def sessions_with_waiting(*, session_ids):
    """Those of `session_ids` that someone waits for, ascending (one query)."""
    waiting = set(
        WaitlistEntry.objects.filter(session_id__in=session_ids)
        .order_by()  # the default ordering would join each entry's session and time slot
        .values_list("session_id", flat=True)
    )
    return [pk for pk in sorted(session_ids) if pk in waiting]


def next_in_line(*, session_id, seats):
    """Choose up to `seats` people waiting for `session_id` to move into it now, in order.

    Must run inside the transaction that freed the places, which then moves
    each of them (`workshops.services.booking.swap_seat`). Never more than the
    places the session has free as this transaction sees it. Returns a list of
    `Promotion`, each delegate and entry locked without waiting: people busy in
    another transaction, and people whose swap would break a rule, are passed
    over and keep their place. Writes nothing.
    """
    session = Session.objects.select_related("time_slot__event", "workshop").get(pk=session_id)
    seats = min(seats, session.capacity - session.bookings.count())
    chosen = []
    if seats <= 0:
        return chosen
    for entry in WaitlistEntry.objects.filter(session_id=session_id).order_by("position", "pk"):
        if len(chosen) == seats:
            break
        delegate = try_lock_delegate(entry.delegate_id, related=["event", "agency"])
        if delegate is None or try_lock_waitlist_entry(entry.pk) is None:
            continue  # changing their own seats right now, or an organiser is moving the entry
        old = _seat_to_give_up(delegate=delegate, session=session)
        if old is not None:
            chosen.append(
                Promotion(delegate=delegate, session=session, old_booking=old, entry=entry)
            )
    return chosen


def _seat_to_give_up(*, delegate, session):
    """The delegate's booking in `session`'s slot, if swapping it for `session` keeps the rules."""
    if not delegate.is_active or not delegate.attends_day_two or not delegate.email_is_confirmed:
        return None
    held = list(delegate.bookings.select_related("session__time_slot", "session__workshop"))
    old = next((b for b in held if b.time_slot_id == session.time_slot_id), None)
    if old is None or old.session_id == session.pk:
        return None
    swapped = [b.session for b in held if b.pk != old.pk] + [session]
    if choice_problems(event=delegate.event, sessions=swapped):
        return None
    return old


def waiting_places(*, delegate, waits=None):
    """The delegate's entries with `place` (1 = next to be served); one query, two if any.

    Most delegates wait for nothing: a plain lookup comes first (0.4 ms), then the
    entries with their places and sessions (1.6 ms) only if there are some. A
    caller that already knows whether they wait for any (`waits`, read with other
    things in one query) saves the lookup.
    """
    if waits is None:
        waits = WaitlistEntry.objects.filter(delegate=delegate).exists()
    if not waits:
        return []
    return list(
        WaitlistEntry.objects.with_place()
        .filter(delegate=delegate)
        .select_related("session__workshop", "session__room", "time_slot")
        .order_by("time_slot__starts_at")
    )


def _waiting_places_by_session(*, delegate, sessions):
    """{session id: place} of the delegate's waiting-list entries; no query if they wait for none.

    Most choosers wait for nothing: the sessions' `waiting` (from the query that
    found them) says so, and only if they wait for some are their places counted
    (1.3 ms).
    """
    if not any(s.waiting for s in sessions):
        return {}
    return dict(
        WaitlistEntry.objects.with_place()
        .filter(delegate=delegate)
        .values_list("session_id", "place")
    )


def mark_waitlist_options(*, delegate, sessions, held_ids):
    """Set `waiting_place`, `can_wait` and `can_wait_once_booked` on each of `sessions`.

    No query, one when the delegate is on a waiting list.

    `sessions` come from `workshops.models.sessions_on_offer_held_by` (seats
    counted, `waiting` annotated). A delegate can wait for a
    full session in a slot where they hold a seat, unless they hold its workshop in
    another slot (`join_waitlist` would refuse the swap as a workshop held twice).
    """
    places = _waiting_places_by_session(delegate=delegate, sessions=sessions)
    held = {s.time_slot_id: s.workshop_id for s in sessions if s.pk in held_ids}
    for session in sessions:
        held_elsewhere = {w for slot, w in held.items() if slot != session.time_slot_id}
        session.waiting_place = places.get(session.pk)
        session.can_wait = (
            session.places_left <= 0
            and session.pk not in held_ids
            and session.time_slot_id in held
            and session.workshop_id not in held_elsewhere
        )
        # Someone who holds nothing yet cannot wait (a wait is a swap of a seat held in the
        # round), but is told the list is there once they have booked.
        session.can_wait_once_booked = session.places_left <= 0 and not held
    return sessions
