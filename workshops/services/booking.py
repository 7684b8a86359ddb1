"""The one writer of seats: creates, deletes and moves bookings, and records their history.

Every seat change is a function here, run in one transaction, that records a
`BookingChange` per seat gained, given up or moved, naming its actor: a user
(an organiser), None (the delegate themselves) or a `SystemActor` such as
`WAITING_LIST`. A lint test (tests/workshops/services/test_booking_writers.py)
fails if any other module writes `Booking` or `BookingChange` rows.

- `book_sessions`: a delegate's (or an organiser's) choice of workshops;
- `cancel_registration`: a cancellation, or an erasure, frees every seat;
- `move_delegate`: an organiser moves a seat within a time slot;
- `release_bookings`: an organiser deletes seats in the admin;
- `serve_waitlists` and `swap_seat`: freed seats go to the people waiting;
- `serve_after_capacity_change`: new places go to the people waiting;
- `seat_walk_in`: a delegate with no seat that round takes a free place at a session's door;
- `serve_standby`: free places, then (after the release time) no-shows' seats, go to the
  people on a door's standby queue;
- `bulk_seat_synthetic`: demo and benchmark data, in bulk;
- `forget_history_reasons`: erasure keeps the history rows, not their reasons.

Every function here that changes seats runs as a seat writer (`_writes_seats`):
it notes each seat gained or given up, per delegate and round, and the
outermost one, before its transaction commits, emails each delegate changed
what changed (once, with the net change, nothing if nothing changed) and
raises their calendar entries' SEQUENCE (`workshops.services.seat_changes`).

A seat freed is handed on in the transaction that freed it. The dependency
runs one way: this module imports `workshops.services.waitlist`, which
decides who is promoted (`next_in_line`) and writes only waiting-list entries;
it never imports this module. So the writer of seats is also the one that
hands them on, and no caller can free a seat and forget the people waiting.

Each function here raises a `BookingError` subclass, whose `message` is safe
to show to a delegate, when a rule would break; nothing is written in that
case.

Capacity is enforced by locking, in the one order of
`registration.services.locking`, the delegate and then the session rows about
to gain a seat (ascending ids, `FOR NO KEY UPDATE`; a change of workshops locks
every session chosen, kept or gained, in the one statement that finds them),
then counting their bookings; promotions lock the people waiting without waiting
(`workshops.services.waitlist`). On SQLite the transaction itself takes the
write lock (`transaction_mode=IMMEDIATE`), which serialises writers the same
way. Seats taken are always counted from the bookings, never stored, so no
path (cascades, raw SQL) can leave a stale counter behind; the capacity
trigger (migration 0005) refuses an insert into a full session whoever makes it.
"""

import functools
from collections import Counter, defaultdict, deque

from django.db import transaction
from django.db.models import Count
from django.dispatch import receiver
from django.utils import timezone

from registration.errors import UserFacingError
from registration.models import Delegate
from registration.services.confirmation import unconfirmed_message
from registration.services.locking import lock_delegate, lock_delegates
from registration.signals import delegate_left_day_two, place_handed_over
from socex.plain_insert import insert_unsaved
from workshops.models import Booking, BookingChange, Session
from workshops.services import seat_changes
from workshops.services.choices import choice_problems
from workshops.services.history import (
    SystemActor,
    move_row,
    seat_rows,
    session_label,
)
from workshops.services.locking import lock_chosen_sessions, lock_sessions
from workshops.services.seat_changes import Cause
from workshops.services.standby import (
    mark_seated,
    no_show_ids,
    standby_seat_problem,
    waiting_entries,
)
from workshops.services.waitlist import drop_waitlist_entries, next_in_line, sessions_with_waiting

WAITING_LIST = SystemActor("the waiting list")
BALLOT = SystemActor("the ballot")
SYNTHETIC_DATA = SystemActor("synthetic data")
PROMOTION_REASON = "A place came free and they were next on its waiting list."
NO_SHOW_REASON = "No-show: not checked in anywhere that day; the seat went to someone on standby."


def sessions_in_order(sessions):
    """`sessions` (time slot and room loaded) in `Session`'s own order: by round, then room."""
    return sorted(sessions, key=lambda s: (s.time_slot.starts_at, s.room.name))


