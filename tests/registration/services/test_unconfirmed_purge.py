"""Registrations never confirmed are deleted after UNCONFIRMED_REGISTRATION_DAYS."""

from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from outbox.models import OutgoingEmail
from registration.models import Agency, Delegate, EmailConfirmation, ManageLink
from registration.services.confirmation import confirm_email_address
from registration.services.privacy import purge_unconfirmed_registrations
from tests import registering
from tests.factories import AgencyFactory, DelegateFactory


def register(event, email, **details):
    return registering.register(event, email, other_agency="Made-up Constabulary", **details)


def age(delegate, days):
    Delegate.objects.filter(pk=delegate.pk).update(
        registered_at=timezone.now() - timedelta(days=days)
    )


def test_purge_deletes_only_unconfirmed_registrations_older_than_the_setting(event, settings):
    settings.UNCONFIRMED_REGISTRATION_DAYS = 7
    old = register(event, "old@force.police.uk")
    young = register(event, "young@force.police.uk")
    confirmed = register(event, "owner@force.police.uk")
    confirm_email_address(delegate=confirmed)
    for delegate in (old, confirmed):
        age(delegate, 8)
    age(young, 6)
    assert purge_unconfirmed_registrations() == 1
    assert set(Delegate.objects.values_list("email", flat=True)) == {
        "young@force.police.uk",
        "owner@force.police.uk",
    }
    # What it held went with it; the agency it typed in stays while others use it.
    assert not EmailConfirmation.objects.filter(delegate_id=old.pk).exists()
    assert not ManageLink.objects.filter(delegate_id=old.pk).exists()
    assert not OutgoingEmail.objects.filter(to="old@force.police.uk").exists()
    assert Agency.objects.filter(name="Made-up Constabulary").exists()
    assert purge_unconfirmed_registrations() == 0


def test_purge_keeps_an_unconfirmed_registration_that_holds_seats(
    event, settings, programme, four_sessions
):
    from workshops.services.booking import book_sessions

    # Registered before addresses were confirmed: unconfirmed, yet holding seats.
    legacy = DelegateFactory(event=event, email="legacy@force.police.uk")
    book_sessions(delegate=legacy, sessions=four_sessions)
    Delegate.objects.filter(pk=legacy.pk).update(email_confirmed_at=None)
    age(legacy, 100)
    assert purge_unconfirmed_registrations(days=7) == 0
    assert legacy.bookings.count() == 4


def test_purge_deletes_the_typed_in_agency_nobody_else_uses(event):
    lonely = register(event, "lonely@force.police.uk", first_name="Lone")
    Agency.objects.filter(pk=lonely.agency_id).update(name="Nobody Else Police")
    age(lonely, 30)
    kept = AgencyFactory(name="Kent Police")
    assert purge_unconfirmed_registrations(days=7) == 1
    assert list(Agency.objects.values_list("name", flat=True)) == [kept.name]


def test_purge_unconfirmed_command_reports_and_takes_days(event, settings, capsys):
    settings.UNCONFIRMED_REGISTRATION_DAYS = 7
    age(register(event, "a@force.police.uk"), 3)
    call_command("purge_unconfirmed")
    assert "Nothing to delete: no registration unconfirmed after 7 days." in capsys.readouterr().out
    call_command("purge_unconfirmed", "--days", "2")
    assert "Deleted 1 registrations never confirmed within 2 days." in capsys.readouterr().out
    assert not Delegate.objects.exists()


def test_purge_unconfirmed_command_refuses_negative_days(db):
    with pytest.raises(CommandError, match=r"--days must be 0 or more\."):
        call_command("purge_unconfirmed", "--days", "-1")


def test_privacy_notice_and_code_email_say_when_unconfirmed_registrations_go(
    client, event, settings
):
    from tests.mail_backends import as_sent

    settings.UNCONFIRMED_REGISTRATION_DAYS = 5
    assert (
        "deleted, with everything it holds, 5 days after it was made"
        in client.get(reverse("privacy")).text
    )
    register(event, "b@force.police.uk")
    assert "a registration never confirmed is deleted after 5 days" in as_sent(
        OutgoingEmail.objects.get()
    )
