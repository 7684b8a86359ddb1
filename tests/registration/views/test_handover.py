"""A delegate hands their place to a colleague at the same agency."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from outbox.models import OutgoingEmail
from registration.models import Delegate, DetailChange, Handover
from registration.services.handover import forget_expired_handovers, offer_handover
from tests.factories import AgencyFactory, DelegateFactory
from tests.mail_backends import as_sent
from workshops.models import Booking, BookingChange, WaitlistEntry
from workshops.services.booking import book_sessions
from workshops.services.waitlist import join_waitlist

pytestmark = pytest.mark.django_db

OFFER = reverse("registration:hand_over")


def colleague(**changes):
    return {
        "first_name": "Robin",
        "last_name": "Hale",
        "email": "robin.hale@kent.police.uk",
        "job_title": "DS",
        **changes,
    }


@pytest.fixture
def kent():
    return AgencyFactory(name="Kent Police", email_domains="kent.police.uk")


def offer_link():
    """The link in the newest offer email, as the colleague's mail client shows it."""
    email = OutgoingEmail.objects.filter(subject__contains="offers you their place").latest("pk")
    return re.search(r"https?://[^/\s]+(/booking/take-over/\S+/)", as_sent(email)).group(1)


def accept_data(**changes):
    return {"badge_name": "Robin", "privacy_accepted": "on", **changes}


def test_a_colleague_takes_the_place_with_its_seats(
    client, sign_in, programme, four_sessions, kent
):
    event = programme["event"]
    holder = DelegateFactory(event=event, agency=kent, email="sam@kent.police.uk")
    book_sessions(delegate=holder, sessions=four_sessions)
    sign_in(holder)

    response = client.post(OFFER, colleague())
    assert response.status_code == 302
    assert Handover.objects.filter(delegate=holder).exists()
    path = offer_link()
    client.logout()

    page = client.get(path)
    assert f"Take {holder.first_name}’s place" in page.content.decode()
    response = client.post(path, accept_data())

    assert response.status_code == 302
    new = Delegate.objects.get(email="robin.hale@kent.police.uk")
    holder.refresh_from_db()
    assert holder.status == Delegate.Status.CANCELLED
    assert new.status == Delegate.Status.REGISTERED
    assert new.email_is_confirmed
    assert new.agency == kent
    assert sorted(Booking.objects.filter(delegate=new).values_list("session_id", flat=True)) == (
        sorted(s.pk for s in four_sessions)
    )
    assert not Booking.objects.filter(delegate=holder).exists()
    assert BookingChange.objects.filter(delegate=new, action="booked").count() == 4
    assert BookingChange.objects.filter(delegate=holder, action="released").count() == 4
    assert not Handover.objects.exists()
    assert DetailChange.objects.get(delegate=holder).changed == "place handed over to a colleague"
    assert OutgoingEmail.objects.filter(to="sam@kent.police.uk", subject__contains="handed over")
    assert OutgoingEmail.objects.filter(
        to="robin.hale@kent.police.uk", subject__contains="the place is yours"
    )
    # Calendars follow the seats: the old holder's entries are cancelled, the new one's booked.
    (gone,) = OutgoingEmail.objects.filter(
        to="sam@kent.police.uk", subject__endswith="your workshops have changed"
    )
    assert "METHOD:CANCEL" in gone.attachment_content
    assert "handed your place" in gone.body_text
    (booked,) = OutgoingEmail.objects.filter(
        to="robin.hale@kent.police.uk", subject__endswith="your workshops are booked"
    )
    assert "METHOD:REQUEST" in booked.attachment_content
    # The new holder is signed in, and the link cannot be used twice.
    assert client.get(reverse("workshops:manage")).context["delegate"] == new
    assert "no longer works" in client.get(path).content.decode()


def test_waiting_list_places_move_with_the_place(programme, four_sessions, kent, client):
    event, sessions = programme["event"], programme["sessions"]
    holder = DelegateFactory(event=event, agency=kent)
    book_sessions(delegate=holder, sessions=four_sessions)
    set_a = [sessions[key] for key in ((0, 1), (1, 5), (2, 3), (3, 7))]
    for _ in range(2):  # rooms of 2: set A full
        book_sessions(delegate=DelegateFactory(event=event), sessions=set_a)
    join_waitlist(delegate=holder, session=set_a[0])
    entry = WaitlistEntry.objects.get(delegate=holder)
    offer_handover(delegate=holder, **colleague())

    client.post(offer_link(), accept_data())

    entry.refresh_from_db()
    assert entry.delegate.email == "robin.hale@kent.police.uk"


