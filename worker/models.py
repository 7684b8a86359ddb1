"""What the workers record beside django-tasks-db's own task rows."""

from django.db import models


class WorkerHeartbeat(models.Model):
    """A worker process, and when it last said it was alive.

    Each `run_worker` process writes its row every `WORKER_HEARTBEAT_SECONDS`
    from a thread of its own, also while a long job runs. A job whose worker
    has been silent for `WORKER_DEAD_AFTER_SECONDS` is handed to another
    (`worker.recovery`). A worker that stops cleanly deletes its row.
    """

    worker_id = models.CharField(max_length=64, primary_key=True)
    hostname = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    last_seen_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-last_seen_at"]

    def __str__(self):
        return f"{self.hostname} pid {self.pid}"


class PeriodicJob(models.Model):
    """When a periodic job (declared in `worker.schedule`) is next due.

    Every worker looks at these rows; the one whose conditional UPDATE moves
    `next_run_at` on is the one that enqueues the job, so each period runs once
    however many workers run.
    """

    name = models.CharField(max_length=200, primary_key=True)
    next_run_at = models.DateTimeField()
    last_enqueued_at = models.DateTimeField(null=True, blank=True)
    last_task_id = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class CompletedTask(models.Model):
    """A task run whose work committed: a second run of the same task result does nothing.

    Written in the same transaction as the task's work (`worker.once.running_once`),
    so a task handed to another worker after its first died cannot do its work twice.
    """

    task_id = models.CharField(max_length=64, primary_key=True)
    completed_at = models.DateTimeField(db_index=True)

    def __str__(self):
        return self.task_id