def _writes_seats(function):
    """Run `function` as a seat writer: in one transaction, its changes told to each delegate.

    The outermost seat writer opens the transaction and the change set, and
    announces the set (`seat_changes.announce`) after `function` returns, in
    the same transaction; one called inside another adds to its set.
    """

    @functools.wraps(function)
    def writer(*args, **kwargs):
        with seat_changes.collecting() as opened:
            if not opened:
                return function(*args, **kwargs)
            with transaction.atomic():
                result = function(*args, **kwargs)
                seat_changes.announce(seat_changes.current())
                return result

    return writer


def _cause(actor):
    """Why the seats changed, for the email, from who changed them."""
    if actor is None:
        return Cause.DELEGATE
    if actor == WAITING_LIST:
        return Cause.WAITING_LIST
    if actor == BALLOT:
        return Cause.BALLOT
    if isinstance(actor, SystemActor):
        return Cause.SYSTEM
    return Cause.ORGANISER


def _note(*, delegate_id, time_slot_id, was=None, now=None, cause):
    seat_changes.current().note_seat(
        delegate_id=delegate_id, time_slot_id=time_slot_id, was=was, now=now, cause=cause
    )


class BookingError(UserFacingError):
    """A booking rule would break; `message` explains it to the delegate."""


class ChoicesInvalid(BookingError):
    def __init__(self, problems):
        super().__init__(" ".join(problems))
        self.problems = problems


class SessionFull(BookingError):
    def __init__(self, sessions, message=None):
        self.sessions = sessions
        names = "; ".join(f"“{s.workshop.title}” ({s.time_slot.name})" for s in sessions)
        verb = "is" if len(sessions) == 1 else "are"
        super().__init__(
            message
            or f"{names} {verb} now full. "
            "Your previous choices have not changed: please choose again."
        )


class MoveRefused(BookingError):
    """An organiser's move breaks a rule other than capacity."""


class WalkInRefused(BookingError):
    """A walk-in cannot take a seat in that session (they hold one that round, or its workshop)."""


class NotBookable(BookingError):
    """The delegate cannot hold seats at all (cancelled, awaiting approval, day one only, or
    their email address not confirmed)."""


@_writes_seats
def book_sessions(*, delegate, sessions, actor=None):
    """Replace the delegate's seats with exactly `sessions`, all or nothing.

    Side effects: deletes the delegate's bookings that are not in `sessions`,
    creates the missing ones and records each change in the booking history
    as done by `actor` (a user or `SystemActor`; None means the delegate
    themselves); seats given up go to the people waiting for them
    (`serve_waitlists`), and the delegate's waiting-list entries for sessions
    now held are dropped. Raises `ChoicesInvalid`, `SessionFull` or
    `NotBookable` (also for a delegate whose email address is not confirmed)
    and writes nothing when a rule would break, so a delegate
    who asked for a full session keeps the seats they had.
    """
    # Lock the delegate first: two submissions from one person run one after the other.
    delegate = lock_delegate(delegate.pk, related=["event", "agency"])
    if not delegate.is_active:
        raise NotBookable("This registration has been cancelled.")
    if delegate.is_pending:
        raise NotBookable(
            "Your registration is awaiting an organiser's approval; you can choose workshops "
            "once it is approved."
        )
    if not delegate.attends_day_two:
        raise NotBookable("Workshops are on day two; your registration is for day one only.")
    if not delegate.email_is_confirmed:
        raise NotBookable(unconfirmed_message(delegate=delegate, actor=actor))

    wanted = {s.pk for s in sessions}
    locked = lock_chosen_sessions(delegate=delegate, pks=wanted)
    sessions = sessions_in_order(locked)
    problems = choice_problems(event=delegate.event, sessions=sessions)
    if problems:
        raise ChoicesInvalid(problems)

    kept = [s for s in sessions if s.held]
    given_up = []
    if not locked or locked[0].seats_held > len(kept):  # they hold seats outside this choice
        given_up = sessions_in_order(
            Session.objects.filter(bookings__delegate=delegate)
            .exclude(pk__in=wanted)
            .select_related("time_slot", "workshop", "room")
            .order_by()
        )
    held_in_slot = {s.time_slot_id: s.pk for s in [*kept, *given_up]}
    held = set(held_in_slot.values())
    gaining = sorted(wanted - held)
    if gaining:
        # Counted after the locks were granted, so every seat committed meanwhile is seen.
        taken = dict(
            Booking.objects.filter(session_id__in=gaining)
            .order_by()
            .values("session_id")
            .annotate(n=Count("pk"))
            .values_list("session_id", "n")
        )
        full = [s for s in sessions if s.pk in gaining and taken.get(s.pk, 0) >= s.capacity]
        if full:
            raise SessionFull(full)

    released = held - wanted
    if released:
        Booking.objects.filter(delegate=delegate, session_id__in=released).delete()
    booked = [s for s in sessions if s.pk in gaining]
    # One plain INSERT: bulk_create's compiler was most of the cost of a choice's rows.
    insert_unsaved(
        Booking(
            delegate=delegate,
            session=s,
            time_slot_id=s.time_slot_id,
            workshop_id=s.workshop_id,
        )
        for s in booked
    )
    _record_seats(
        delegate_id=delegate.pk,
        actor=actor,
        booked=booked,
        released=given_up,
    )
    wanted_in_slot = {s.time_slot_id: s.pk for s in sessions}
    for slot in sorted(held_in_slot.keys() | wanted_in_slot.keys()):
        _note(
            delegate_id=delegate.pk,
            time_slot_id=slot,
            was=held_in_slot.get(slot),
            now=wanted_in_slot.get(slot),
            cause=_cause(actor),
        )
    # What the email needs, as loaded here: who they are, the sessions, the seats they now hold.
    seat_changes.current().know(
        delegate=delegate,
        sessions=[*locked, *given_up],
        seats=[
            Booking(delegate=delegate, session=s, time_slot=s.time_slot, workshop=s.workshop)
            for s in sorted(sessions, key=lambda s: s.time_slot.starts_at)
        ],
    )
    if held:  # a first booking frees nothing and waits for nothing: skip the waiting lists
        drop_waitlist_entries(delegate=delegate, session_ids=gaining)
        serve_waitlists(freed=Counter(released))
    return sorted(sessions, key=lambda s: s.time_slot.starts_at)


