import pytest
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from tests.worker.jobs_for_tests import record
from worker.models import WorkerHeartbeat


@pytest.mark.django_db(transaction=True)
def test_run_worker_batch_runs_what_is_queued_then_stops_and_leaves_no_heartbeat(tmp_path):
    for text in ("one", "two"):
        record.enqueue(path=str(tmp_path / "out"), text=text)

    call_command("run_worker", "--batch", "--no-startup-delay", "--worker-id", "batch-1")

    assert (tmp_path / "out").read_text() == "one\ntwo\n"
    assert list(DBTaskResult.objects.values_list("status", "worker_ids")) == [
        ("SUCCESSFUL", ["batch-1"]),
        ("SUCCESSFUL", ["batch-1"]),
    ]
    assert not WorkerHeartbeat.objects.exists()  # it stopped cleanly
