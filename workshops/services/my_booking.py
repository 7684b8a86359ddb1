"""What the delegate's booking page ("My booking") shows, read in one query.

The page shows the delegate's seats, their waiting-list places, their calendar
link and whether their attendance certificate is ready. Asked one by one (the
seats, whether they wait for anything, the calendar feed, when the last session
ends) these were four round trips besides the session and the signed-in
delegate; on PostgreSQL each costs about a millisecond of waiting, which took
the page past 10 ms. Here they are one prepared query (`socex.prepared`): the
delegate's row, LEFT JOINed to their seats so that someone holding none still
gets a row, with the other answers as subqueries on it. Only a delegate on a
waiting list costs one more query (their places).

Nothing is kept between requests: every call reads the database.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Exists, FilteredRelation, Subquery

from registration.models import Delegate
from socex.prepared import PreparedQuery
from workshops.models import Booking, CalendarFeed, WaitlistEntry
from workshops.services.certificates import has_ended, session_admissions, session_ends
from workshops.services.waitlist import waiting_places


@dataclass(frozen=True)
class MyBooking:
    """What the booking page shows of a delegate's workshops."""

    bookings: list[Booking]  # their seats in time order, as `BookingQuerySet.timetable()`
    waiting: list[WaitlistEntry]  # as `waiting_places`
    calendar_feed_made_at: datetime | None  # when their calendar link was made; None: none
    certificate_ready: bool  # the event has ended and they were admitted at a session door


_seats_and_facts = PreparedQuery(
    Delegate,
    lambda delegate, event: (
        Delegate.objects.filter(pk=delegate)
        .only("pk")
        # One row per seat, or one row with no seat: the answers below come either way.
        .annotate(seat=FilteredRelation("bookings"))
        .select_related("seat__session__workshop", "seat__session__room", "seat__time_slot")
        .annotate(
            waits=Exists(WaitlistEntry.objects.filter(delegate=delegate)),
            calendar_feed_made_at=Subquery(
                CalendarFeed.objects.filter(delegate=delegate).values("created_at")[:1]
            ),
            last_session_ends_at=Subquery(session_ends(event)[:1]),
            attended=Exists(session_admissions(delegate)),
        )
        .order_by("seat__time_slot__starts_at")
    ),
    delegate=int,
    event=int,
)


def my_booking(*, delegate, now=None):
    """The delegate's `MyBooking`: one query, two if they are on a waiting list."""
    rows = _seats_and_facts(delegate=delegate.pk, event=delegate.event_id)
    if not rows:  # the registration was deleted since the page looked it up
        return MyBooking(
            bookings=[], waiting=[], calendar_feed_made_at=None, certificate_ready=False
        )
    facts = rows[0]
    return MyBooking(
        # A row without a seat has no `seat` (Django sets a filtered relation only when found).
        bookings=[row.seat for row in rows if hasattr(row, "seat")],
        waiting=waiting_places(delegate=delegate, waits=facts.waits),
        calendar_feed_made_at=facts.calendar_feed_made_at,
        certificate_ready=facts.attended
        and has_ended(delegate.event, last_session_ends_at=facts.last_session_ends_at, now=now),
    )
