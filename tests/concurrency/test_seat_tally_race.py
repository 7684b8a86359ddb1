"""The seat tally under real concurrency (PostgreSQL): exact, and nobody deadlocks.

Each seat written moves its delegate's `SeatTally` row (triggers of migration
workshops 0021), so every writer of seats now also writes a tally row. Here they
all run at once, released by a barrier: cancellations whose freed seats promote
people from a waiting list, changes of workshops crossing each other, new
bookings, and an organiser deleting a session people sit in (and wait to leave)
through the admin's own code. Only the domain's own refusals may come back;
a deadlock would come back as an error.
"""

import pytest
from django.contrib import admin
from django.db import connection
from django.db.models import Count

from registration.models import Delegate
from tests.concurrency.threads import run_at_once
from tests.factories import DelegateFactory
from tests.seat_tally import tally_errors
from workshops.models import Booking, SeatTally, Session
from workshops.services.availability import delegates_needing_sets
from workshops.services.booking import SessionFull, book_sessions, cancel_registration
from workshops.services.waitlist import join_waitlist

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks: set DATABASE_URL=postgres://…")


@pytest.mark.parametrize("attempt", range(3))
def test_every_writer_at_once_keeps_the_tally_exact_and_nobody_deadlocks(programme, attempt):
    event, s = programme["event"], programme["sessions"]
    Session.objects.filter(time_slot__event=event).update(capacity=4)
    set_a = [s[(0, 0)], s[(1, 4)], s[(2, 2)], s[(3, 6)]]
    set_b = [s[(0, 1)], s[(1, 5)], s[(2, 3)], s[(3, 7)]]
    set_c = [s[(0, 2)], s[(1, 6)], s[(2, 4)], s[(3, 0)]]
    doomed = s[(0, 3)]
    set_d = [doomed, s[(1, 7)], s[(2, 5)], s[(3, 1)]]

    def holding(chosen, n):
        people = [DelegateFactory(event=event) for _ in range(n)]
        for person in people:
            book_sessions(delegate=person, sessions=chosen)
        return people

    a, b, d = holding(set_a, 4), holding(set_b, 4), holding(set_d, 3)
    for person in d[:2]:  # they would rather be in round 1's workshop 1
        join_waitlist(delegate=person, session=set_a[0])
    newcomers = [DelegateFactory(event=event) for _ in range(3)]
    session_admin = admin.site._registry[Session]

    results = run_at_once(
        [lambda p=p: cancel_registration(delegate=p, notify=False) for p in a[:2]]
        + [lambda p=p: book_sessions(delegate=p, sessions=set_b) for p in a[2:]]
        + [lambda p=p: book_sessions(delegate=p, sessions=set_c) for p in b[:2]]
        + [lambda p=p: book_sessions(delegate=p, sessions=set_c) for p in newcomers]
        + [lambda: session_admin.delete_model(None, Session.objects.get(pk=doomed.pk))]
    )

    assert [r for r in results if isinstance(r, Exception) and not isinstance(r, SessionFull)] == []
    assert not Session.objects.filter(pk=doomed.pk).exists()
    assert tally_errors() == []
    # What day-two places left reads agrees with grouping every delegate's seats.
    grouped = (
        Delegate.objects.attending_day_two()
        .email_confirmed()
        .filter(event=event)
        .annotate(held=Count("bookings"))
        .filter(held__lt=event.choices_required)
    )
    assert set(delegates_needing_sets(event=event).values_list("delegate_id", flat=True)) == set(
        grouped.values_list("pk", flat=True)
    )
    assert sum(SeatTally.objects.values_list("held", flat=True)) == Booking.objects.count()
