"""Upgrading a database that holds over-long text: it is shortened, then the limits hold."""

import pytest
from django.db import DataError, IntegrityError, connection, transaction
from django.utils import timezone
from tests.migration_steps import migrate, migrate_to_latest

BEFORE = [
    ("registration", "0010_remove_export_record"),
    ("workshops", "0009_ballot_reports_by_id"),
]
AFTER = [("registration", "0012_text_length_limits"), ("workshops", "0011_text_length_limits")]




@pytest.mark.django_db(transaction=True)
def test_upgrade_shortens_text_over_the_new_limits_and_keeps_the_rest():
    old = migrate(BEFORE)
    event = old.get_model("registration", "Event").objects.create(
        name="E", starts_on="2019-05-22", ends_on="2019-05-23", day_two_summary="s" * 5000
    )
    agency = old.get_model("registration", "Agency").objects.create(name="Kent Police")
    delegate = old.get_model("registration", "Delegate").objects.create(
        event=event,
        agency=agency,
        first_name="Ada",
        last_name="Lovelace",
        email="ada@kent.police.uk",
        job_title="Analyst",
        badge_name="Ada",
        dietary_requirements="d" * 1_000_001,
        accessibility_needs="Step-free access",
        privacy_accepted_at=timezone.now(),
    )
    workshop = old.get_model("workshops", "Workshop").objects.create(
        event=event, title="Cyber", summary="w" * 3000
    )

    new = migrate(AFTER)
    Delegate = new.get_model("registration", "Delegate")
    assert Delegate.objects.values_list(
        "first_name", "dietary_requirements", "accessibility_needs"
    ).get(pk=delegate.pk) == ("Ada", "d" * 1000, "Step-free access")
    summary = new.get_model("registration", "Event").objects.get(pk=event.pk).day_two_summary
    assert summary == "s" * 2000
    assert new.get_model("workshops", "Workshop").objects.get(pk=workshop.pk).summary == "w" * 2000
    with pytest.raises((IntegrityError, DataError)), transaction.atomic():
        Delegate.objects.filter(pk=delegate.pk).update(accessibility_needs="a" * 1001)
    migrate_to_latest()
