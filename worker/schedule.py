"""The one place periodic jobs are declared: a registry any app adds to from its `tasks.py`.

    from datetime import time, timedelta
    from worker.schedule import daily, every

    @every(timedelta(minutes=1))
    @task
    def send_due_email(): ...

    @daily(at=time(3, 15))
    @task
    def apply_retention(): ...

An app imports this module, never the other way round: `WorkerConfig.ready`
imports every installed app's `tasks` module, which runs these decorators.
Each running worker checks the schedule every `WORKER_HEARTBEAT_SECONDS` and
enqueues what is due (`worker.scheduler`), once per period whatever the number
of workers. A job runs as an ordinary task, so it must be safe to run again.
"""

import datetime
from dataclasses import dataclass

from django.utils import timezone


@dataclass(frozen=True)
class PeriodicJob:
    """A task to enqueue every `interval`, or daily at the local time `at`."""

    task: object
    interval: datetime.timedelta | None = None
    at: datetime.time | None = None

    @property
    def name(self):
        return self.task.module_path

    def first_run(self, now):
        """When a job never run before is first due: at once, or at its next daily time."""
        return now if self.interval is not None else self.next_run(now)

    def next_run(self, now):
        """When the job is next due after running at `now`."""
        if self.interval is not None:
            return now + self.interval
        local = timezone.localtime(now)
        candidate = local.replace(hour=self.at.hour, minute=self.at.minute, second=0, microsecond=0)
        if candidate <= local:
            candidate = timezone.make_aware(
                datetime.datetime.combine(local.date() + datetime.timedelta(days=1), self.at)
            )
        return candidate


_jobs = {}


def every(interval):
    """Decorate a task (below `@task`) to run every `interval` (a `timedelta`)."""
    if interval <= datetime.timedelta(0):
        raise ValueError("A periodic job's interval must be positive.")
    return lambda task: _register(PeriodicJob(task=task, interval=interval))


def daily(*, at):
    """Decorate a task (below `@task`) to run once a day at the local time `at`."""
    return lambda task: _register(PeriodicJob(task=task, at=at))


def _register(job):
    _jobs[job.name] = job
    return job.task


def periodic_jobs():
    """Every periodic job declared, by name."""
    return dict(_jobs)
