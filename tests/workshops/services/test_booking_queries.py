"""`book_sessions` sends a fixed, small number of statements: the rush is bound by them.

Counted without transaction control (BEGIN, COMMIT, savepoints), on SQLite and,
with DATABASE_URL set, on PostgreSQL.
"""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from outbox.models import OutgoingEmail
from tests.factories import DelegateFactory
from tests.page_queries import statements
from workshops.models import Booking, BookingChange, CalendarEntry
from workshops.services.booking import book_sessions

A_SET = [(0, 0), (1, 4), (2, 2), (3, 6)]
FIRST_BOOKING_STATEMENTS = 9
CHANGE_STATEMENTS = 13


def sessions(programme, keys):
    return [programme["sessions"][k] for k in keys]


def test_first_booking_sends_at_most_nine_statements(programme):
    delegate = DelegateFactory(event=programme["event"])

    with CaptureQueriesContext(connection) as captured:
        book_sessions(delegate=delegate, sessions=sessions(programme, A_SET))

    sent = statements(captured)
    assert len(sent) <= FIRST_BOOKING_STATEMENTS, "\n".join(sent)
    # ... and did everything it did before: seats, history, calendar rounds, the email.
    assert Booking.objects.filter(delegate=delegate).count() == 4
    assert BookingChange.objects.filter(delegate=delegate).count() == 4
    entries = CalendarEntry.objects.filter(delegate=delegate)
    assert set(entries.values_list("sequence", flat=True)) == {0}
    assert OutgoingEmail.objects.filter(to=delegate.email).count() == 1


def test_a_change_of_one_round_sends_at_most_thirteen_statements(programme):
    delegate = DelegateFactory(event=programme["event"])
    book_sessions(delegate=delegate, sessions=sessions(programme, A_SET))
    change = [(0, 0), (1, 4), (2, 2), (3, 7)]

    with CaptureQueriesContext(connection) as captured:
        book_sessions(delegate=delegate, sessions=sessions(programme, change))

    sent = statements(captured)
    assert len(sent) <= CHANGE_STATEMENTS, "\n".join(sent)
    assert set(Booking.objects.filter(delegate=delegate).values_list("session", flat=True)) == {
        s.pk for s in sessions(programme, change)
    }
    round_four = programme["sessions"][(3, 7)].time_slot_id
    assert CalendarEntry.objects.get(delegate=delegate, time_slot_id=round_four).sequence == 1
