import datetime

import pytest
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from tests.jobs import run_queued_jobs
from tests.worker.jobs_for_tests import record
from worker.heartbeat import beat
from worker.recovery import MAX_TASK_ATTEMPTS, recover_orphaned_tasks

pytestmark = pytest.mark.django_db


def running_job(*, worker_ids, started_seconds_ago, path="/dev/null"):
    """A job claimed by the last of `worker_ids`, as django-tasks-db's worker leaves it."""
    result = record.enqueue(path=path, text="x")
    row = DBTaskResult.objects.get(pk=result.id)
    row.status = TaskResultStatus.RUNNING
    row.started_at = timezone.now() - datetime.timedelta(seconds=started_seconds_ago)
    row.worker_ids = worker_ids
    row.save()
    return row


def test_recover_requeues_the_job_of_a_silent_worker_and_another_worker_finishes_it(
    settings, tmp_path
):
    settings.WORKER_DEAD_AFTER_SECONDS = 60
    beat(worker_id="dead", now=timezone.now() - datetime.timedelta(seconds=61))
    job = running_job(worker_ids=["dead"], started_seconds_ago=90, path=str(tmp_path / "out"))

    assert recover_orphaned_tasks() == (1, 0)

    [ran] = run_queued_jobs(worker_id="alive")
    assert ran.pk == job.pk
    assert ran.status == TaskResultStatus.SUCCESSFUL
    assert ran.worker_ids == ["dead", "alive"]
    assert (tmp_path / "out").read_text() == "x\n"


def test_recover_leaves_the_job_of_a_worker_that_still_beats(settings):
    settings.WORKER_DEAD_AFTER_SECONDS = 60
    beat(worker_id="busy")  # a long job: its heartbeat thread keeps beating
    job = running_job(worker_ids=["busy"], started_seconds_ago=600)
    assert recover_orphaned_tasks() == (0, 0)
    job.refresh_from_db()
    assert job.status == TaskResultStatus.RUNNING


def test_recover_waits_the_threshold_for_a_job_whose_worker_left_no_heartbeat(settings):
    settings.WORKER_DEAD_AFTER_SECONDS = 60
    # Stopped cleanly mid-job (its row deleted) or a worker that never beat: give it time.
    fresh = running_job(worker_ids=["gone"], started_seconds_ago=5)
    stale = running_job(worker_ids=["gone"], started_seconds_ago=65)
    assert recover_orphaned_tasks() == (1, 0)
    fresh.refresh_from_db()
    stale.refresh_from_db()
    assert (fresh.status, stale.status) == (TaskResultStatus.RUNNING, TaskResultStatus.READY)


def test_recover_fails_a_job_that_killed_too_many_workers():
    job = running_job(
        worker_ids=[f"w{n}" for n in range(MAX_TASK_ATTEMPTS)], started_seconds_ago=600
    )
    assert recover_orphaned_tasks() == (0, 1)
    job.refresh_from_db()
    assert job.status == TaskResultStatus.FAILED
    assert job.exception_class_path == "worker.recovery.WorkerLost"
    assert f"stopped {MAX_TASK_ATTEMPTS} times" in job.traceback


def test_recover_leaves_a_job_that_finished_meanwhile():
    job = running_job(worker_ids=["dead"], started_seconds_ago=600)
    DBTaskResult.objects.filter(pk=job.pk).update(status=TaskResultStatus.SUCCESSFUL)
    assert recover_orphaned_tasks() == (0, 0)
