"""Many delegates on the last seats at once. Needs real row locks: PostgreSQL.

SQLite serialises whole transactions, which hides overbooking as lock waits,
so these tests run only where `DATABASE_URL` points at PostgreSQL (CI does).
"""

import pytest

from tests.concurrency.threads import run_at_once, skip_unless_postgres
from tests.factories import DelegateFactory
from workshops.models import Booking, Session
from workshops.services.booking import BookingError, SessionFull, book_sessions

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def needs_postgres():
    skip_unless_postgres()


def test_race_many_delegates_last_seats_exactly_capacity(programme, four_sessions):
    event = programme["event"]
    delegates = [DelegateFactory(event=event) for _ in range(12)]
    results = run_at_once(
        [lambda d=d: book_sessions(delegate=d, sessions=four_sessions) for d in delegates]
    )
    winners = [r for r in results if isinstance(r, list)]
    losers = [r for r in results if isinstance(r, SessionFull)]
    assert len(winners) == 2
    assert len(losers) == 10
    for session in four_sessions:
        assert Booking.objects.filter(session=session).count() == 2
    for session in Session.objects.with_seats():
        assert session.seats_taken <= session.capacity


def test_race_overlapping_sets_in_opposite_orders_no_deadlock(programme):
    """Two groups want the same sessions listed in opposite orders: sorted locking holds."""
    s = programme["sessions"]
    forward = [s[(0, 0)], s[(1, 4)], s[(2, 2)], s[(3, 6)]]
    backward = list(reversed(forward))
    delegates = [DelegateFactory(event=programme["event"]) for _ in range(10)]
    jobs = [
        lambda d=d, sessions=(forward if i % 2 else backward): book_sessions(
            delegate=d, sessions=sessions
        )
        for i, d in enumerate(delegates)
    ]
    results = run_at_once(jobs)
    assert [type(r) for r in results if not isinstance(r, list | BookingError)] == []
    assert sum(isinstance(r, list) for r in results) == 2
    assert Booking.objects.count() == 8


def test_race_same_delegate_twice_holds_one_set(programme, four_sessions):
    delegate = DelegateFactory(event=programme["event"])
    s = programme["sessions"]
    other = [s[(0, 1)], s[(1, 5)], s[(2, 3)], s[(3, 7)]]
    results = run_at_once(
        [
            lambda: book_sessions(delegate=delegate, sessions=four_sessions),
            lambda: book_sessions(delegate=delegate, sessions=other),
        ]
    )
    assert all(isinstance(r, list) for r in results)
    held = set(delegate.bookings.values_list("session_id", flat=True))
    assert held in ({x.pk for x in four_sessions}, {x.pk for x in other})
