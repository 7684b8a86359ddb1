import datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from tests.jobs import queued_jobs
from worker.models import PeriodicJob
from worker.schedule import PeriodicJob as Declared
from worker.schedule import every, periodic_jobs
from worker.scheduler import enqueue_due_jobs

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")


def test_every_app_declares_its_periodic_jobs_in_one_registry():
    assert {
        "outbox.tasks.send_due_email",
        "registration.tasks.apply_retention",
        "registration.tasks.purge_unconfirmed",
        "worker.tasks.requeue_jobs_of_dead_workers",
        "worker.tasks.prune_old_task_records",
    } <= set(periodic_jobs())


def test_enqueue_due_jobs_enqueues_each_interval_job_at_once_then_each_period_once():
    # Midday, so no daily job (all are in the small hours) falls due within the test's minute.
    now = timezone.make_aware(datetime.datetime.combine(timezone.localdate(), datetime.time(12)))
    first = set(enqueue_due_jobs(now=now))
    assert {"outbox.tasks.send_due_email", "worker.tasks.requeue_jobs_of_dead_workers"} <= first
    assert "registration.tasks.apply_retention" not in first  # daily: waits for 03:15
    assert enqueue_due_jobs(now=now) == []  # a second worker asking at the same moment
    assert enqueue_due_jobs(now=now + datetime.timedelta(seconds=29)) == []
    assert enqueue_due_jobs(now=now + datetime.timedelta(seconds=31)) == [
        "worker.tasks.requeue_jobs_of_dead_workers"
    ]
    sweeps = queued_jobs("outbox.tasks.send_due_email")
    assert len(sweeps) == 1
    row = PeriodicJob.objects.get(name="outbox.tasks.send_due_email")
    assert row.last_task_id == str(sweeps[0].pk)
    assert row.next_run_at == now + datetime.timedelta(minutes=1)


def test_enqueue_due_jobs_runs_a_missed_period_once_not_once_per_missed_period():
    now = timezone.now()
    enqueue_due_jobs(now=now)
    a_day_later = now + datetime.timedelta(days=1)
    assert "outbox.tasks.send_due_email" in enqueue_due_jobs(now=a_day_later)
    assert len(queued_jobs("outbox.tasks.send_due_email")) == 2


def test_enqueue_due_jobs_leaves_a_period_another_worker_claimed():
    now = timezone.now()
    enqueue_due_jobs(now=now)
    # Another worker moved the sweep on between this worker's read and its update.
    PeriodicJob.objects.filter(name="outbox.tasks.send_due_email").update(
        next_run_at=now + datetime.timedelta(minutes=1, seconds=1)
    )
    assert "outbox.tasks.send_due_email" not in enqueue_due_jobs(
        now=now + datetime.timedelta(minutes=1)
    )


def test_daily_job_runs_at_its_local_time_across_a_clock_change(settings):
    settings.TIME_ZONE = "Europe/London"
    job = Declared(task=None, at=datetime.time(3, 15))
    # 30 March 2019: the clocks went forward that night; 03:15 BST is 02:15 UTC.
    before = datetime.datetime(2019, 3, 30, 12, 0, tzinfo=LONDON)
    assert job.next_run(before) == datetime.datetime(2019, 3, 31, 3, 15, tzinfo=LONDON)
    assert job.next_run(before).astimezone(datetime.UTC).hour == 2
    early = datetime.datetime(2019, 5, 22, 1, 0, tzinfo=LONDON)
    assert job.next_run(early) == datetime.datetime(2019, 5, 22, 3, 15, tzinfo=LONDON)


def test_every_refuses_an_interval_that_is_not_positive():
    with pytest.raises(ValueError, match="positive"):
        every(datetime.timedelta(0))
