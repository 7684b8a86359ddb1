"""Organisers' changes in the admin email the delegate what changed, once per change."""

import pytest
from django.urls import reverse

from outbox.models import OutgoingEmail
from tests.factories import AdminUserFactory, DelegateFactory
from workshops.services.booking import book_sessions


@pytest.fixture
def delegate(programme, four_sessions):
    delegate = DelegateFactory(event=programme["event"])
    book_sessions(delegate=delegate, sessions=four_sessions)
    OutgoingEmail.objects.all().delete()
    return delegate


@pytest.fixture
def organiser_client(db, client):
    client.force_login(AdminUserFactory(username="org", is_superuser=True))
    return client


def test_moving_a_delegate_from_the_roster_emails_them_once(organiser_client, programme, delegate):
    s = programme["sessions"]
    url = reverse("admin:workshops_session_move", args=[s[(0, 0)].pk, delegate.pk])

    response = organiser_client.post(url, {"to_session": s[(0, 3)].pk, "override": 0})

    assert response.status_code == 302
    (email,) = OutgoingEmail.objects.filter(to=delegate.email)
    assert email.subject == "Strategic SOCEX 2019: your workshops have changed"
    assert "was “Workshop 1”" in email.body_text and "now “Workshop 4”" in email.body_text
    assert "BEGIN:VCALENDAR" in email.attachment_content


def test_change_workshops_on_the_delegate_page_emails_them_once(
    organiser_client, programme, delegate
):
    s = programme["sessions"]
    chosen = [s[(0, 1)], s[(1, 5)], s[(2, 2)], s[(3, 6)]]
    url = reverse("admin:registration_delegate_workshops", args=[delegate.pk])

    response = organiser_client.post(url, {f"slot_{x.time_slot_id}": x.pk for x in chosen})

    assert response.status_code == 302
    (email,) = OutgoingEmail.objects.filter(to=delegate.email)
    assert "team has changed your workshops" in email.body_text
    assert email.body_text.count("; now “") == 2


def test_saving_the_same_workshops_in_the_admin_sends_nothing(
    organiser_client, delegate, four_sessions
):
    url = reverse("admin:registration_delegate_workshops", args=[delegate.pk])
    organiser_client.post(url, {f"slot_{x.time_slot_id}": x.pk for x in four_sessions})
    assert not OutgoingEmail.objects.filter(to=delegate.email).exists()


def test_deleting_a_booking_in_the_admin_emails_a_cancellation_of_that_round(
    organiser_client, delegate, four_sessions
):
    seat = delegate.bookings.get(session=four_sessions[0])
    organiser_client.post(
        reverse("admin:workshops_booking_delete", args=[seat.pk]), {"post": "yes"}
    )
    (email,) = OutgoingEmail.objects.filter(to=delegate.email)
    assert "METHOD:CANCEL" in email.attachment_content
