"""Jobs whose worker died: handed to another worker, or failed after too many deaths.

django-tasks-db's worker marks a job RUNNING when it claims it and records the
outcome when it ends; a worker killed in between (SIGKILL, a lost machine, the
out-of-memory killer) leaves the row RUNNING forever, and the library retries
nothing. Here, a RUNNING job whose last worker has been silent for
`WORKER_DEAD_AFTER_SECONDS` (`worker.heartbeat`) goes back to READY, for any
worker to claim. A job that has killed `MAX_TASK_ATTEMPTS` workers is marked
FAILED instead, so one poisonous job cannot take the workers down one by one.
Every task must therefore be safe to run twice: see docs/architecture.md.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from worker.heartbeat import alive_workers

logger = logging.getLogger(__name__)

MAX_TASK_ATTEMPTS = 3


class WorkerLost(Exception):
    """Recorded as the error of a job whose workers kept dying while running it."""


def recover_orphaned_tasks(*, now=None):
    """Put back the jobs of dead workers; return (requeued, failed) counts.

    Side effects: conditional UPDATEs of `DBTaskResult` rows (status and
    started time must still be as read, so a job that finished or was claimed
    again meanwhile is left alone).
    """
    now = now or timezone.now()
    silent_since = now - timedelta(seconds=settings.WORKER_DEAD_AFTER_SECONDS)
    alive = set(alive_workers(now=now).values_list("worker_id", flat=True))
    running = DBTaskResult.objects.filter(
        status=TaskResultStatus.RUNNING, started_at__lt=silent_since
    ).values_list("pk", "started_at", "worker_ids", "task_path")
    requeued = failed = 0
    for pk, started_at, worker_ids, task_path in running:
        if worker_ids and worker_ids[-1] in alive:
            continue
        same_run = DBTaskResult.objects.filter(
            pk=pk, status=TaskResultStatus.RUNNING, started_at=started_at
        )
        if len(worker_ids) >= MAX_TASK_ATTEMPTS:
            failed += same_run.update(
                status=TaskResultStatus.FAILED,
                finished_at=now,
                exception_class_path=f"{WorkerLost.__module__}.{WorkerLost.__qualname__}",
                traceback=f"{WorkerLost.__name__}: the worker running this job stopped "
                f"{len(worker_ids)} times without finishing it; not tried again.",
            )
            logger.error("Task %s (%s) failed: its workers kept dying", pk, task_path)
        else:
            requeued += same_run.update(status=TaskResultStatus.READY)
            logger.warning("Task %s (%s) requeued: its worker went silent", pk, task_path)
    return requeued, failed
