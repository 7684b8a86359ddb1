"""Emails about a delegate's seats. Each queues a message; none sends directly.

The seat writer (`workshops.services.booking`, through
`workshops.services.seat_changes.announce`) queues the booking confirmation,
the change email and the cancellation for every change to seats, once per
change; the admin's "Resend the confirmation email" queues the confirmation
again. Every one of them carries the calendar file of what it reports.
"""

from itertools import groupby
from operator import attrgetter

from django.db import transaction

from outbox.services import sending_together
from registration.services.email import email_delegate
from workshops.models import Booking
from workshops.services.calendar import cancel_ics, raise_sequences, update_ics
from workshops.services.timetable_diff import round_change

CALENDAR_FILE = "socex-timetable.ics"
CALENDAR_TYPE = "text/calendar"


def send_booking_confirmation(*, delegate, bookings=None, sequence_of=None):
    """Queue the confirmation: details, sessions, a fresh booking link and the calendar file.

    The calendar is a METHOD:REQUEST for every seat held, at each round's
    current SEQUENCE, so sending it again adds nothing twice.
    """
    bookings = list(delegate.bookings.timetable()) if bookings is None else bookings
    email_delegate(
        delegate=delegate,
        subject="your workshops are booked",
        template="email/booking_confirmed",
        context={"bookings": bookings},
        with_link=True,
        attachment=(
            CALENDAR_FILE,
            update_ics(delegate=delegate, bookings=bookings, sequence_of=sequence_of),
            CALENDAR_TYPE,
        ),
    )


def send_seat_change(*, delegate, rows, bookings, cause, updated, released, sequence_of):
    """Queue the email saying what changed: per round, the workshop it was and is now.

    `rows` are `{"time_slot", "was", "now", "cause"}` per round changed (a
    session or None); `bookings` every seat held now. `cause` (a
    `seat_changes.Cause`, or "" when several) picks the opening sentence. The
    calendar file updates the rounds now held in `updated` (METHOD:REQUEST),
    or, when the change only gave seats up, cancels the rounds of `released`
    (METHOD:CANCEL).
    """
    if updated:
        calendar = update_ics(delegate=delegate, bookings=updated, sequence_of=sequence_of)
    else:
        calendar = cancel_ics(delegate=delegate, sessions=released, sequence_of=sequence_of)
    email_delegate(
        delegate=delegate,
        subject=_change_subject(rows=rows, cause=cause),
        template="email/seats_changed",
        context={"rows": rows, "bookings": bookings, "cause": cause},
        # A registration that ended (a handover) has no booking to open.
        with_link=delegate.is_active,
        attachment=(CALENDAR_FILE, calendar, CALENDAR_TYPE),
    )


# Delegates told per transaction. Each transaction holds its delegates' calendar rows
# (`raise_sequences`) until it commits, and a delegate changing seats meanwhile waits
# on theirs: one transaction for 2,720 delegates held a booking for 28 s.
TIMETABLE_NEWS_CHUNK = 100


def send_timetable_news(*, changes):
    """Email each delegate booked in the rounds or sessions changed how they were and are now.

    The worker's half of `workshops.services.timetable_changes`; `changes` maps
    "time_slots" and "sessions" to what the admin noted per id
    (`timetable_diff.noted`). Returns how many were told. Reads seats and times
    as they are when it runs: a round put back as it was, or changed only
    before the delegate took the seat, is not reported, and a delegate with
    nothing left to report gets nothing. Side effects: raises each reported
    round's calendar SEQUENCE (`CalendarEntry`) and queues one email per
    delegate, in batches (`sending_together`), `TIMETABLE_NEWS_CHUNK` delegates
    to a transaction.
    """
    time_slots, sessions = changes.get("time_slots", {}), changes.get("sessions", {})
    delegate_ids = list(
        Booking.objects.in_rounds_or_sessions(
            time_slot_ids=map(int, time_slots), session_ids=map(int, sessions)
        )
        .order_by("delegate_id")
        .values_list("delegate_id", flat=True)
        .distinct()
    )
    told = 0
    with sending_together():
        for start in range(0, len(delegate_ids), TIMETABLE_NEWS_CHUNK):
            told += _tell_timetable_news(
                delegate_ids[start : start + TIMETABLE_NEWS_CHUNK],
                time_slots=time_slots,
                sessions=sessions,
            )
    return told