@_writes_seats
def cancel_registration(*, delegate, actor=None, notify=True):
    """Cancel a registration and free its seats at once.

    Side effects: marks the delegate cancelled, deletes their bookings (each
    recorded in the booking history as released by `actor`, None meaning the
    delegate) and waiting-list entries, spends any unused booking links and
    hands the freed seats to the people waiting (`serve_waitlists`). With
    `notify`, queues the cancellation email, whose calendar file cancels the
    seats released (without: an erasure, which mails nobody). Cancelling twice
    is harmless and sends nothing more.
    """
    delegate = lock_delegate(delegate.pk)
    held = list(delegate.bookings.values_list("time_slot_id", "session_id"))
    released_ids = [session_id for _, session_id in held]
    delegate.bookings.all().delete()
    _record_seats(delegate_id=delegate.pk, actor=actor, released_ids=released_ids)
    changes = seat_changes.current()
    for slot, session_id in held:
        _note(delegate_id=delegate.pk, time_slot_id=slot, was=session_id, cause=_cause(actor))
    if not notify:
        changes.keep_quiet(delegate_ids=[delegate.pk])
    elif delegate.status != Delegate.Status.CANCELLED:
        changes.registration_cancelled(
            delegate_id=delegate.pk, by_organiser=_cause(actor) == Cause.ORGANISER
        )
    drop_waitlist_entries(delegate=delegate)
    serve_waitlists(freed=Counter(released_ids))
    delegate.manage_links.filter(used_at__isnull=True).delete()
    if delegate.status != Delegate.Status.CANCELLED:
        delegate.status = Delegate.Status.CANCELLED
        delegate.save(update_fields=["status", "updated_at"])
    return delegate


