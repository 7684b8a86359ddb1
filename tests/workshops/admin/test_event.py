"""The event admin warns what switching to a ballot does to delegates who already hold seats."""

import datetime

from django.urls import reverse
from django.utils import timezone

from tests.factories import AdminUserFactory, DelegateFactory
from workshops.services.booking import book_sessions


def event_form(event, **changes):
    """The event's change form as the admin would post it, with `changes`."""
    closes = timezone.localtime(timezone.now() + datetime.timedelta(days=1))
    data = {
        "name": event.name,
        "tagline": event.tagline,
        "is_current": "on",
        "starts_on": event.starts_on.isoformat(),
        "ends_on": event.ends_on.isoformat(),
        "venue_name": event.venue_name,
        "venue_address": event.venue_address,
        "day_two_summary": event.day_two_summary,
        "choices_required": event.choices_required,
        "booking_mode": event.booking_mode,
        "ballot_closes_at_0": closes.date().isoformat(),
        "ballot_closes_at_1": closes.strftime("%H:%M:%S"),
        "no_show_release_minutes": "15",
        "registration_opens_at_0": "",
        "registration_opens_at_1": "",
        "registration_closes_at_0": "",
        "registration_closes_at_1": "",
        "changes_close_at_0": "",
        "changes_close_at_1": "",
        "contact_email": event.contact_email,
    }
    data.update(changes)
    return data


def test_switching_to_ballot_warns_how_many_hold_seats_and_what_happens(
    client, programme, four_sessions
):
    event = programme["event"]
    for _ in range(2):
        book_sessions(delegate=DelegateFactory(event=event), sessions=four_sessions)
    DelegateFactory(event=event)  # no seats: the ballot is for them
    client.force_login(AdminUserFactory(groups=["Organisers"]))
    url = reverse("admin:registration_event_change", args=[event.pk])
    page = client.get(url).content.decode()
    assert "2 delegates of Strategic SOCEX 2019 hold seats (all with a full set of 4)" in page
    response = client.post(url, event_form(event, booking_mode="ballot"), follow=True)
    assert response.status_code == 200
    event.refresh_from_db()
    assert event.is_ballot
    warnings = [str(m) for m in response.context["messages"] if m.level_tag == "warning"]
    assert any(
        w.startswith(
            "Switched to ballot mode. 2 delegates of Strategic SOCEX 2019 hold seats (all with a "
            "full set of 4). In ballot mode they keep their seats and are left out of the ballot"
        )
        for w in warnings
    ), warnings


def test_switching_to_ballot_without_bookings_gives_no_seat_warning(client, programme):
    event = programme["event"]
    DelegateFactory(event=event)
    client.force_login(AdminUserFactory(groups=["Organisers"]))
    url = reverse("admin:registration_event_change", args=[event.pk])
    assert "hold seats" not in client.get(url).content.decode()
    response = client.post(url, event_form(event, booking_mode="ballot"), follow=True)
    event.refresh_from_db()
    assert event.is_ballot
    assert not any("hold seats" in str(m) for m in response.context["messages"])
