"""On PostgreSQL a worker claims a job in one statement: the same job, marked the same way."""

from datetime import timedelta

import pytest
from django.db import connection, connections, transaction
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from tests.worker.jobs_for_tests import record
from worker.wakeup import claim_in_one_statement

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("the one-statement claim is PostgreSQL's: set DATABASE_URL=postgres://…")


def ready():
    return DBTaskResult.objects.ready().filter(backend_name="default")


def test_the_claim_takes_the_first_ready_job_in_order_and_marks_it_running(tmp_path):
    later = record.using(priority=-5).enqueue(path=str(tmp_path / "out"), text="later")
    first = record.using(priority=5).enqueue(path=str(tmp_path / "out"), text="first")
    record.using(run_after=timezone.now() + timedelta(hours=1)).enqueue(
        path=str(tmp_path / "out"), text="not yet"
    )
    DBTaskResult.objects.filter(pk=first.id).update(worker_ids=["died-earlier"])

    claimed = claim_in_one_statement(ready(), "worker-a")

    assert str(claimed.pk) == str(first.id)
    row = DBTaskResult.objects.get(pk=first.id)
    assert row.status == TaskResultStatus.RUNNING
    assert row.started_at is not None
    assert row.worker_ids == ["died-earlier", "worker-a"]
    assert claimed.worker_ids == row.worker_ids
    assert claimed.task_result.kwargs == {"path": str(tmp_path / "out"), "text": "first"}
    assert str(claim_in_one_statement(ready(), "worker-a").pk) == str(later.id)
    assert claim_in_one_statement(ready(), "worker-a") is None  # the third waits an hour


def test_the_claim_skips_a_job_another_worker_holds_locked(tmp_path):
    held = record.using(priority=5).enqueue(path=str(tmp_path / "out"), text="held")
    other = record.enqueue(path=str(tmp_path / "out"), text="other")
    # Another worker's connection holds the first job's row locked (its claim in progress).
    other_worker = connections.create_connection("default")
    try:
        with other_worker.cursor() as cursor:
            cursor.execute("BEGIN")
            cursor.execute(
                f'SELECT 1 FROM "{DBTaskResult._meta.db_table}" WHERE id = %s FOR UPDATE',
                [held.id],
            )
            claimed = claim_in_one_statement(ready(), "worker-b")
            cursor.execute("ROLLBACK")
    finally:
        other_worker.close()
    assert str(claimed.pk) == str(other.id)
    assert DBTaskResult.objects.get(pk=held.id).status == TaskResultStatus.READY
    assert not transaction.get_connection().in_atomic_block
