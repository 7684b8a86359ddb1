"""Waiting lists for full sessions, served in order the moment a place frees up.

A delegate who holds a seat in a time slot may wait for a full session in that
slot while keeping their seat. When a place frees (a cancellation, a change of
workshops, an organiser deleting a booking or raising a capacity), the
transaction that freed it calls `serve_waitlists`, which moves the first
eligible person waiting into the place and releases their old seat in that
slot; that seat may in turn serve its own waiting list, and so on. Nobody whose
email address is unconfirmed joins or is promoted (they keep their place).

Why the chain terminates: each promotion deletes the promoted delegate's entry,
and a session is only revisited when a promotion freed a seat in it, so there
are at most as many steps as there are entries.

Why it never breaks the rules: a delegate is promoted only if they hold a seat
in that slot and the swapped set passes `choice_problems` (one seat per slot,
no workshop twice, exactly the required number); anyone else is skipped and
keeps their place in the queue.

Why it cannot overbook: a freed seat is handed on one for one, in the same
transaction that freed it, so the session's count never rises above what it
was; any other transaction counting that session still sees the old booking
until we commit. When the organiser raises a capacity, the admin's UPDATE of the
session holds its row lock while we count and fill the new places.

Why it cannot deadlock: `book_sessions` and `cancel_registration` wait for
locks only in one order (the acting delegate, then the sessions gaining a
seat, ascending ids; see `workshops.services`). Serving a waiting list never
*waits* for another lock: the waiting delegate is locked with
`SELECT ... FOR NO KEY UPDATE SKIP LOCKED`, and a delegate whose row another
transaction holds (they are changing their own seats at this very moment) is
passed over this time and keeps their place. Their booking rows are only
written by whoever holds their delegate row, so deleting them never waits;
inserts only take `FOR KEY SHARE` on the session through the foreign key,
which does not conflict with the `FOR NO KEY UPDATE` that bookings take. A
transaction that waits for nothing can close no cycle. On SQLite, IMMEDIATE
transactions serialise all of this anyway.
"""

from collections import Counter, deque

from django.db import transaction
from django.db.models import Count, Max

from registration.models import Delegate
from workshops.models import Booking, BookingChange, Session, WaitlistEntry
from workshops.services.booking import BookingError, unconfirmed_message
from workshops.services.choices import choice_problems
from workshops.services.history import session_label
from workshops.services.notifications import send_waitlist_promotion


class WaitlistError(BookingError):
    """Joining or leaving a waiting list is not possible; `message` says why."""


@transaction.atomic
def join_waitlist(*, delegate, session):
    """Put `delegate` at the end of `session`'s waiting list, keeping their seat in that slot.

    Side effects: inserts a `WaitlistEntry`, replacing the delegate's entry for
    another session in the same slot if they had one. Raises `WaitlistError`
    when the session has places (book it instead), the delegate holds no seat
    in that slot, the swap could never be valid, or the delegate's email
    address is not confirmed.
    """
    delegate = Delegate.objects.select_for_update(no_key=True).get(pk=delegate.pk)
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
    list(Delegate.objects.select_for_update(no_key=True).filter(pk=delegate.pk).values_list("pk"))
    deleted, _ = WaitlistEntry.objects.filter(delegate=delegate, session_id=session_id).delete()
    return bool(deleted)


def serve_waitlists(*, freed):
    """Hand seats freed in this transaction to the people waiting, in order, along the chain.

    `freed` maps a session id to the number of seats this transaction released
    in it (or, after a capacity increase, the places it added while holding
    the session's row lock). Must run inside that transaction. Side effects:
    for each promotion, deletes the delegate's old seat in that slot and their
    entry, books the new seat and queues an email. Returns the list of
    `(delegate, session)` promoted. See the module docstring for why this
    terminates, cannot overbook and cannot deadlock.
    """
    budget = Counter({pk: n for pk, n in freed.items() if n > 0})
    if not budget:
        return []
    waiting = set(
        WaitlistEntry.objects.filter(session_id__in=budget).values_list("session_id", flat=True)
    )
    queue = deque(pk for pk in sorted(budget) if pk in waiting)
    promoted = []
    while queue:
        session_id = queue.popleft()
        for delegate, session, released_id in _serve_session(session_id, budget[session_id]):
            promoted.append((delegate, session))
            budget[released_id] += 1
            queue.append(released_id)
        budget[session_id] = 0  # places nobody could take stay free for anyone to book
    return promoted


