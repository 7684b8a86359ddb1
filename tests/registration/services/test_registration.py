"""Registering: an unconfirmed registration imposes nothing on the address's owner."""

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext

from outbox.models import OutgoingEmail
from registration.models import Agency, Delegate, EmailConfirmation, ManageLink
from registration.services import registration as registration_service
from registration.services.confirmation import (
    WRONG_CODE,
    CodeRefused,
    confirm_email_address,
    confirm_with_code,
)
from tests import registering
from tests.confirmation import emailed_code
from tests.factories import AdminUserFactory, AgencyFactory
from tests.mail_backends import as_sent

EMAIL = "sam.taylor@kent.police.uk"


def register(event, **details):
    return registering.register(event, EMAIL, **{"badge_name": "Sam", **details})


def squat(event):
    """A stranger registers Sam's address first, with made-up details and a made-up agency."""
    return register(
        event,
        other_agency="Totally Real Constabulary",
        first_name="Mallory",
        last_name="Impostor",
        job_title="Chief Everything",
        badge_name="Mal",
        dietary_requirements="Only cake",
        attends_day_one=False,
    )


@pytest.fixture
def kent(db):
    return AgencyFactory(name="Kent Police")


def test_owner_registering_after_a_squatter_confirms_their_own_details(event, kent):
    squatter = squat(event)
    owner = register(event, agency_id=kent.pk)
    confirmed = confirm_with_code(event=event, email=EMAIL, code=emailed_code(EMAIL))
    assert confirmed.pk == owner.pk != squatter.pk
    delegate = Delegate.objects.get()
    assert (delegate.first_name, delegate.last_name, delegate.job_title) == (
        "Sam",
        "Taylor",
        "Analyst",
    )
    assert (delegate.badge_name, delegate.dietary_requirements) == ("Sam", "")
    assert (delegate.agency, delegate.attends_day_one) == (kent, True)
    assert delegate.email_is_confirmed


def test_replacing_an_unconfirmed_registration_leaves_nothing_of_it(event, kent):
    squatter = squat(event)
    organiser = AdminUserFactory(username="olive")
    LogEntry.objects.create(
        user=organiser,
        content_type=ContentType.objects.get_for_model(Delegate),
        object_id=str(squatter.pk),
        object_repr=str(squatter),
        action_flag=CHANGE,
    )
    register(event, agency_id=kent.pk)
    assert not Delegate.objects.filter(pk=squatter.pk).exists()
    assert not EmailConfirmation.objects.filter(delegate_id=squatter.pk).exists()
    assert not ManageLink.objects.filter(delegate_id=squatter.pk).exists()
    # The typed-in agency nobody else uses goes too; the stored emails are the owner's only.
    assert not Agency.objects.filter(name="Totally Real Constabulary").exists()
    assert [m.subject for m in OutgoingEmail.objects.all()] == [
        "Strategic SOCEX 2019: your confirmation code"
    ]
    assert "Mallory" not in as_sent(OutgoingEmail.objects.get())
    entry = LogEntry.objects.get()
    assert entry.object_repr == f"Discarded unconfirmed registration {squatter.pk}"


def test_the_squatters_code_no_longer_works_once_replaced(event, kent):
    squat(event)
    squatters_code = emailed_code(EMAIL)
    register(event, agency_id=kent.pk)
    owners_code = emailed_code(EMAIL)
    assert owners_code != squatters_code
    with pytest.raises(CodeRefused) as refused:
        confirm_with_code(event=event, email=EMAIL, code=squatters_code)
    assert refused.value.message == WRONG_CODE
    assert Delegate.objects.get().email_confirmed_at is None


def test_the_confirmation_email_shows_the_details_it_confirms(event, kent):
    squat(event)
    body = as_sent(OutgoingEmail.objects.get())
    assert "Mallory Impostor (badge: Mal)" in body
    assert "Chief Everything, Totally Real Constabulary" in body
    assert "Day two only" in body
    assert "do not use this code or link. Register again instead" in body


def test_a_confirmed_registration_is_never_replaced(event, kent):
    owner = register(event, agency_id=kent.pk)
    confirm_email_address(delegate=owner)
    again = squat(event)
    assert again.pk == owner.pk
    assert Delegate.objects.get().first_name == "Sam"
    assert OutgoingEmail.objects.order_by("pk").last().subject == (
        "Strategic SOCEX 2019: someone tried to register with your address"
    )


def test_an_unconfirmed_registration_holding_seats_is_not_replaced(
    event, kent, programme, four_sessions
):
    from workshops.services.booking import book_sessions

    # Registered before addresses were confirmed: unconfirmed, yet holding seats.
    legacy = register(event, agency_id=kent.pk)
    book_sessions(delegate=confirm_email_address(delegate=legacy), sessions=four_sessions)
    Delegate.objects.filter(pk=legacy.pk).update(email_confirmed_at=None)
    assert squat(event).pk == legacy.pk
    assert Delegate.objects.get().first_name == "Sam"
    assert legacy.bookings.count() == 4


def test_registering_reads_the_registration_and_agency_prepared(event, kent):
    """Its two reads are prepared once per connection (socex.prepared), not built each time."""
    register(event, agency_id=kent.pk)
    kept = connections["default"].__dict__.get("socex_prepared_queries", {})
    assert registration_service._live_registration in kept
    assert registration_service._agency_by_pk in kept


def test_registering_with_an_agency_that_is_gone_raises_does_not_exist(event):
    with pytest.raises(Agency.DoesNotExist):
        register(event, agency_id=10**9)
    assert Delegate.objects.count() == OutgoingEmail.objects.count() == 0


def test_registering_a_new_address_takes_nine_statements(event, kent):
    """No savepoint around the delegate's insert: a clash on the address leaves it out."""
    with CaptureQueriesContext(connection) as queries:
        register(event, agency_id=kent.pk)
    statements = [query["sql"].split(" ")[0] for query in queries]
    assert statements == [
        "SAVEPOINT",  # register_delegate's own transaction, inside the test's
        "SELECT",  # the address's live registration
        "SELECT",  # the agency
        "INSERT",  # the delegate
        "INSERT",  # the code
        "INSERT",  # the booking link
        "INSERT",  # the email
        "INSERT",  # its sending job
        "RELEASE",
    ]
