"""The only code that creates or deletes bookings.

Every function here runs in one transaction and raises a `BookingError`
subclass, whose `message` is safe to show to a delegate, when a rule would
break; nothing is written in that case.

Capacity is enforced by locking the session rows that are about to gain a
seat (`SELECT ... FOR UPDATE`, always in ascending id order so that two
transactions can never wait on each other in a cycle), then counting their
bookings. On SQLite the transaction itself takes the write lock
(`transaction_mode=IMMEDIATE`), which serialises writers the same way.
Seats taken are always counted from the bookings, never stored, so no path
(admin bulk delete, cascades, raw SQL) can leave a stale counter behind.
"""

from django.db import transaction
from django.db.models import Count

from registration.errors import UserFacingError
from registration.models import Delegate
from workshops.models import Booking, BookingChange, Session
from workshops.services.choices import choice_problems
from workshops.services.history import actor_fields, record_booking_changes, session_label


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


class NotBookable(BookingError):
    """The delegate cannot hold seats at all (cancelled, awaiting approval, day one only, or
    their email address not confirmed)."""


def unconfirmed_message(*, delegate, actor=None, doing="choose workshops"):
    """Why someone whose address is not confirmed cannot `doing`, for them or an organiser."""
    if actor is not None:
        return (
            f"{delegate} has not confirmed their email address yet, so they cannot hold "
            "seats. Resend their confirmation email, or confirm the address yourself."
        )
    return (
        f"Confirm your email address before you {doing}: type the 6-digit code we emailed "
        f"to {delegate.email}, or open the link in that email."
    )


@transaction.atomic
def book_sessions(*, delegate, sessions, actor=None):
    """Replace the delegate's seats with exactly `sessions`, all or nothing.

    Side effects: deletes the delegate's bookings that are not in `sessions`,
    creates the missing ones and records each change in the booking history
    as done by `actor` (a user; None means the delegate themselves); seats
    given up go to the people waiting for them, and waiting-list entries for
    sessions now held are dropped (`workshops.waitlist`). Raises
    `ChoicesInvalid`, `SessionFull` or `NotBookable` (also for a delegate
    whose email address is not confirmed) and writes nothing when a rule
    would break, so a delegate who asked for a full session keeps the seats
    they had.
    """
    # Lock the delegate first: two submissions from one person run one after the other.
    # NO KEY UPDATE (here and below) still serialises bookings but lets other
    # transactions insert rows that reference these (FOR KEY SHARE), which is
    # what keeps waiting-list promotions from ever waiting (see workshops.waitlist).
    delegate = (
        Delegate.objects.select_for_update(no_key=True, of=("self",))
        .select_related("event")
        .get(pk=delegate.pk)
    )
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

    sessions = list(
        Session.objects.filter(pk__in=[s.pk for s in sessions]).select_related(
            "time_slot", "workshop"
        )
    )
    problems = choice_problems(event=delegate.event, sessions=sessions)
    if problems:
        raise ChoicesInvalid(problems)

    held = set(delegate.bookings.values_list("session_id", flat=True))
    wanted = {s.pk for s in sessions}
    gaining = sorted(wanted - held)
    if gaining:
        capacities = dict(
            Session.objects.select_for_update(no_key=True)
            .filter(pk__in=gaining)
            .order_by("pk")
            .values_list("pk", "capacity")
        )
        taken = dict(
            Booking.objects.filter(session_id__in=gaining)
            .values("session_id")
            .annotate(n=Count("pk"))
            .values_list("session_id", "n")
        )
        full = [
            s for s in sessions if s.pk in capacities and taken.get(s.pk, 0) >= capacities[s.pk]
        ]
        if full:
            raise SessionFull(full)

    released = held - wanted
    if released:
        Booking.objects.filter(delegate=delegate, session_id__in=released).delete()
    Booking.objects.bulk_create(
        Booking(
            delegate=delegate,
            session=s,
            time_slot_id=s.time_slot_id,
            workshop_id=s.workshop_id,
        )
        for s in sessions
        if s.pk in gaining
    )
    record_booking_changes(
        delegate=delegate,
        actor=actor,
        booked=[s for s in sessions if s.pk in gaining],
        released_ids=released,
    )
    if held:  # a first booking frees nothing and waits for nothing: skip the waiting lists
        from workshops.services.waitlist import (
            settle_waitlists_after_change,  # waitlist builds on this module
        )

        settle_waitlists_after_change(delegate=delegate, gained=gaining, released=released)
    return sorted(sessions, key=lambda s: s.time_slot.starts_at)


