"""Two organisers publish at once. Needs real row locks: PostgreSQL (CI runs it there)."""

import threading

import pytest
from django.db import connection

from registration.models import OutgoingEmail
from tests.factories import DelegateFactory, rank_workshops
from workshops.ballot import AllocationRefused, publish_allocation, run_allocation
from workshops.models import Booking

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def needs_postgres():
    if connection.vendor != "postgresql":
        pytest.skip("race tests need PostgreSQL row locks: set DATABASE_URL (CI does)")


def run_at_once(jobs):
    barrier = threading.Barrier(len(jobs))
    results = [None] * len(jobs)

    def worker(index, job):
        try:
            connection.ensure_connection()
            barrier.wait()
            results[index] = job()
        except Exception as error:  # recorded and asserted on by the caller
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


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
