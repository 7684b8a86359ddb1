"""Emails about a delegate's seats. Each queues a message; none sends directly."""

from registration.services.email import email_delegate
from workshops.services.calendar import timetable_ics


def send_booking_confirmation(*, delegate):
    """Queue the confirmation: details, sessions, a fresh booking link and the .ics timetable."""
    bookings = list(delegate.bookings.timetable())
    email_delegate(
        delegate=delegate,
        subject="your workshops are booked",
        template="email/booking_confirmed",
        context={"bookings": bookings},
        with_link=True,
        attachment=(
            "socex-timetable.ics",
            timetable_ics(delegate=delegate, bookings=bookings),
            "text/calendar",
        ),
    )


def send_cancellation(*, delegate):
    """Queue the email that confirms a cancelled registration."""
    email_delegate(delegate=delegate, subject="registration cancelled", template="email/cancelled")


def send_choices_reminder(*, delegate, held):
    """Queue a reminder to choose workshops, with a fresh booking link; `held` is the seat count."""
    email_delegate(
        delegate=delegate,
        subject="please choose your workshops",
        template="email/choices_reminder",
        context={"held": held},
        with_link=True,
    )


def send_waitlist_promotion(*, delegate, session, released):
    """Queue the email telling a delegate they moved from `released` into `session`."""
    email_delegate(
        delegate=delegate,
        subject=f"you have a place in {session.workshop.title}",
        template="email/waitlist_promoted",
        context={
            "session": session,
            "released": released,
            "bookings": list(delegate.bookings.timetable()),
        },
        with_link=True,
    )


def send_no_show_release(*, delegate, session):
    """Queue the email telling a delegate their seat in `session` went to someone at its door."""
    email_delegate(
        delegate=delegate,
        subject=f"your seat in {session.workshop.title} was given to someone waiting",
        template="email/no_show_released",
        context={"session": session, "bookings": list(delegate.bookings.timetable())},
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
