"""Upgrading a database from before the outbox app keeps every queued email and export record."""

import pytest
from django.db import connection
from django.utils import timezone

from tests.migration_steps import migrate, migrate_to_latest

BEFORE = [
    ("outbox", None),  # not installed yet
    ("registration", "0007_ballot_mode"),
    ("workshops", "0005_booking_capacity_trigger"),
]
AFTER = [
    ("outbox", "0002_sealed_secrets"),
    ("registration", "0010_remove_export_record"),
    ("workshops", "0008_group_permissions"),
]


@pytest.mark.django_db(transaction=True)
def test_upgrade_moves_emails_and_export_records_with_their_ids():
    old = migrate(BEFORE)
    Event = old.get_model("registration", "Event")
    Agency = old.get_model("registration", "Agency")
    Delegate = old.get_model("registration", "Delegate")
    event = Event.objects.create(
        name="E", starts_on="2019-05-22", ends_on="2019-05-23", is_current=True
    )
    agency = Agency.objects.create(name="Kent Police", kind="police_force")
    delegate = Delegate.objects.create(
        event=event,
        agency=agency,
        first_name="A",
        last_name="B",
        email="a@kent.police.uk",
        privacy_accepted_at=timezone.now(),
    )
    OldEmail = old.get_model("registration", "OutgoingEmail")
    kept = OldEmail.objects.create(
        to=delegate.email, subject="Hi", body_text="x", delegate=delegate
    )
    orphan = OldEmail.objects.create(to="someone@example.org", subject="Yo", body_text="y")
    old.get_model("registration", "ExportRecord").objects.create(
        username="olu", export_name="Attendee list", format="csv", row_count=3
    )

    new = migrate(AFTER)
    NewEmail = new.get_model("outbox", "OutgoingEmail")
    assert sorted(NewEmail.objects.values_list("pk", "about", "subject")) == [
        (kept.pk, f"delegate:{delegate.pk}", "Hi"),
        (orphan.pk, "", "Yo"),
    ]
    # The id sequence moved past the copied rows: a new message gets a fresh id.
    assert NewEmail.objects.create(to="n@example.org", subject="N", body_text="n").pk > orphan.pk
    records = new.get_model("workshops", "ExportRecord").objects.all()
    assert list(records.values_list("username", "export_name")) == [("olu", "Attendee list")]
    assert "workshops_exportrecord" in connection.introspection.table_names()
    assert "registration_outgoingemail" not in connection.introspection.table_names()
    migrate_to_latest()
