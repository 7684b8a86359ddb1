"""Registration's periodic jobs, run by the workers' schedule."""

import datetime

from django.db import connections
from django.utils import timezone

from registration import tasks as registration_tasks
from registration.models import Delegate
from registration.tasks import register_from_form, registration_sealed
from tests import registering
from tests.factories import AgencyFactory
from tests.jobs import run_queued_jobs
from worker.scheduler import enqueue_due_jobs


def test_workers_delete_registrations_never_confirmed_once_a_day_at_03_45(event, settings):
    settings.UNCONFIRMED_REGISTRATION_DAYS = 7
    old = registering.register(event, "old@force.police.uk", other_agency="Made-up Police")
    young = registering.register(event, "young@force.police.uk", other_agency="Made-up Police")
    Delegate.objects.filter(pk=old.pk).update(
        registered_at=timezone.now() - datetime.timedelta(days=8)
    )
    now = timezone.localtime().replace(hour=3, minute=0, second=0, microsecond=0)
    enqueue_due_jobs(now=now)
    run_queued_jobs()
    assert Delegate.objects.count() == 2  # not yet 03:45
    enqueued = enqueue_due_jobs(now=now + datetime.timedelta(minutes=45))
    assert "registration.tasks.purge_unconfirmed" in enqueued
    run_queued_jobs()
    assert list(Delegate.objects.values_list("pk", flat=True)) == [young.pk]


def test_registration_job_reads_its_event_prepared(event):
    """The event of each registration job is read by a query prepared once per connection."""
    register_from_form.enqueue(
        sealed=registration_sealed(
            event=event,
            details={
                "first_name": "Sam",
                "last_name": "Taylor",
                "email": "sam@kent.police.uk",
                "job_title": "Analyst",
                "attends_day_one": True,
                "attends_day_two": True,
            },
            agency_id=AgencyFactory(name="Kent Police").pk,
            other_agency="",
            invitation_code="",
            needs_consent=False,
        )
    )
    run_queued_jobs()
    assert Delegate.objects.get().email == "sam@kent.police.uk"
    kept = connections["default"].__dict__["socex_prepared_queries"]
    assert registration_tasks._event_by_pk in kept
