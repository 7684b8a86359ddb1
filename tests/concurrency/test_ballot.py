"""Two organisers publish at once. Needs real row locks: PostgreSQL (CI runs it there)."""

import pytest

from outbox.models import OutgoingEmail
from tests.concurrency.threads import run_at_once, skip_unless_postgres
from tests.factories import DelegateFactory, rank_workshops
from workshops.models import Booking
from workshops.services.ballot import AllocationRefused, publish_allocation
from workshops.services.ballot_runs import run_allocation

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def needs_postgres():
    skip_unless_postgres()


@pytest.mark.parametrize("same_run", [True, False])
def test_race_two_publishes_at_once_book_once(ballot_event, programme, close_ballot, same_run):
    for _ in range(6):
        rank_workshops(DelegateFactory(event=ballot_event), programme["workshops"])
    close_ballot(ballot_event)
    first = run_allocation(event=ballot_event, seed=1)
    second = first if same_run else run_allocation(event=ballot_event, seed=2)
    results = run_at_once(
        [lambda: publish_allocation(run=first), lambda: publish_allocation(run=second)]
    )
    booked = [r for r in results if isinstance(r, int)]
    refused = [r for r in results if isinstance(r, AllocationRefused)]
    assert (booked, len(refused)) == ([6], 1)
    assert Booking.objects.count() == 24
    assert OutgoingEmail.objects.count() == 6
