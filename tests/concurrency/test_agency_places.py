"""Place limits and invitation uses hold under simultaneous registrations (PostgreSQL)."""

import threading

import pytest
from django.db import connection

from registration.models import Agency, Delegate
from registration.services.eligibility import NotEligible
from registration.services.registration import register_delegate
from tests.factories import AgencyFactory, EventFactory, InvitationFactory

THREADS = 8


def require_postgres():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks: run with DATABASE_URL=postgres://...")


def register_at_once(event, agency, emails, code=""):
    """Register every email from its own thread, all released together; return the outcomes."""
    barrier = threading.Barrier(len(emails))
    outcomes = []

    def register(email):
        try:
            barrier.wait()
            register_delegate(
                event=event,
                details={
                    "first_name": "Sam",
                    "last_name": "Taylor",
                    "email": email,
                    "job_title": "Analyst",
                    "attends_day_one": True,
                    "attends_day_two": False,
                },
                agency_id=agency.pk,
                invitation_code=code,
            )
            outcomes.append("registered")
        except NotEligible as error:
            outcomes.append(error.field)
        except Exception as error:  # shown in the assertion rather than lost in the thread
            outcomes.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=register, args=(email,)) for email in emails]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(outcomes)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_register_delegate_concurrent_agency_place_limit_never_exceeded():
    require_postgres()
    event = EventFactory()
    agency = AgencyFactory(admission=Agency.Admission.OPEN, place_limit=3)
    emails = [f"person{i}@force.police.uk" for i in range(THREADS)]
    outcomes = register_at_once(event, agency, emails)
    assert outcomes == ["agency"] * (THREADS - 3) + ["registered"] * 3
    assert Delegate.objects.filter(agency=agency).count() == 3


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_register_delegate_concurrent_invitation_uses_never_exceeded():
    require_postgres()
    event = EventFactory()
    agency = AgencyFactory(admission=Agency.Admission.INVITATION)
    InvitationFactory(event=event, code="TEAM", max_uses=2)
    emails = [f"person{i}@gmail.example" for i in range(THREADS)]
    outcomes = register_at_once(event, agency, emails, code="TEAM")
    assert outcomes == ["invitation_code"] * (THREADS - 2) + ["registered"] * 2
    assert Delegate.objects.filter(invitation__code="TEAM").count() == 2
