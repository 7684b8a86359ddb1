"""An organiser lowering a session's places while a delegate books its last one: never
more seats than places. Needs real row locks: PostgreSQL."""

import pytest
from django.db import transaction

from tests.attending import booked_delegate
from tests.concurrency.threads import run_at_once, skip_unless_postgres
from tests.factories import DelegateFactory
from workshops.models import Session
from workshops.services.booking import SessionFull, book_sessions
from workshops.services.capacity import seats_over_capacity

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def needs_postgres():
    skip_unless_postgres()


def test_race_capacity_lowered_while_the_last_place_is_booked(programme):
    s = programme["sessions"]
    booked_delegate(programme["event"], [s[k] for k in [(0, 0), (1, 4), (2, 2), (3, 6)]])
    session = s[(0, 0)]  # 1 of 2 places taken
    walk_in = DelegateFactory(event=programme["event"])
    walk_in_set = [s[k] for k in [(0, 0), (1, 5), (2, 3), (3, 7)]]

    def lower_to_one():
        # What the session page does: count under the lock, then save the new capacity.
        with transaction.atomic():
            if seats_over_capacity(capacities={session.pk: 1}):
                return "refused"
            Session.objects.filter(pk=session.pk).update(capacity=1)
            return "lowered"

    def book():
        book_sessions(delegate=walk_in, sessions=walk_in_set)
        return "booked"

    results = run_at_once([lower_to_one, book])
    row = Session.objects.with_seats().get(pk=session.pk)
    assert row.seats_taken <= row.capacity, results
    if results[0] == "lowered":  # the booking waited for the lock and found it full
        assert isinstance(results[1], SessionFull), results
    else:  # the booking went first: the organiser was told 2 hold seats
        assert results == ["refused", "booked"]
