"""The event in the admin: warnings about deadlines left to their defaults or already past."""

import datetime

from django.urls import reverse

from tests.factories import AdminUserFactory, EventFactory


def warnings_on(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return [str(m) for m in response.context["messages"]]


def test_event_admin_warns_registration_and_changes_closed_when_the_event_is_past(client, db):
    event = EventFactory(starts_on=datetime.date(2019, 5, 22), ends_on=datetime.date(2019, 5, 23))
    client.force_login(AdminUserFactory(is_superuser=True))
    expected = [
        "Registration for Strategic SOCEX 2019 closed at the end of Tuesday 21 May 2019: the "
        "public site takes no registrations. To open it, set a later “Registration closes at” "
        "under Deadlines, or move the event's dates.",
        "Changes for Strategic SOCEX 2019 closed at the end of Tuesday 21 May 2019: delegates can "
        "no longer change or cancel online (you still can, here). To reopen them, set a later "
        "“Changes close at”.",
    ]
    assert warnings_on(client, reverse("admin:registration_event_change", args=[event.pk])) == (
        expected
    )
    assert warnings_on(client, reverse("admin:registration_event_changelist")) == expected


def test_event_admin_says_which_defaults_apply_when_deadlines_are_empty(client, db):
    event = EventFactory(starts_on=datetime.date(2100, 5, 19), ends_on=datetime.date(2100, 5, 20))
    client.force_login(AdminUserFactory(is_superuser=True))
    assert warnings_on(client, reverse("admin:registration_event_change", args=[event.pk])) == [
        "“Registration closes at” is empty, so registration for Strategic SOCEX 2019 closes when "
        "the event starts: it is open until the end of Tuesday 18 May 2100.",
        "“Changes close at” is empty, so delegates of Strategic SOCEX 2019 can change or cancel "
        "online until the end of Tuesday 18 May 2100, a day before day two.",
    ]


def test_event_admin_no_warning_when_deadlines_are_set_and_ahead(client, db):
    later = datetime.datetime(2100, 5, 18, tzinfo=datetime.UTC)
    event = EventFactory(
        starts_on=datetime.date(2100, 5, 19),
        ends_on=datetime.date(2100, 5, 20),
        registration_closes_at=later,
        changes_close_at=later,
    )
    client.force_login(AdminUserFactory(is_superuser=True))
    assert warnings_on(client, reverse("admin:registration_event_change", args=[event.pk])) == []
