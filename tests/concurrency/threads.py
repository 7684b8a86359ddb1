"""Running jobs truly at once, for the PostgreSQL race tests."""

import threading

import pytest
from django.db import connection


def skip_unless_postgres():
    if connection.vendor != "postgresql":
        pytest.skip("race tests need PostgreSQL row locks: set DATABASE_URL (CI does)")


def run_at_once(jobs):
    """Run every job in its own thread and connection, released together by a barrier.

    Returns each job's result, or the exception it raised, in job order.
    """
    barrier = threading.Barrier(len(jobs))
    results = [None] * len(jobs)

    def worker(index, job):
        try:
            # Connect first, so that the transactions, not the connects, start together.
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
