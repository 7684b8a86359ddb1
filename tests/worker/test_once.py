import pytest
from cryptography.fernet import InvalidToken
from django.db import connection
from django_tasks_db.models import DBTaskResult

from tests.jobs import run_queued_jobs
from tests.worker.jobs_for_tests import count_once
from worker.inline import inline_worker
from worker.models import CompletedTask
from worker.sealed import seal_arguments, unseal_arguments

pytestmark = pytest.mark.django_db


def test_sealed_arguments_open_only_with_this_secret_key(settings):
    sealed = seal_arguments(email="priya@warwickshire.police.uk")
    assert "priya" not in sealed
    assert unseal_arguments(sealed) == {"email": "priya@warwickshire.police.uk"}
    settings.SECRET_KEY = "another-key-" + "x" * 40
    with pytest.raises(InvalidToken):
        unseal_arguments(sealed)


def test_running_once_does_the_work_once_and_forgets_the_sealed_arguments():
    result = count_once.enqueue(sealed=seal_arguments(name="Priya"))
    [ran] = run_queued_jobs()
    assert ran.return_value == {"name": "Priya", "keys": 1}
    assert ran.args_kwargs == {"args": [], "kwargs": {"sealed": ""}}
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {DBTaskResult._meta.db_table}")
        assert "gAAAA" not in str(cursor.fetchall())  # no Fernet token left

    # The same job run again (its worker died before recording the end): nothing happens.
    DBTaskResult.objects.filter(pk=result.id).update(status="READY")
    [again] = run_queued_jobs()
    assert again.return_value is None
    assert CompletedTask.objects.count() == 1


def test_running_once_rolls_back_with_a_failing_job():
    count_once.enqueue(sealed="not a sealed token")
    [ran] = run_queued_jobs(allow_failures=True)
    assert ran.status == "FAILED"
    assert CompletedTask.objects.count() == 0  # a retry may still do the work
    assert ran.args_kwargs["kwargs"]["sealed"] == "not a sealed token"


def test_running_once_costs_one_statement_besides_the_work_on_postgresql(
    django_assert_max_num_queries,
):
    count_once.enqueue(sealed=seal_arguments(name="Priya"))
    row = DBTaskResult.objects.ready().get()
    row.claim("test-worker")
    worker = inline_worker(worker_id="test-worker")
    # Savepoint and release (a transaction outside tests), the CompletedTask with the blanked
    # argument (on SQLite, two statements), the job's own count, and the job's result.
    with django_assert_max_num_queries(5 if connection.vendor == "postgresql" else 6):
        worker.run_task(row)
    row.refresh_from_db()
    assert row.return_value == {"name": "Priya", "keys": 1}
    assert row.args_kwargs == {"args": [], "kwargs": {"sealed": ""}}
    assert CompletedTask.objects.filter(task_id=str(row.pk)).exists()
