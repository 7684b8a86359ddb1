"""Keeping the task tables small: finished jobs and silent workers are deleted after a while."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from worker.models import CompletedTask, WorkerHeartbeat


def prune_finished_tasks(*, now=None):
    """Delete finished jobs older than `TASK_RESULTS_KEEP_DAYS`, and long-silent workers.

    Side effects: deletes `DBTaskResult` rows (succeeded or failed) finished
    before the cut-off, `CompletedTask` keys of the same age, and heartbeats
    silent for a day. Returns how many of each it deleted.
    """
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.TASK_RESULTS_KEEP_DAYS)
    finished = (TaskResultStatus.SUCCESSFUL, TaskResultStatus.FAILED)
    tasks, _ = DBTaskResult.objects.filter(status__in=finished, finished_at__lt=cutoff).delete()
    keys, _ = CompletedTask.objects.filter(completed_at__lt=cutoff).delete()
    workers, _ = WorkerHeartbeat.objects.filter(last_seen_at__lt=now - timedelta(days=1)).delete()
    return {"tasks": tasks, "completed_keys": keys, "workers": workers}
