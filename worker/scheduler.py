"""Enqueueing the periodic jobs that are due, once per period however many workers ask."""

import logging

from django.db import transaction
from django.utils import timezone

from worker.models import PeriodicJob
from worker.schedule import periodic_jobs

logger = logging.getLogger(__name__)


def enqueue_due_jobs(*, now=None):
    """Enqueue every periodic job that is due; return the names of those this call enqueued.

    Side effects: inserts a `PeriodicJob` row for a job seen for the first time,
    and for each due job, in one transaction, moves its `next_run_at` on with a
    conditional UPDATE and enqueues its task. Of several workers calling this
    at once, only the one whose UPDATE matched enqueues; on PostgreSQL the
    others wait for its commit, then match nothing.
    """
    now = now or timezone.now()
    jobs = periodic_jobs()
    known = set(PeriodicJob.objects.filter(name__in=jobs).values_list("name", flat=True))
    PeriodicJob.objects.bulk_create(
        [
            PeriodicJob(name=name, next_run_at=job.first_run(now))
            for name, job in jobs.items()
            if name not in known
        ],
        ignore_conflicts=True,  # another worker added it first
    )
    enqueued = []
    due = PeriodicJob.objects.filter(name__in=jobs, next_run_at__lte=now)
    for name, seen_due_at in due.values_list("name", "next_run_at"):
        job = jobs[name]
        with transaction.atomic():
            claimed = PeriodicJob.objects.filter(name=name, next_run_at=seen_due_at).update(
                next_run_at=job.next_run(now), last_enqueued_at=now
            )
            if not claimed:
                continue  # another worker enqueued this period's run
            result = job.task.enqueue()
            PeriodicJob.objects.filter(name=name).update(last_task_id=result.id)
        enqueued.append(name)
        logger.info("Enqueued periodic job %s", name)
    return enqueued
