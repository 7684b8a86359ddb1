"""No delegate reaches another delegate's data by changing an id in a URL or form."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session as BrowserSession
from django.urls import reverse
from django.utils import timezone

from registration.models import Delegate
from registration.services.link import issue_manage_link
from tests.factories import DelegateFactory, EventFactory, SessionFactory, TimeSlotFactory
from workshops.models import Booking
from workshops.services.booking import book_sessions


def open_link(client, delegate):
    """Sign `client` in as `delegate` the way a delegate does: spend an emailed link."""
    path = issue_manage_link(delegate=delegate).removeprefix(settings.SITE_URL)
    response = client.post(path)
    assert response.status_code == 302
    return response


def choice_data(sessions):
    return {f"slot_{s.time_slot_id}": str(s.pk) for s in sessions}


@pytest.fixture
def alice(programme):
    return DelegateFactory(event=programme["event"], first_name="Alice", email="alice@a.police.uk")


@pytest.fixture
def bob(programme, four_sessions):
    bob = DelegateFactory(event=programme["event"], first_name="Bob", email="bob@b.police.uk")
    book_sessions(delegate=bob, sessions=four_sessions)
    return bob


@pytest.fixture
def other_event_session(db):
    other = EventFactory(name="Another conference", is_current=False)
    return SessionFactory(workshop__event=other, time_slot=TimeSlotFactory(event=other))


def test_choose_post_with_other_events_session_books_nothing(
    client, alice, four_sessions, other_event_session
):
    open_link(client, alice)
    data = choice_data(four_sessions)
    data[f"slot_{four_sessions[0].time_slot_id}"] = str(other_event_session.pk)
    response = client.post(reverse("workshops:choose"), data)
    assert response.status_code == 200
    slot = four_sessions[0].time_slot
    assert response.context["form"].errors[f"slot_{slot.pk}"] == [
        f"Choose one of the workshops listed for {slot.name} ({slot.times})."
    ]
    assert Booking.objects.filter(delegate=alice).count() == 0


def test_choose_post_with_other_events_slot_field_is_ignored(
    client, alice, four_sessions, other_event_session
):
    open_link(client, alice)
    data = choice_data(four_sessions[:3])
    data[f"slot_{other_event_session.time_slot_id}"] = str(other_event_session.pk)
    response = client.post(reverse("workshops:choose"), data)
    assert response.status_code == 200
    assert not Booking.objects.filter(session=other_event_session).exists()
    assert Booking.objects.filter(delegate=alice).count() == 0


def test_choose_post_with_session_of_another_slot_is_refused(client, alice, four_sessions):
    open_link(client, alice)
    data = choice_data(four_sessions)
    # Round one's field carrying round two's session.
    data[f"slot_{four_sessions[0].time_slot_id}"] = str(four_sessions[1].pk)
    response = client.post(reverse("workshops:choose"), data)
    assert response.status_code == 200
    assert response.context["form"].errors
    assert Booking.objects.filter(delegate=alice).count() == 0


def test_choose_post_books_for_signed_in_delegate_only(client, alice, bob, programme):
    open_link(client, alice)
    s = programme["sessions"]
    mine = [s[(0, 1)], s[(1, 5)], s[(2, 3)], s[(3, 7)]]
    data = {**choice_data(mine), "delegate": str(bob.pk), "delegate_id": str(bob.pk)}
    assert client.post(reverse("workshops:choose"), data).status_code == 302
    assert set(Booking.objects.filter(delegate=alice).values_list("session_id", flat=True)) == {
        x.pk for x in mine
    }
    assert Booking.objects.filter(delegate=bob).count() == 4


@pytest.mark.parametrize("url_name", ["workshops:manage", "workshops:confirmed"])
def test_booking_pages_show_only_signed_in_delegate(client, alice, bob, url_name):
    open_link(client, alice)
    response = client.get(reverse(url_name), {"delegate": bob.pk, "id": bob.pk})
    content = response.content.decode()
    assert response.status_code == 200
    assert "alice@a.police.uk" in content or url_name == "workshops:confirmed"
    assert "bob@b.police.uk" not in content
    assert "Bob" not in content
    assert list(response.context["bookings"]) == []


def test_calendar_lists_only_signed_in_delegates_sessions(client, alice, bob):
    open_link(client, alice)
    response = client.get(reverse("workshops:calendar"), {"delegate": bob.pk})
    assert response.status_code == 200
    assert b"BEGIN:VEVENT" not in response.content


def test_cancel_post_cancels_only_signed_in_delegate(client, alice, bob):
    open_link(client, alice)
    response = client.post(reverse("workshops:cancel"), {"delegate": bob.pk})
    assert response.status_code == 200
    alice.refresh_from_db()
    bob.refresh_from_db()
    assert (alice.status, bob.status) == ("cancelled", "registered")
    assert Booking.objects.filter(delegate=bob).count() == 4


def test_delegate_pages_without_sign_in_redirect_to_request_link(client, bob):
    for name in ["manage", "choose", "confirmed", "calendar", "cancel"]:
        response = client.get(reverse(f"workshops:{name}"))
        assert response.headers["Location"] == reverse("registration:request_link"), name


def test_open_link_pending_delegate_can_sign_in(client, programme):
    pending = DelegateFactory(event=programme["event"], status=Delegate.Status.PENDING)
    assert open_link(client, pending).headers["Location"] == reverse("workshops:manage")


def test_open_link_token_signs_in_its_own_delegate_only(client, alice, bob):
    open_link(client, bob)
    response = client.get(reverse("workshops:manage"))
    assert response.context["delegate"] == bob


def test_session_ends_after_inactivity(client, alice):
    open_link(client, alice)
    stored = BrowserSession.objects.get(session_key=client.session.session_key)
    lifetime = stored.expire_date - timezone.now()
    assert timedelta(seconds=settings.SESSION_COOKIE_AGE - 60) < lifetime
    assert lifetime <= timedelta(seconds=settings.SESSION_COOKIE_AGE)
    stored.expire_date = timezone.now() - timedelta(seconds=1)
    stored.save()
    response = client.get(reverse("workshops:manage"))
    assert response.headers["Location"] == reverse("registration:request_link")


def test_session_activity_pushes_expiry_back(client, alice):
    open_link(client, alice)
    key = client.session.session_key
    BrowserSession.objects.filter(session_key=key).update(
        expire_date=timezone.now() + timedelta(minutes=5)
    )
    assert client.get(reverse("workshops:manage")).status_code == 200
    lifetime = BrowserSession.objects.get(session_key=key).expire_date - timezone.now()
    assert lifetime > timedelta(seconds=settings.SESSION_COOKIE_AGE - 60)
