import datetime

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from tests.jobs import run_queued_jobs
from tests.worker.jobs_for_tests import record
from worker.heartbeat import alive_workers, beat
from worker.housekeeping import prune_finished_tasks
from worker.models import CompletedTask, WorkerHeartbeat

pytestmark = pytest.mark.django_db


def test_prune_deletes_finished_jobs_and_silent_workers_past_their_age(settings, tmp_path):
    settings.TASK_RESULTS_KEEP_DAYS = 7
    now = timezone.now()
    old, recent = (record.enqueue(path=str(tmp_path / "f"), text=t) for t in ("old", "recent"))
    waiting = record.enqueue(path=str(tmp_path / "f"), text="waiting")
    run_queued_jobs()
    waiting_row = DBTaskResult.objects.get(pk=waiting.id)
    waiting_row.status = "READY"
    waiting_row.save()
    DBTaskResult.objects.filter(pk=old.id).update(finished_at=now - datetime.timedelta(days=8))
    CompletedTask.objects.create(task_id="old", completed_at=now - datetime.timedelta(days=8))
    beat(worker_id="long-gone", now=now - datetime.timedelta(days=2))
    beat(worker_id="alive", now=now)

    assert prune_finished_tasks(now=now) == {"tasks": 1, "completed_keys": 1, "workers": 1}
    assert set(DBTaskResult.objects.values_list("pk", flat=True)) == {
        DBTaskResult.objects.get(pk=recent.id).pk,
        waiting_row.pk,
    }
    assert list(WorkerHeartbeat.objects.values_list("worker_id", flat=True)) == ["alive"]


def test_alive_workers_are_those_heard_within_the_threshold(settings):
    settings.WORKER_DEAD_AFTER_SECONDS = 60
    now = timezone.now()
    beat(worker_id="quiet", now=now - datetime.timedelta(seconds=61))
    beat(worker_id="chatty", now=now - datetime.timedelta(seconds=59))
    beat(worker_id="chatty", now=now)  # a second beat updates the same row
    assert list(alive_workers(now=now).values_list("worker_id", flat=True)) == ["chatty"]
    assert WorkerHeartbeat.objects.get(worker_id="chatty").started_at < now
