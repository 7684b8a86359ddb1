"""Two registrations of one address at once: one registers, the other tells the owner."""

import threading
import time

import pytest
from django.db import connection, transaction

from outbox.models import OutgoingEmail
from registration.models import Delegate
from tests import registering
from tests.concurrency.threads import skip_unless_postgres
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