@transaction.atomic
def _tell_timetable_news(delegate_ids, *, time_slots, sessions):
    seats = (
        Booking.objects.in_rounds_or_sessions(
            time_slot_ids=map(int, time_slots), session_ids=map(int, sessions)
        )
        .filter(delegate_id__in=delegate_ids)
        .select_related(
            "delegate__event", "delegate__agency", "session__workshop", "session__room", "time_slot"
        )
        .order_by("delegate_id", "time_slot__starts_at")
    )
    told = 0
    for _, group in groupby(seats, key=attrgetter("delegate_id")):
        changed = [
            change
            for seat in group
            if (change := round_change(seat, time_slots=time_slots, sessions=sessions))
        ]
        if not changed:
            continue
        delegate = changed[0].booking.delegate
        sequence_of = raise_sequences(
            delegate=delegate, time_slot_ids=[change.booking.time_slot_id for change in changed]
        )
        send_timetable_change(delegate=delegate, changed=changed, sequence_of=sequence_of)
        told += 1
    return told


def send_timetable_change(*, delegate, changed, sequence_of):
    """Queue the email saying a round's times, a session's room or a title changed, seats unchanged.

    `changed` are `timetable_diff.RoundChange`s of the delegate's seats in the
    rounds concerned (session, workshop, room and time slot loaded), each as it
    was and is now; the calendar file updates those entries (METHOD:REQUEST at
    the raised SEQUENCE), and the email lists every seat they hold, as it is now.
    """
    email_delegate(
        delegate=delegate,
        subject="changes to your workshop timetable",
        template="email/timetable_changed",
        context={"changed": changed, "bookings": list(delegate.bookings.timetable())},
        attachment=(
            CALENDAR_FILE,
            update_ics(
                delegate=delegate,
                bookings=[change.booking for change in changed],
                sequence_of=sequence_of,
            ),
            CALENDAR_TYPE,
        ),
    )


def _change_subject(*, rows, cause):
    if len(rows) == 1:
        row = rows[0]
        if cause == "waiting_list" and row["now"]:
            return f"you have a place in {row['now'].workshop.title}"
        if cause == "no_show" and row["was"]:
            return f"your seat in {row['was'].workshop.title} was given to someone waiting"
    return "your workshops have changed"


def send_cancellation(*, delegate, released=(), sequence_of=None, by_organiser=False):
    """Queue the email confirming a cancelled registration; its calendar cancels `released`.

    `by_organiser`: the organisers cancelled it, and the email says so and how to ask why.
    """
    attachment = None
    if released:
        attachment = (
            CALENDAR_FILE,
            cancel_ics(delegate=delegate, sessions=released, sequence_of=sequence_of),
            CALENDAR_TYPE,
        )
    email_delegate(
        delegate=delegate,
        subject="registration cancelled",
        template="email/cancelled",
        context={"released": released, "by_organiser": by_organiser},
        attachment=attachment,
    )


def send_choices_reminder(*, delegate, held):
    """Queue a reminder to choose workshops, with a fresh booking link; `held` is the seat count."""
    email_delegate(
        delegate=delegate,
        subject="please choose your workshops",
        template="email/choices_reminder",
        context={"held": held},
        with_link=True,
    )


def send_ballot_outcome(*, delegate, outcome):
    """Queue the email telling a delegate the ballot left them short, and what they can do.

    `outcome` is a `workshops.services.ballot_outcome.BallotOutcome`. With a fresh booking link.
    """
    email_delegate(
        delegate=delegate,
        subject="the workshop ballot is done: what it means for you",
        template="email/ballot_outcome",
        context={"outcome": outcome},
        with_link=True,
    )
