"""Running queued background jobs inside a test, as a worker would, on the test's connection.

django-tasks-db's own `Worker.run_task` runs each job and records its outcome;
only the loop is ours, because the library's loop closes "old" connections,
which would end the transaction a test runs in.
"""

from django.db import transaction
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from worker.inline import inline_worker

TEST_WORKER_ID = "test-worker"


def run_queued_jobs(*, allow_failures=False, worker_id=TEST_WORKER_ID):
    """Run every ready job, and those they enqueue, until none is left; return the rows run.

    A job that fails fails the test (with its traceback) unless `allow_failures`.
    """
    worker = inline_worker(worker_id=worker_id)
    ran = []
    while True:
        with transaction.atomic():
            row = DBTaskResult.objects.ready().get_locked()
            if row is None:
                break
            row.claim(worker_id)
        worker.run_task(row)
        row.refresh_from_db()
        ran.append(row)
        if row.status == TaskResultStatus.FAILED and not allow_failures:
            raise AssertionError(f"job {row.task_path} failed:\n{row.traceback}")
    return ran


def queued_jobs(task_path=None):
    """The jobs waiting to run (optionally of one task, by dotted path), oldest first."""
    jobs = DBTaskResult.objects.filter(status=TaskResultStatus.READY).order_by("enqueued_at")
    return list(jobs.filter(task_path=task_path) if task_path else jobs)
