"""Upgrading: existing delegates count as confirmed only if they ever opened a booking link."""

import datetime

import pytest
from django.db import connection
from django.utils import timezone
from tests.migration_steps import migrate, migrate_to_latest

BEFORE = [("registration", "0013_contact_details_permission")]
AFTER = [("registration", "0014_email_confirmation")]




@pytest.mark.django_db(transaction=True)
def test_upgrade_confirms_only_delegates_who_opened_a_booking_link():
    old = migrate(BEFORE)
    Event = old.get_model("registration", "Event")
    Agency = old.get_model("registration", "Agency")
    Delegate = old.get_model("registration", "Delegate")
    ManageLink = old.get_model("registration", "ManageLink")
    event = Event.objects.create(
        name="E", starts_on="2019-05-22", ends_on="2019-05-23", contact_email="e@x.uk"
    )
    agency = Agency.objects.create(name="Kent Police")
    now = timezone.now()

    def delegate(name):
        return Delegate.objects.create(
            event=event,
            agency=agency,
            first_name=name,
            last_name="B",
            email=f"{name}@kent.police.uk",
            job_title="Analyst",
            badge_name=name,
            privacy_accepted_at=now,
            checkin_reference=name,
        )

    opened, unopened, never = delegate("opened"), delegate("unopened"), delegate("never")
    first_use = now - datetime.timedelta(days=3)
    for n, (who, used) in enumerate(
        [(opened, now), (opened, first_use), (opened, None), (unopened, None)]
    ):
        ManageLink.objects.create(
            delegate=who, token_hash=f"{n:064d}", expires_at=now, used_at=used
        )

    new = migrate(AFTER)
    confirmed = dict(
        new.get_model("registration", "Delegate").objects.values_list(
            "first_name", "email_confirmed_at"
        )
    )
    assert confirmed == {"opened": first_use, "unopened": None, "never": None}
    migrate_to_latest()
