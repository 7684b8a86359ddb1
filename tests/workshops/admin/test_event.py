"""The event admin warns what switching to a ballot does to delegates who already hold seats."""

import datetime

from django.urls import reverse
from django.utils import timezone

from tests.factories import AdminUserFactory, DelegateFactory
from tests.workshops.admin.event_page import event_page_data
from workshops.services.booking import book_sessions


def event_form(event, **changes):
    """The event's page as posted, its ballot closing tomorrow (switching to ballot needs it)."""
    closes = timezone.localtime(timezone.now() + datetime.timedelta(days=1))
    return event_page_data(
        event,
        ballot_closes_at_0=closes.date().isoformat(),
        ballot_closes_at_1=closes.strftime("%H:%M:%S"),
        **changes,
    )


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