def test_the_colleague_must_be_at_the_same_agency(client, sign_in, event, kent):
    holder = DelegateFactory(event=event, agency=kent)
    sign_in(holder)

    response = client.post(OFFER, colleague(email="robin@gmail.com"))

    assert "only to a colleague at Kent Police" in response.content.decode()
    assert not Handover.objects.exists()
    assert not OutgoingEmail.objects.filter(to="robin@gmail.com").exists()


def test_an_address_already_registered_cannot_take_a_second_place(client, event, kent):
    holder = DelegateFactory(event=event, agency=kent)
    DelegateFactory(event=event, agency=kent, email="robin.hale@kent.police.uk")
    offer_handover(delegate=holder, **colleague())

    response = client.post(offer_link(), accept_data())

    assert "already has a registration" in response.content.decode()
    holder.refresh_from_db()
    assert holder.status == Delegate.Status.REGISTERED
    assert Delegate.objects.filter(email="robin.hale@kent.police.uk").count() == 1


def test_accepting_needs_the_privacy_notice(client, event, kent):
    holder = DelegateFactory(event=event, agency=kent)
    offer_handover(delegate=holder, **colleague())

    response = client.post(offer_link(), {"badge_name": "Robin"})

    assert "Tick the box to agree to the privacy notice" in response.content.decode()
    assert not Delegate.objects.filter(email="robin.hale@kent.police.uk").exists()


def test_a_withdrawn_offer_no_longer_works(client, sign_in, event, kent):
    holder = DelegateFactory(event=event, agency=kent)
    sign_in(holder)
    client.post(OFFER, colleague())
    path = offer_link()

    client.post(reverse("registration:withdraw_handover"))

    assert not Handover.objects.exists()
    response = client.post(path, accept_data())
    assert "This offer no longer works" in response.content.decode()
    assert not Delegate.objects.filter(email="robin.hale@kent.police.uk").exists()


def test_an_expired_offer_no_longer_works_and_is_forgotten(client, event, kent):
    holder = DelegateFactory(event=event, agency=kent)
    offer_handover(delegate=holder, now=timezone.now() - datetime.timedelta(days=4), **colleague())
    path = offer_link()

    assert "This offer no longer works" in client.get(path).content.decode()
    assert forget_expired_handovers() == 1
    assert not Handover.objects.exists()


def test_a_made_up_token_is_refused(client):
    response = client.post("/booking/take-over/not-a-token/", accept_data())

    assert "This offer no longer works" in response.content.decode()
    assert Delegate.objects.count() == 0


def test_a_pending_registration_cannot_be_handed_over(client, sign_in, event, kent):
    holder = DelegateFactory(event=event, agency=kent, status=Delegate.Status.PENDING)
    sign_in(holder)

    response = client.post(OFFER, colleague())

    assert "awaiting approval" in response.content.decode()
    assert not Handover.objects.exists()


def test_offering_needs_a_signed_in_delegate(client):
    response = client.post(OFFER, colleague())

    assert response.status_code == 302
    assert not Handover.objects.exists()


def test_an_agency_without_address_domains_hands_places_over_only_through_organisers(
    client, sign_in, event
):
    approval_only = AgencyFactory(name="Cardiff University", email_domains="")
    holder = DelegateFactory(event=event, agency=approval_only)
    sign_in(holder)

    response = client.post(OFFER, colleague(email="mallory@gmail.com"))

    assert "can be handed over only by the organisers" in response.content.decode()
    assert not Handover.objects.exists()
    assert not OutgoingEmail.objects.filter(to="mallory@gmail.com").exists()


def test_offers_are_rate_limited_per_colleague_address(client, sign_in, event, kent, settings):
    settings.RATE_LIMITS_ENABLED = True
    holder = DelegateFactory(event=event, agency=kent)
    sign_in(holder)
    answers = [client.post(OFFER, colleague()).status_code for _ in range(5)]

    assert answers == [302, 302, 302, 429, 429]
    assert OutgoingEmail.objects.filter(to="robin.hale@kent.police.uk").count() == 3


def test_the_holder_who_left_is_sent_no_booking_link(client, programme, four_sessions, kent):
    holder = DelegateFactory(event=programme["event"], agency=kent, email="sam@kent.police.uk")
    book_sessions(delegate=holder, sessions=four_sessions)
    offer_handover(delegate=holder, **colleague())

    client.post(offer_link(), accept_data())

    to_holder = OutgoingEmail.objects.filter(to="sam@kent.police.uk").exclude(
        subject__contains="booked"
    )
    assert to_holder.exists()
    for email in to_holder:
        assert "/booking/link/" not in as_sent(email)
    assert any("Your registration has ended" in as_sent(e) for e in to_holder)
