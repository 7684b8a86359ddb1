"""The registration page: what a submission it refuses leaves behind."""

import datetime

import pytest
from django.urls import reverse

from outbox.models import OutgoingEmail
from registration.models import Agency, Delegate, ManageLink
from tests.factories import AdminUserFactory, AgencyFactory, EventFactory

A_MILLION_AND_ONE = 1_000_001


def registration(agency, **answers):
    """What Priya Shah types into the registration form, with `answers` added or changed."""
    return {
        "first_name": "Priya",
        "last_name": "Shah",
        "email": "priya.shah@warwickshire.police.uk",
        "job_title": "Detective Sergeant",
        "agency": str(agency.pk),
        "attends_day_one": "on",
        "privacy_accepted": "on",
        **answers,
    }


@pytest.mark.parametrize("field", ["dietary_requirements", "accessibility_needs"])
def test_register_answer_of_a_million_characters_is_refused_and_saves_nothing(
    client, programme, field
):
    agency = AgencyFactory(name="Warwickshire Police")
    response = client.post(
        reverse("register"),
        registration(agency, **{field: "x" * A_MILLION_AND_ONE, "needs_consent": "on"}),
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {
        field: [f"Ensure this value has at most 1000 characters (it has {A_MILLION_AND_ONE})."]
    }
    assert "Ensure this value has at most 1000 characters" in response.content.decode()
    counts = (Delegate.objects.count(), ManageLink.objects.count(), OutgoingEmail.objects.count())
    assert counts == (0, 0, 0)
    assert list(Agency.objects.values_list("name", flat=True)) == ["Warwickshire Police"]


def test_home_page_says_day_two_full_when_no_full_set_is_left(client, stranded_programme):
    html = client.get(reverse("home")).content.decode()
    assert "Day two is full. You can still register for day one." in html


def test_register_day_two_refused_when_free_seats_make_no_full_set(client, stranded_programme):
    agency = AgencyFactory(name="Warwickshire Police")
    before = Delegate.objects.count()
    response = client.post(
        reverse("register"), registration(agency, attends_day_one="", attends_day_two="on")
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "attends_day_two": [
            "Day two is full: there is no full set of workshops left for another delegate. "
            "You can still register for day one."
        ]
    }
    assert Delegate.objects.count() == before


def past_event():
    return EventFactory(starts_on=datetime.date(2019, 5, 22), ends_on=datetime.date(2019, 5, 23))


def test_register_event_that_ended_in_2019_without_dates_is_closed(client, db):
    past_event()
    agency = AgencyFactory(name="Warwickshire Police")
    response = client.post(reverse("register"), registration(agency))
    assert response.status_code == 200
    assert "<h1>Registration is closed</h1>" in response.content.decode()
    assert Delegate.objects.count() == 0


def test_home_page_past_event_tells_organisers_how_to_open_it(client, db):
    event = past_event()
    note = (
        "For organisers: registration closed at the end of Tuesday 21 May 2019, when the event "
        "started"
    )
    html = client.get(reverse("home")).content.decode()
    assert "Registration is closed." in html
    assert note not in html
    client.force_login(AdminUserFactory(is_superuser=True))
    html = client.get(reverse("home")).content.decode()
    assert note in html
    assert reverse("admin:registration_event_change", args=[event.pk]) in html


def test_home_page_says_when_registration_closes(client, db):
    EventFactory(starts_on=datetime.date(2100, 5, 19), ends_on=datetime.date(2100, 5, 20))
    html = client.get(reverse("home")).content.decode()
    # 00:00 on the 19th is read a day late: the page says the day it ends.
    assert "Registration is open until the end of Tuesday 18 May 2100." in html


def test_home_page_registration_not_yet_open_says_when_it_opens(client, db):
    EventFactory(registration_opens_at=datetime.datetime(2100, 1, 4, 9, tzinfo=datetime.UTC))
    html = client.get(reverse("home")).content.decode()
    assert "Registration opens on Monday 4 January 2100, 09:00." in html
    assert 'href="/register/"' not in html.split("<main", 1)[1]