def _serve_session(session_id, seats):
    """Promote up to `seats` eligible people waiting for one session; yield each move."""
    session = Session.objects.select_related("time_slot__event", "workshop").get(pk=session_id)
    seats = min(seats, session.capacity - session.bookings.count())
    if seats <= 0:
        return
    entries = WaitlistEntry.objects.filter(session_id=session_id).order_by("position", "pk")
    for entry in entries:
        if seats == 0:
            return
        delegate = (
            # of=("self",): lock only the delegate row, not the joined event and agency rows.
            Delegate.objects.select_for_update(no_key=True, skip_locked=True, of=("self",))
            .select_related("event", "agency")
            .filter(pk=entry.delegate_id)
            .first()
        )
        if delegate is None:
            continue  # busy changing their own seats right now: passed over this time
        old = _swap_seat(delegate=delegate, session=session)
        if old is None:
            continue
        entry.delete()
        seats -= 1
        send_waitlist_promotion(delegate=delegate, session=session, released=old.session)
        yield delegate, session, old.session_id


def _swap_seat(*, delegate, session):
    """Move `delegate` from their seat in `session`'s slot into `session`, if the rules allow.

    Returns the booking given up, or None (and writes nothing) when the swap is not allowed.
    """
    if not delegate.is_active or not delegate.attends_day_two or not delegate.email_is_confirmed:
        return None
    held = list(delegate.bookings.select_related("session__time_slot", "session__workshop"))
    old = next((b for b in held if b.time_slot_id == session.time_slot_id), None)
    if old is None or old.session_id == session.pk:
        return None
    swapped = [b.session for b in held if b.pk != old.pk] + [session]
    if choice_problems(event=delegate.event, sessions=swapped):
        return None
    old.delete()
    Booking.objects.create(
        delegate=delegate,
        session=session,
        time_slot_id=session.time_slot_id,
        workshop_id=session.workshop_id,
    )
    BookingChange.objects.create(
        delegate=delegate,
        action=BookingChange.Action.MOVED,
        session=session,
        session_label=session_label(session),
        from_session=old.session,
        from_session_label=session_label(old.session),
        actor_name="the waiting list",
        reason="A place came free and they were next on its waiting list.",
    )
    return old


@transaction.atomic
def release_bookings(*, bookings):
    """Delete seats as an organiser, then serve the waiting lists of the sessions freed.

    Side effects: locks each delegate concerned (ascending id), deletes the
    bookings, and promotes people waiting (see `serve_waitlists`).
    """
    booking_ids = [b.pk for b in bookings]
    delegate_ids = sorted({b.delegate_id for b in bookings})
    list(Delegate.objects.select_for_update(no_key=True).filter(pk__in=delegate_ids).order_by("pk"))
    doomed = Booking.objects.filter(pk__in=booking_ids)
    freed = Counter(doomed.values_list("session_id", flat=True))
    doomed.delete()
    return serve_waitlists(freed=freed)


def serve_after_capacity_change(*, session, old_capacity):
    """After an organiser raised `session`'s capacity, fill the new places from its waiting list.

    Call inside the transaction that saved the session (its UPDATE holds the row lock).
    """
    if old_capacity is None or session.capacity <= old_capacity:
        return []
    return serve_waitlists(freed={session.pk: session.capacity - old_capacity})


def waiting_places(*, delegate):
    """The delegate's entries with `place` (1 = next to be served), one query."""
    return list(
        WaitlistEntry.objects.with_place()
        .filter(delegate=delegate)
        .select_related("session__workshop", "session__room", "time_slot")
        .order_by("time_slot__starts_at")
    )


def waiting_counts(*, sessions):
    """How many people wait for each of `sessions`: {session id: n}, one query."""
    return dict(
        WaitlistEntry.objects.filter(session__in=sessions)
        .values("session_id")
        .annotate(n=Count("pk"))
        .values_list("session_id", "n")
    )


def settle_waitlists_after_change(*, delegate, gained, released):
    """Tidy the waiting lists after `book_sessions` or a cancellation changed seats.

    Side effects: drops the delegate's entries for sessions they now hold, then
    serves the waiting lists of the sessions they released (`serve_waitlists`).
    """
    if gained:
        WaitlistEntry.objects.filter(delegate=delegate, session_id__in=gained).delete()
    return serve_waitlists(freed=Counter(released))


def mark_waitlist_options(*, delegate, sessions, held_ids):
    """Set `waiting_place` and `can_wait` on each of `sessions` for the choose page (one query).

    `sessions` come from `Session.objects.with_seats()`. A delegate can wait for a
    full session in a slot where they hold a seat.
    """
    places = {entry.session_id: entry.place for entry in waiting_places(delegate=delegate)}
    held_slots = {s.time_slot_id for s in sessions if s.pk in held_ids}
    for session in sessions:
        session.waiting_place = places.get(session.pk)
        session.can_wait = (
            session.places_left <= 0
            and session.pk not in held_ids
            and session.time_slot_id in held_slots
        )
    return sessions