@_writes_seats
def leave_day_two(*, delegate, actor=None):
    """Give up everything `delegate` holds on day two: seats, waiting lists, rankings.

    Must run inside the transaction that records that they no longer attend
    day two, holding their lock (`registration.services.details`). Side
    effects: deletes their bookings (each recorded in the booking history as
    released by `actor`, None meaning the delegate), waiting-list entries and
    ballot rankings, and hands the freed seats to the people waiting; the
    delegate is emailed the seats given up, with a calendar file cancelling them.
    """
    held = list(delegate.bookings.values_list("time_slot_id", "session_id"))
    released_ids = [session_id for _, session_id in held]
    delegate.bookings.all().delete()
    _record_seats(delegate_id=delegate.pk, actor=actor, released_ids=released_ids)
    for slot, session_id in held:
        _note(delegate_id=delegate.pk, time_slot_id=slot, was=session_id, cause=Cause.LEFT_DAY_TWO)
    drop_waitlist_entries(delegate=delegate)
    delegate.preferences.all().delete()
    serve_waitlists(freed=Counter(released_ids))


@receiver(delegate_left_day_two)
def _release_day_two(sender, *, delegate, actor=None, **kwargs):
    leave_day_two(delegate=delegate, actor=actor)


HANDOVER = SystemActor("a handover")


@_writes_seats
def hand_over_place(*, old, new):
    """Move `old`'s seats, waiting-list places and rankings to `new`, who takes their place.

    Must run inside the handover's transaction, holding `old`'s lock, with
    `new` just inserted (`registration.services.handover`). Seats move as
    they are, so no capacity changes; each is recorded in the booking history
    as released by `old` and booked by `new`, both by "a handover". Like every
    seat change, each is emailed: `old` a calendar file cancelling their
    entries, `new` their booking confirmation with their timetable.
    """
    seats = list(old.bookings.values_list("time_slot_id", "session_id"))
    session_ids = [session_id for _, session_id in seats]
    old.bookings.update(delegate=new)
    old.waitlist.update(delegate=new)
    old.preferences.update(delegate=new)
    _record_seats(delegate_id=old.pk, actor=HANDOVER, released_ids=session_ids)
    sessions = Session.objects.filter(pk__in=session_ids).select_related("workshop", "time_slot")
    _record_seats(delegate_id=new.pk, actor=HANDOVER, booked=list(sessions))
    for slot, session_id in seats:
        _note(delegate_id=old.pk, time_slot_id=slot, was=session_id, cause=Cause.HANDOVER)
        _note(delegate_id=new.pk, time_slot_id=slot, now=session_id, cause=Cause.HANDOVER)


@receiver(place_handed_over)
def _hand_over(sender, *, old, new, **kwargs):
    hand_over_place(old=old, new=new)


@_writes_seats
def move_delegate(*, delegate, from_session, to_session, actor, override=0, reason=""):
    """Move the delegate's seat from `from_session` to `to_session` in the same time slot.

    Locks the delegate, then the one session gaining a seat, and counts its
    bookings, as `book_sessions` does. The target must have a free seat, unless
    `actor` holds `workshops.override_capacity` and allows `override` seats
    beyond capacity, giving a `reason`. Side effects: replaces the booking and
    records the move (with the override and reason when the target was full)
    in the booking history; the seat given up goes to the people waiting for it
    (`serve_waitlists`). Raises `MoveRefused`, `NotBookable` or `SessionFull`
    and changes nothing when a rule would break.
    """
    reason = reason.strip()
    if override < 0:
        raise MoveRefused("The capacity override must be zero or more seats.")
    if override and not (actor is not None and actor.has_perm("workshops.override_capacity")):
        raise MoveRefused("You do not have permission to put a session over its capacity.")
    if override and not reason:
        raise MoveRefused("Say why the session may go over its capacity.")

    delegate = lock_delegate(delegate.pk)
    if not delegate.is_active:
        raise NotBookable(f"{delegate}'s registration has been cancelled.")
    by_id = Session.objects.select_related("workshop", "time_slot").in_bulk(
        [from_session.pk, to_session.pk]
    )
    source, target = by_id.get(from_session.pk), by_id.get(to_session.pk)
    if source is None or target is None:
        raise MoveRefused("That session no longer exists.")
    if source.pk == target.pk:
        raise MoveRefused("Choose a different session to move to.")
    if source.time_slot_id != target.time_slot_id:
        raise MoveRefused(
            f"“{target.workshop.title}” runs in {target.time_slot.name}, not "
            f"{source.time_slot.name}: a delegate can only be moved within one time slot."
        )
    held = dict(delegate.bookings.values_list("workshop_id", "session_id"))
    if source.pk not in held.values():
        raise MoveRefused(f"{delegate} has no seat in {session_label(source)}.")
    if target.workshop_id in held:
        raise MoveRefused(
            f"{delegate} already has a seat in “{target.workshop.title}” in another time slot."
        )

    (locked,) = lock_sessions([target.pk])
    capacity = locked.capacity
    taken = Booking.objects.filter(session_id=target.pk).count()
    if taken >= capacity + override:
        beyond = f", even allowing {override} over" if override else ""
        raise SessionFull(
            [target],
            message=(
                f"{session_label(target)} is full: {taken} of {capacity} seats taken{beyond}. "
                f"{delegate} keeps their seat in {session_label(source)}."
            ),
        )

    over_capacity = taken >= capacity
    booking = _move_seat(
        delegate=delegate,
        source=source,
        target=target,
        actor=actor,
        beyond_capacity=over_capacity,
        capacity_override=override if over_capacity else 0,
        reason=reason,
    )
    drop_waitlist_entries(delegate=delegate, session_ids=[target.pk])
    serve_waitlists(freed=Counter([source.pk]))
    return booking


