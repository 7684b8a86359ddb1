"""On PostgreSQL a worker claims a job in one statement and records its success in another."""

from datetime import timedelta

import pytest
from django.db import connection, connections, transaction
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from tests.worker.jobs_for_tests import record, return_a_set
from worker.claim import NextJob, claim_in_one_statement
from worker.inline import inline_worker
from worker.wakeup import ListeningWorker

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


def test_next_job_claims_in_order_within_its_queues_at_each_claims_time(tmp_path):
    soon = timezone.now() + timedelta(seconds=1)
    other_queue = record.using(priority=9, queue_name="long").enqueue(
        path=str(tmp_path / "out"), text="long queue"
    )
    later = record.using(run_after=soon).enqueue(path=str(tmp_path / "out"), text="soon")
    first = record.using(priority=5).enqueue(path=str(tmp_path / "out"), text="first")
    next_job = NextJob(backend_name="default", queue_names=["default"], excluded_queue_names=[])

    assert str(next_job.claim("worker-a", using="default").pk) == str(first.id)
    assert next_job.claim("worker-a", using="default") is None  # `soon` has not come yet
    DBTaskResult.objects.filter(pk=later.id).update(run_after=timezone.now() - timedelta(seconds=1))
    claimed = next_job.claim("worker-a", using="default")

    assert str(claimed.pk) == str(later.id)
    assert claimed.worker_ids == ["worker-a"]
    assert DBTaskResult.objects.get(pk=later.id).status == TaskResultStatus.RUNNING
    assert DBTaskResult.objects.get(pk=other_queue.id).status == TaskResultStatus.READY


def test_the_listening_worker_records_a_jobs_success_as_the_library_does(tmp_path):
    result = record.enqueue(path=str(tmp_path / "out"), text="done")
    worker = inline_worker(worker_id="worker-a", worker_class=ListeningWorker)

    worker.run()

    row = DBTaskResult.objects.get(pk=result.id)
    assert row.status == TaskResultStatus.SUCCESSFUL
    assert row.finished_at >= row.started_at
    assert row.return_value == "done"
    assert (row.exception_class_path, row.traceback) == ("", "")
    assert (tmp_path / "out").read_text() == "done\n"


def test_the_listening_worker_records_a_result_that_is_not_json_as_a_failure():
    result = return_a_set.enqueue()
    worker = inline_worker(worker_id="worker-a", worker_class=ListeningWorker)

    worker.run()

    row = DBTaskResult.objects.get(pk=result.id)
    assert row.status == TaskResultStatus.FAILED
    assert row.exception_class_path == "builtins.TypeError"


def test_the_claimed_job_is_the_row_as_the_orm_reads_it(tmp_path):
    """Made from the UPDATE's row as raw() made it, with raw()'s per-call work kept."""
    enqueued = record.enqueue(path=str(tmp_path / "out"), text="x")
    claimed = claim_in_one_statement(ready(), "worker-a")
    row = DBTaskResult.objects.get(pk=enqueued.id)
    names = [field.attname for field in DBTaskResult._meta.concrete_fields]
    assert [getattr(claimed, name) for name in names] == [getattr(row, name) for name in names]
    assert (claimed._state.adding, claimed._state.db) == (False, "default")
    assert DBTaskResult in connections["default"].__dict__["socex_returning"]
