"""Place limits and invitation uses hold under simultaneous confirmations (PostgreSQL).

Registering takes no place (an unconfirmed address proves nothing); confirming
the address does, so that is what races here.
"""

import threading

import pytest
from django.db import connection

from registration.models import Agency, Delegate
from registration.services.confirmation import confirm_email_address
from registration.services.eligibility import NotEligible
from tests.factories import AgencyFactory, EventFactory, InvitationFactory
from tests.registering import register

THREADS = 8


def require_postgres():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks: run with DATABASE_URL=postgres://...")


def register_then_confirm_at_once(event, agency, emails, code=""):
    """Register every email, then confirm each from its own thread, all released together."""
    delegates = [
        register(event, email, agency_id=agency.pk, invitation_code=code, attends_day_two=False)
        for email in emails
    ]
    barrier = threading.Barrier(len(delegates))
    outcomes = []

    def confirm(delegate):
        try:
            barrier.wait()
            confirm_email_address(delegate=delegate)
            outcomes.append("confirmed")
        except NotEligible as error:
            outcomes.append(error.field)
        except Exception as error:  # shown in the assertion rather than lost in the thread
            outcomes.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=confirm, args=(delegate,)) for delegate in delegates]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(outcomes)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_confirm_email_address_concurrent_agency_place_limit_never_exceeded():
    require_postgres()
    event = EventFactory()
    agency = AgencyFactory(admission=Agency.Admission.OPEN, place_limit=3)
    emails = [f"person{i}@force.police.uk" for i in range(THREADS)]
    outcomes = register_then_confirm_at_once(event, agency, emails)
    assert outcomes == ["agency"] * (THREADS - 3) + ["confirmed"] * 3
    assert Delegate.objects.email_confirmed().filter(agency=agency).count() == 3


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_confirm_email_address_concurrent_invitation_uses_never_exceeded():
    require_postgres()
    event = EventFactory()
    agency = AgencyFactory(admission=Agency.Admission.INVITATION)
    InvitationFactory(event=event, code="TEAM", max_uses=2)
    emails = [f"person{i}@gmail.example" for i in range(THREADS)]
    outcomes = register_then_confirm_at_once(event, agency, emails, code="TEAM")
    assert outcomes == ["confirmed"] * 2 + ["invitation_code"] * (THREADS - 2)
    assert Delegate.objects.email_confirmed().filter(invitation__code="TEAM").count() == 2