@_writes_seats
def release_bookings(*, bookings, actor, notify=True):
    """Delete seats as an organiser (`actor`), then serve the waiting lists of the sessions freed.

    Side effects: locks each delegate concerned (ascending id), deletes those
    of `bookings` that still exist, records each as released by `actor` in the
    booking history, and promotes people waiting (`serve_waitlists`); each
    delegate changed is emailed, unless `notify` is false for the delegates
    whose seats these are (they are being deleted), not for those promoted.
    Returns the `(delegate, session)` pairs promoted.
    """
    lock_delegates({b.delegate_id for b in bookings})
    doomed = Booking.objects.filter(pk__in=[b.pk for b in bookings])
    seats = list(doomed.values_list("delegate_id", "session_id", "time_slot_id"))
    doomed.delete()
    released = defaultdict(list)
    for delegate_id, session_id, slot in seats:
        released[delegate_id].append(session_id)
        _note(delegate_id=delegate_id, time_slot_id=slot, was=session_id, cause=_cause(actor))
    if not notify:
        seat_changes.current().keep_quiet(delegate_ids=list(released))
    _record_releases(released=released, actor=actor)
    return serve_waitlists(freed=Counter(session_id for _, session_id, _ in seats))


@_writes_seats
def serve_waitlists(*, freed):
    """Hand seats freed in this transaction to the people waiting, in order, along the chain.

    `freed` maps a session id to the number of seats this transaction released
    in it (or, after a capacity increase, the places it added while holding
    the session's row lock). Must run inside that transaction. Whom to move is
    `waitlist.next_in_line`'s choice; each move frees that person's old seat,
    whose own waiting list is served next. Side effects: for each promotion,
    moves the seat (`swap_seat`; the change email tells them) and drops the entry. Returns
    the list of `(delegate, session)` promoted. See `workshops.services.waitlist`
    for why this terminates, cannot overbook and cannot deadlock.
    """
    budget = Counter({pk: n for pk, n in freed.items() if n > 0})
    if not budget:
        return []
    queue = deque(sessions_with_waiting(session_ids=list(budget)))
    promoted = []
    while queue:
        session_id = queue.popleft()
        for promotion in next_in_line(session_id=session_id, seats=budget[session_id]):
            old = promotion.old_booking
            swap_seat(delegate=promotion.delegate, old_booking=old, session=promotion.session)
            drop_waitlist_entries(delegate=promotion.delegate, session_ids=[session_id])
            promoted.append((promotion.delegate, promotion.session))
            budget[old.session_id] += 1
            queue.append(old.session_id)
        budget[session_id] = 0  # places nobody could take stay free for anyone to book
    return promoted


@_writes_seats
def swap_seat(*, delegate, old_booking, session, actor=WAITING_LIST, reason=PROMOTION_REASON):
    """Move `delegate` from `old_booking` into `session`, in the same slot: a promotion.

    The caller holds the delegate's lock and has checked the rules
    (`waitlist.next_in_line`); this only writes. Side effects: deletes the old
    booking, inserts the new one and records the move as done by `actor`. It
    does not serve the waiting list of the seat it frees: `serve_waitlists`,
    its caller, does. Returns the new booking.
    """
    return _move_seat(
        delegate=delegate, source=old_booking.session, target=session, actor=actor, reason=reason
    )


