"""The admin's "Add delegate", as an organiser (the Organisers role, not a superuser) uses it."""

import re

import pytest
from django.contrib.admin.models import ADDITION, LogEntry
from django.db import IntegrityError
from django.urls import reverse

from outbox.models import OutgoingEmail
from registration.models import Agency, Delegate
from registration.services.privacy import (
    discardable_registrations,
    erase_delegate,
    export_delegate_data,
)
from tests.factories import AdminUserFactory, AgencyFactory, DelegateFactory
from tests.mail_backends import as_sent
from workshops.services.booking import book_sessions

ADD = reverse("admin:registration_delegate_add")
LINK = re.compile(r"http://\S+/booking/link/\S+")


@pytest.fixture
def organiser(db):
    return AdminUserFactory(username="olivia", groups=["Organisers"])


@pytest.fixture
def organiser_client(client, organiser):
    client.force_login(organiser)
    return client


def add(client, event, **fields):
    """Post the add form as the page offers it (its inlines' management forms included)."""
    page = client.get(ADD)
    assert page.status_code == 200
    data = {
        "event": event.pk,
        "first_name": "Sam",
        "last_name": "Speaker",
        "email": "sam.speaker@kent.police.uk",
        "agency": AgencyFactory(name="Kent Police").pk,
        "job_title": "Chief Inspector",
        "attends_day_one": "on",
        "attends_day_two": "on",
        "badge_name": "",
        "added_basis": "speaker",
        "added_note": "",
        **fields,
    }
    for formset in page.context["inline_admin_formsets"]:
        management = formset.formset.management_form
        data.update({management.add_prefix(k): v for k, v in management.initial.items()})
    return client.post(ADD, {k: v for k, v in data.items() if v is not None})


def test_add_delegate_starts_on_the_event_the_site_serves(organiser_client, programme):
    page = organiser_client.get(ADD)

    assert page.context["adminform"].form["event"].value() == programme["event"].pk


def test_add_delegate_without_a_badge_name_registers_them(organiser_client, programme):
    response = add(organiser_client, programme["event"])
    assert response.status_code == 302, response.context["adminform"].form.errors
    delegate = Delegate.objects.get(email="sam.speaker@kent.police.uk")
    assert delegate.badge_name == "Sam Speaker"
    assert delegate.status == Delegate.Status.REGISTERED


def test_add_delegate_records_who_added_them_and_why(organiser_client, organiser, programme):
    add(
        organiser_client,
        programme["event"],
        added_basis="guest",
        added_note="Keynote guest of the Chief Constable",
    )
    delegate = Delegate.objects.get(email="sam.speaker@kent.police.uk")
    assert (delegate.added_by, delegate.added_basis, delegate.added_note) == (
        organiser,
        Delegate.AddedBasis.GUEST,
        "Keynote guest of the Chief Constable",
    )
    # Nobody agreed to the form's notice: nothing recorded as if they had.
    assert delegate.privacy_accepted_at is None
    page = organiser_client.get(
        reverse("admin:registration_delegate_change", args=[delegate.pk])
    ).content.decode()
    assert "Added by olivia on" in page
    assert "as: VIP or guest" in page
    assert "no privacy notice was agreed to" in page
    assert "Keynote guest of the Chief Constable" in page
    entry = LogEntry.objects.get(object_id=str(delegate.pk), action_flag=ADDITION)
    assert entry.user == organiser
    assert entry.get_change_message() == (
        "Added by an organiser as: VIP or guest (Keynote guest of the Chief Constable); "
        "emailed a link to confirm their address."
    )
    history = organiser_client.get(
        reverse("admin:registration_delegate_history", args=[delegate.pk])
    ).content.decode()
    assert "Added by an organiser as: VIP or guest" in history


def test_add_delegate_without_a_basis_says_so_and_adds_nobody(organiser_client, programme):
    response = add(organiser_client, programme["event"], added_basis="")
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["added_basis"] == ["This field is required."]
    assert not Delegate.objects.exists()


def test_added_delegate_gets_a_link_that_confirms_their_address(
    organiser_client, client, programme, four_sessions
):
    add(organiser_client, programme["event"])
    delegate = Delegate.objects.get(email="sam.speaker@kent.police.uk")
    assert delegate.email_confirmed_at is None  # the organiser cannot vouch for the mailbox
    message = OutgoingEmail.objects.get(to="sam.speaker@kent.police.uk")
    assert message.subject.endswith(": you have been registered")
    body = as_sent(message)
    assert "registered you for the conference" in body
    assert "as a speaker" in body
    assert "Please confirm this email address is yours" in body
    assert "http://127.0.0.1:8000/privacy/" in body
    link = LINK.search(body).group(0).removeprefix("http://127.0.0.1:8000")
    client.logout()
    assert client.post(link)["Location"] == "/booking/"
    delegate.refresh_from_db()
    assert delegate.email_confirmed_at is not None
    book_sessions(delegate=delegate, sessions=four_sessions)
    assert delegate.bookings.count() == 4


def test_added_delegate_whose_address_the_organiser_knows_can_book_at_once(
    organiser_client, programme, four_sessions
):
    add(organiser_client, programme["event"], address_known="on", added_basis="walk_in")
    delegate = Delegate.objects.get(email="sam.speaker@kent.police.uk")
    assert delegate.email_confirmed_at is not None
    body = as_sent(OutgoingEmail.objects.get(to="sam.speaker@kent.police.uk"))
    assert "Please confirm" not in body
    assert LINK.search(body)
    book_sessions(delegate=delegate, sessions=four_sessions)
    assert delegate.bookings.count() == 4


def test_added_delegate_ignores_the_agencys_rules_and_place_limit(
    organiser_client, client, programme
):
    agency = AgencyFactory(name="Home Office", admission=Agency.Admission.INVITATION, place_limit=1)
    DelegateFactory(event=programme["event"], agency=agency)
    add(organiser_client, programme["event"], agency=agency.pk, email="guest@example.org")
    delegate = Delegate.objects.get(email="guest@example.org")
    link = LINK.search(as_sent(OutgoingEmail.objects.get(to="guest@example.org"))).group(0)
    client.post(link.removeprefix("http://127.0.0.1:8000"))
    delegate.refresh_from_db()
    assert delegate.email_confirmed_at is not None  # the organiser gave them the place


def test_unconfirmed_added_delegate_is_never_discarded(organiser_client, programme):
    add(organiser_client, programme["event"])
    assert not discardable_registrations().exists()


def test_only_an_added_delegate_may_lack_a_privacy_acceptance(programme):
    with pytest.raises(IntegrityError):
        DelegateFactory(event=programme["event"], privacy_accepted_at=None)


def test_added_delegates_data_copy_says_how_they_were_added_and_erasure_drops_the_note(
    organiser_client, programme
):
    add(organiser_client, programme["event"], added_note="Guest of the Chief Constable")
    delegate = Delegate.objects.get(email="sam.speaker@kent.police.uk")
    registration = export_delegate_data(delegate=delegate)["registration"]
    assert (registration["added_by_an_organiser_as"], registration["added_note"]) == (
        "Speaker",
        "Guest of the Chief Constable",
    )
    assert registration["privacy_accepted_at"] is None
    erase_delegate(delegate=delegate)
    delegate.refresh_from_db()
    assert (delegate.added_basis, delegate.added_note) == ("speaker", "")
