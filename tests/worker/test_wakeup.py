"""Idle workers wait for a notice of each new job (PostgreSQL's LISTEN/NOTIFY), not only poll."""

import pytest
from django.db import connection, transaction
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from tests.worker.jobs_for_tests import record
from tests.worker.test_worker_processes import wait_for, workers  # noqa: F401  (a fixture)
from worker.models import WorkerHeartbeat
from worker.wakeup import JobNotices

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("LISTEN/NOTIFY is PostgreSQL's: set DATABASE_URL=postgres://…")


@pytest.fixture
def notices():
    listening = JobNotices("default")
    listening.wait(0)  # opens the connection and listens
    yield listening
    listening.close()


def received(notices, seconds):
    return list(notices.listening.notifies(timeout=seconds, stop_after=1))


def test_a_job_is_announced_when_its_transaction_commits(notices, tmp_path):
    with transaction.atomic():
        record.enqueue(path=str(tmp_path / "out"), text="a")
        record.enqueue(path=str(tmp_path / "out"), text="b")
        assert received(notices, 0.3) == []  # not before the commit
    assert len(received(notices, 10)) == 1  # once per transaction
    assert received(notices, 0.3) == []


def test_a_rolled_back_job_is_never_announced(notices, tmp_path):
    with pytest.raises(RuntimeError), transaction.atomic():
        record.enqueue(path=str(tmp_path / "out"), text="a")
        raise RuntimeError("the request failed")
    assert received(notices, 0.5) == []


def test_an_idle_worker_runs_a_new_job_long_before_its_polling_interval(workers, tmp_path):  # noqa: F811
    workers("listening", "--interval", "120")
    wait_for(lambda: WorkerHeartbeat.objects.exists(), what="the worker starting")
    # Let it finish the periodic jobs it enqueued at start and settle into waiting.
    wait_for(
        lambda: not DBTaskResult.objects.exclude(status=TaskResultStatus.SUCCESSFUL).exists(),
        what="the start-up jobs finishing",
    )
    job = record.enqueue(path=str(tmp_path / "out"), text="woken")
    wait_for(
        lambda: DBTaskResult.objects.get(pk=job.id).status == TaskResultStatus.SUCCESSFUL,
        seconds=60,  # half the interval: only a notice can wake it this soon
        what="the worker running the new job",
    )
    assert (tmp_path / "out").read_text() == "woken\n"