@_writes_seats
def serve_after_capacity_change(*, session, old_capacity):
    """After an organiser raised `session`'s capacity, fill the new places from its waiting list.

    Call inside the transaction that saved the session (its UPDATE holds the
    row lock). Side effects: those of `serve_waitlists`.
    """
    if old_capacity is None or session.capacity <= old_capacity:
        return []
    return serve_waitlists(freed={session.pk: session.capacity - old_capacity})


@_writes_seats
def seat_walk_in(*, delegate, session, actor):
    """Give `delegate`, who holds no seat in `session`'s round, a free place in it: a walk-in.

    Locks the delegate, then the session, and counts its bookings, as
    `book_sessions` does; the seat is added to those they hold (the day's
    attendance, not their choices, is what counts now). Side effects: inserts
    the booking and records it as booked by `actor` (the door). Raises
    `WalkInRefused` (a seat that round, or the workshop in another),
    `NotBookable` or `SessionFull`, and writes nothing then.
    """
    delegate = lock_delegate(delegate.pk, related=["event"])
    session = Session.objects.select_related("time_slot__event", "workshop").get(pk=session.pk)
    held = list(delegate.bookings.all())
    problem = standby_seat_problem(delegate=delegate, session=session, held=held)
    if problem:
        error = NotBookable if not delegate.is_active or delegate.is_pending else WalkInRefused
        raise error(problem)
    (locked,) = lock_sessions([session.pk])
    taken = Booking.objects.filter(session_id=session.pk).count()
    if taken >= locked.capacity:
        raise SessionFull(
            [session], message=f"{session_label(session)} is full: {taken} of {locked.capacity}."
        )
    booking = Booking.objects.create(
        delegate=delegate,
        session=session,
        time_slot_id=session.time_slot_id,
        workshop_id=session.workshop_id,
    )
    _record_seats(delegate_id=delegate.pk, actor=actor, booked=[session])
    _note(
        delegate_id=delegate.pk,
        time_slot_id=session.time_slot_id,
        now=session.pk,
        cause=_cause(actor),
    )
    return booking


@_writes_seats
def serve_standby(*, session, actor, release_no_shows):
    """Seat the people on `session`'s standby queue, in order: in free places, then in no-shows'.

    With `release_no_shows`, each seat of a delegate who has not arrived that
    day (`standby.no_show_ids`) goes, one for one, to the next person waiting;
    the caller has checked that the release time has passed. Locks everyone
    concerned (ascending id), then the session, and checks again under the
    locks, so two doors or two phones serving one queue at once seat each
    person once and never pass capacity. Side effects: for each person seated,
    inserts their booking (recorded as booked by `actor`) and marks their
    entry seated; for each no-show, deletes their booking and records it as
    released by `actor` with the reason. Each is emailed what changed.
    Returns `(seated delegate, released delegate or None)` pairs, in order.
    """
    session = Session.objects.select_related("time_slot__event", "workshop").get(pk=session.pk)
    waiting = waiting_entries(session=session)
    if not waiting:
        return []
    candidates = no_show_ids(session=session) if release_no_shows else []
    locked = {d.pk: d for d in lock_delegates([e.delegate_id for e in waiting] + candidates)}
    (locked_session,) = lock_sessions([session.pk])
    # Again under the locks: anyone may have been seated, arrived or left meanwhile.
    waiting = [e for e in waiting_entries(session=session) if e.delegate_id in locked]
    no_shows = [pk for pk in no_show_ids(session=session) if pk in locked and release_no_shows]
    held = defaultdict(list)
    for booking in Booking.objects.filter(delegate_id__in=[e.delegate_id for e in waiting]):
        held[booking.delegate_id].append(booking)
    free = locked_session.capacity - Booking.objects.filter(session_id=session.pk).count()
    seated = []
    for entry in waiting:
        delegate = locked[entry.delegate_id]
        if standby_seat_problem(delegate=delegate, session=session, held=held[delegate.pk]):
            continue  # they keep their place; an organiser can see why in the admin
        released = None
        if free > 0:
            free -= 1
        elif no_shows:
            released = locked[no_shows.pop(0)]
            Booking.objects.filter(delegate=released, session_id=session.pk).delete()
            rows = seat_rows(delegate_id=released.pk, actor=actor, released=[session])
            for row in rows:
                row.reason = NO_SHOW_REASON
            BookingChange.objects.bulk_create(rows)
            _note(
                delegate_id=released.pk,
                time_slot_id=session.time_slot_id,
                was=session.pk,
                cause=Cause.NO_SHOW,
            )
        else:
            break
        Booking.objects.create(
            delegate=delegate,
            session=session,
            time_slot_id=session.time_slot_id,
            workshop_id=session.workshop_id,
        )
        _record_seats(delegate_id=delegate.pk, actor=actor, booked=[session])
        _note(
            delegate_id=delegate.pk,
            time_slot_id=session.time_slot_id,
            now=session.pk,
            cause=_cause(actor),
        )
        mark_seated(entry=entry)
        seated.append((delegate, released))
    return seated


