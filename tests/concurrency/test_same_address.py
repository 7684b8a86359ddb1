"""Two registrations of one address at once: one registers, the other tells the owner."""

import threading
import time

import pytest
from django.db import connection, transaction
from django.utils import timezone

from outbox.models import OutgoingEmail
from registration.models import Delegate, EmailConfirmation
from tests import registering
from tests.concurrency.threads import run_at_once, skip_unless_postgres
from tests.factories import AgencyFactory, EventFactory

EMAIL = "sam.taylor@kent.police.uk"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_register_the_same_address_while_another_commits_tells_the_owner():
    """The second insert waits for the first's commit, meets its row and tells its owner."""
    skip_unless_postgres()
    event, agency = EventFactory(), AgencyFactory(name="Kent Police")
    inserted, results = threading.Event(), {}

    def first():
        try:
            with transaction.atomic():
                results["first"] = registering.register(event, EMAIL, agency_id=agency.pk)
                inserted.set()
                time.sleep(0.5)  # the second looks the address up now, finds nothing, inserts
        finally:
            inserted.set()
            connection.close()

    def second():
        try:
            inserted.wait(10)
            results["second"] = registering.register(
                event, EMAIL, agency_id=agency.pk, first_name="Mallory"
            )
        except Exception as error:  # asserted on below
            results["second"] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert results["second"].pk == results["first"].pk
    assert list(Delegate.objects.values_list("first_name", flat=True)) == ["Sam"]
    assert list(OutgoingEmail.objects.order_by("pk").values_list("subject", flat=True)) == [
        f"{event.name}: your confirmation code",
        f"{event.name}: someone tried to register with your address",
    ]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_registrations_of_a_confirmed_address_at_once_leave_one_working_code():
    """Each tries to spend the codes before it: locked, they take turns and only one is left."""
    skip_unless_postgres()
    event, agency = EventFactory(), AgencyFactory(name="Kent Police")
    owner = registering.register(event, EMAIL, agency_id=agency.pk)
    Delegate.objects.filter(pk=owner.pk).update(email_confirmed_at=timezone.now())

    def again():
        with transaction.atomic():
            return registering.register(event, EMAIL, agency_id=agency.pk, first_name="Mallory")

    results = run_at_once([again] * 4)

    assert [getattr(r, "pk", r) for r in results] == [owner.pk] * 4
    assert EmailConfirmation.objects.filter(delegate=owner, used_at__isnull=True).count() == 1
    assert (
        OutgoingEmail.objects.filter(
            subject__endswith="someone tried to register with your address"
        ).count()
        == 4
    )
