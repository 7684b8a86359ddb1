"""Emails about a delegate's seats. Each queues a message; none sends directly."""

from registration.access import issue_manage_link
from registration.outbox import queue_email

from .calendar import timetable_ics


def send_booking_confirmation(*, delegate):
    """Queue the confirmation: details, sessions, a fresh booking link and the .ics timetable."""
    bookings = list(delegate.bookings.timetable())
    queue_email(
        to=delegate.email,
        subject=f"{delegate.event.name}: your workshops are booked",
        template="email/booking_confirmed",
        context={
            "delegate": delegate,
            "event": delegate.event,
            "bookings": bookings,
            "link": issue_manage_link(delegate=delegate),
        },
        delegate=delegate,
        attachment=(
            "socex-timetable.ics",
            timetable_ics(delegate=delegate, bookings=bookings),
            "text/calendar",
        ),
    )


def send_cancellation(*, delegate):
    """Queue the email that confirms a cancelled registration."""
    queue_email(
        to=delegate.email,
        subject=f"{delegate.event.name}: registration cancelled",
        template="email/cancelled",
        context={"delegate": delegate, "event": delegate.event},
        delegate=delegate,
    )


def send_choices_reminder(*, delegate, held):
    """Queue a reminder to choose workshops, with a fresh booking link; `held` is the seat count."""
    queue_email(
        to=delegate.email,
        subject=f"{delegate.event.name}: please choose your workshops",
        template="email/choices_reminder",
        context={
            "delegate": delegate,
            "event": delegate.event,
            "held": held,
            "link": issue_manage_link(delegate=delegate),
        },
        delegate=delegate,
    )