def bulk_seat_synthetic(*, seats, batch_size=2000):
    """Insert synthetic seats in bulk: `seats` is a list of `(delegate, session)` pairs.

    For the synthetic data generator only: the caller has allocated the seats
    within every session's capacity, so nothing is locked or counted here, and
    nobody waits yet (going through `book_sessions` one delegate at a time
    would take minutes for thousands of people). The capacity trigger still
    refuses a seat in a full session. Side effects: inserts the bookings and
    one history row each, booked by `SYNTHETIC_DATA`.
    """
    Booking.objects.bulk_create(
        (
            Booking(
                delegate=delegate,
                session=session,
                time_slot_id=session.time_slot_id,
                workshop_id=session.workshop_id,
            )
            for delegate, session in seats
        ),
        batch_size=batch_size,
    )
    at = timezone.now()
    BookingChange.objects.bulk_create(
        (
            row
            for delegate, session in seats
            for row in seat_rows(
                delegate_id=delegate.pk, actor=SYNTHETIC_DATA, booked=[session], at=at
            )
        ),
        batch_size=batch_size,
    )
    return len(seats)


def forget_history_reasons(*, delegate):
    """Erasure: keep the delegate's history rows for the counts, without organisers' reasons.

    Reasons are free text and can mention health. Side effects: blanks them.
    """
    BookingChange.objects.filter(delegate=delegate).update(reason="")


def _move_seat(
    *, delegate, source, target, actor, beyond_capacity=False, capacity_override=0, reason=""
):
    """Replace the delegate's seat in `source` with one in `target` and record the move."""
    _note(
        delegate_id=delegate.pk,
        time_slot_id=target.time_slot_id,
        was=source.pk,
        now=target.pk,
        cause=_cause(actor),
    )
    Booking.objects.filter(delegate=delegate, session_id=source.pk).delete()
    booking = Booking.objects.create(
        delegate=delegate,
        session=target,
        time_slot_id=target.time_slot_id,
        workshop_id=target.workshop_id,
        beyond_capacity=beyond_capacity,
    )
    BookingChange.objects.bulk_create(
        [
            move_row(
                delegate_id=delegate.pk,
                actor=actor,
                source=source,
                target=target,
                capacity_override=capacity_override,
                reason=reason,
            )
        ]
    )
    return booking


def _record_seats(*, delegate_id, actor, booked=(), released=(), released_ids=()):
    """Record one history row per session booked and per session (or id) released (one insert).

    Sessions passed need their workshop and time slot loaded; ids are looked up (one query).
    """
    if released_ids:
        released = [
            *released,
            *Session.objects.filter(pk__in=released_ids).select_related("workshop", "time_slot"),
        ]
    insert_unsaved(
        seat_rows(delegate_id=delegate_id, actor=actor, booked=booked, released=released)
    )


def _record_releases(*, released, actor):
    """Record the seats released from several delegates ({delegate id: [session ids]})."""
    if not released:
        return
    ids = {pk for session_ids in released.values() for pk in session_ids}
    sessions = Session.objects.select_related("workshop", "time_slot").in_bulk(ids)
    at = timezone.now()
    BookingChange.objects.bulk_create(
        row
        for delegate_id, session_ids in sorted(released.items())
        for row in seat_rows(
            delegate_id=delegate_id,
            actor=actor,
            released=[sessions[pk] for pk in session_ids],
            at=at,
        )
    )