@transaction.atomic
def cancel_registration(*, delegate, actor=None):
    """Cancel a registration and free its seats at once.

    Side effects: marks the delegate cancelled, deletes their bookings (each
    recorded in the booking history as released by `actor`, None meaning the
    delegate) and waiting-list entries, spends any unused booking links and
    hands the freed seats to the people waiting
    (`workshops.waitlist.serve_waitlists`). Cancelling twice is harmless.
    """
    from workshops.services.waitlist import (
        settle_waitlists_after_change,  # waitlist builds on this module
    )

    delegate = Delegate.objects.select_for_update(no_key=True).get(pk=delegate.pk)
    released_ids = list(delegate.bookings.values_list("session_id", flat=True))
    delegate.bookings.all().delete()
    record_booking_changes(delegate=delegate, actor=actor, released_ids=released_ids)
    delegate.waitlist.all().delete()
    settle_waitlists_after_change(delegate=delegate, gained=(), released=released_ids)
    delegate.manage_links.filter(used_at__isnull=True).delete()
    if delegate.status != Delegate.Status.CANCELLED:
        delegate.status = Delegate.Status.CANCELLED
        delegate.save(update_fields=["status", "updated_at"])
    return delegate


@transaction.atomic
def move_delegate(*, delegate, from_session, to_session, actor, override=0, reason=""):
    """Move the delegate's seat from `from_session` to `to_session` in the same time slot.

    Locks the delegate, then the one session gaining a seat, and counts its
    bookings, as `book_sessions` does. The target must have a free seat, unless
    `actor` holds `workshops.override_capacity` and allows `override` seats
    beyond capacity, giving a `reason`. Side effects: replaces the booking and
    records the move (with the override and reason when the target was full)
    in the booking history; the seat given up goes to the people waiting for it
    (`workshops.waitlist`). Raises `MoveRefused`, `NotBookable` or
    `SessionFull` and changes nothing when a rule would break.
    """
    reason = reason.strip()
    if override < 0:
        raise MoveRefused("The capacity override must be zero or more seats.")
    if override and not (actor is not None and actor.has_perm("workshops.override_capacity")):
        raise MoveRefused("You do not have permission to put a session over its capacity.")
    if override and not reason:
        raise MoveRefused("Say why the session may go over its capacity.")
    from workshops.services.waitlist import (
        settle_waitlists_after_change,  # waitlist builds on this module
    )

    delegate = Delegate.objects.select_for_update(no_key=True).get(pk=delegate.pk)
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

    capacity = (
        Session.objects.select_for_update(no_key=True)
        .filter(pk=target.pk)
        .values_list("capacity", flat=True)[0]
    )
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
    Booking.objects.filter(delegate=delegate, session_id=source.pk).delete()
    booking = Booking.objects.create(
        delegate=delegate,
        session=target,
        time_slot_id=target.time_slot_id,
        workshop_id=target.workshop_id,
        beyond_capacity=over_capacity,
    )
    BookingChange.objects.bulk_create(
        [
            BookingChange(
                delegate=delegate,
                action=BookingChange.Action.MOVED,
                session=target,
                session_label=session_label(target),
                from_session=source,
                from_session_label=session_label(source),
                capacity_override=override if over_capacity else 0,
                reason=reason,
                **actor_fields(actor),
            )
        ]
    )
    settle_waitlists_after_change(delegate=delegate, gained=[target.pk], released=[source.pk])
    return booking
