"""The worker's own periodic jobs: hand on dead workers' jobs, prune old records."""

import datetime
from datetime import timedelta

from django.conf import settings
from django_tasks import task

from worker.housekeeping import prune_finished_tasks
from worker.recovery import recover_orphaned_tasks
from worker.schedule import daily, every


# Looked for twice per `WORKER_DEAD_AFTER_SECONDS`, so a dead worker's job waits
# at most one and a half times that before another worker takes it.
@every(timedelta(seconds=settings.WORKER_DEAD_AFTER_SECONDS / 2))
@task
def requeue_jobs_of_dead_workers():
    """Idempotent: conditional UPDATEs that match only rows still as they were read."""
    requeued, failed = recover_orphaned_tasks()
    return {"requeued": requeued, "failed": failed}


@daily(at=datetime.time(3, 30))
@task
def prune_old_task_records():
    """Idempotent: deletes rows past their age, whichever run gets there first."""
    return prune_finished_tasks()
