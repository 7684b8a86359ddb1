"""Jobs enqueued by the prepared backend: the row django-tasks-db writes, in one INSERT."""

import datetime

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tasks import task_backends
from django_tasks_db import DatabaseBackend
from django_tasks_db.models import DBTaskResult, get_date_max

from tests.worker.jobs_for_tests import record
from worker.backend import PreparedDatabaseBackend

# What may differ between two enqueues of the same job: its id and when it was enqueued.
OWN = {"id", "enqueued_at"}


def stored(job_id):
    row = DBTaskResult.objects.get(pk=job_id)
    return {f.attname: getattr(row, f.attname) for f in DBTaskResult._meta.concrete_fields}


@pytest.mark.django_db
@pytest.mark.parametrize(
    "run_after", [None, datetime.datetime(2030, 1, 2, 3, 4, 5, tzinfo=datetime.UTC)]
)
def test_a_job_is_the_row_the_library_writes_in_one_insert(run_after):
    assert type(task_backends["default"]) is PreparedDatabaseBackend
    task = record.using(run_after=run_after, priority=7)
    library = DatabaseBackend(alias="default", params={"QUEUES": ["default", "long"]})
    expected = stored(library.enqueue(task, (), {"path": "/tmp/x", "text": "Ann O'Neil"}).id)
    with CaptureQueriesContext(connection) as queries:
        result = task.enqueue(path="/tmp/x", text="Ann O'Neil")
    assert [q["sql"].split()[0] for q in queries] == ["INSERT"]
    row = stored(result.id)
    assert {k: v for k, v in row.items() if k not in OWN} == {
        k: v for k, v in expected.items() if k not in OWN
    }
    assert row["run_after"] == (get_date_max() if run_after is None else run_after)
    assert row["enqueued_at"] is not None
    assert result.status == "READY" and result.task.func is record.func


@pytest.mark.django_db(transaction=True)
def test_a_job_enqueued_by_the_prepared_backend_runs(tmp_path):
    record.enqueue(path=str(tmp_path / "out"), text="one")
    call_command("run_worker", "--batch", "--no-startup-delay", "--verbosity=0")
    assert (tmp_path / "out").read_text() == "one\n"
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"
