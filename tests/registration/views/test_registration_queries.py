"""The public pages make the same number of queries however big the event."""

import itertools
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from registration.models import Agency
from tests.factories import AgencyFactory, grow_event
from tests.page_queries import count_queries

EMAIL_NUMBERS = itertools.count()


def home(client, programme):
    return count_queries(lambda: client.get("/"))


def register_get(client, programme):
    return count_queries(lambda: client.get("/register/"))


def register_post(client, programme):
    data = registration_data()
    return count_queries(lambda: client.post("/register/", data), expect=(303,))


def registration_data():
    agency = Agency.objects.order_by("pk").first()
    n = next(EMAIL_NUMBERS)
    return {
        "first_name": "Sam",
        "last_name": "Jones",
        "email": f"sam.jones{n}@force.police.uk",
        "job_title": "Detective Sergeant",
        "agency": str(agency.pk),
        "attends_day_one": "on",
        "attends_day_two": "on",
        "privacy_accepted": "on",
    }


@pytest.mark.parametrize("page", [home, register_get, register_post], ids=lambda p: p.__name__)
def test_registration_page_queries_do_not_grow_with_delegates_or_sessions(client, programme, page):
    AgencyFactory()
    page(client, programme)
    small = page(client, programme)
    grow_event(event=programme["event"], slots=programme["slots"], delegates=25)
    for _ in range(10):
        AgencyFactory()

    large = page(client, programme)

    assert large == small


def test_register_post_reads_the_agencies_once(client, programme):
    """The list the form validates against also gives `check_registration` the agency."""
    AgencyFactory()
    data = registration_data()
    with CaptureQueriesContext(connection) as captured:
        assert client.post("/register/", data).status_code == 303
    agency_reads = [
        q["sql"] for q in captured.captured_queries if 'FROM "registration_agency"' in q["sql"]
    ]
    assert len(agency_reads) == 1


def test_register_post_of_an_agency_unconfirmed_since_the_page_is_refused(client, programme):
    agency = AgencyFactory()
    agency.is_confirmed = False
    agency.save()
    data = {
        "first_name": "Sam",
        "last_name": "Jones",
        "email": "sam.jones@force.police.uk",
        "job_title": "Detective Sergeant",
        "agency": str(agency.pk),
        "attends_day_one": "on",
        "privacy_accepted": "on",
    }
    page = client.post("/register/", data)
    assert page.status_code == 200
    assert "Select a valid choice" in page.content.decode()


def test_home_page_counts_day_two_places_only_while_registration_is_open(client, programme):
    event = programme["event"]
    open_queries = home(client, programme)
    event.registration_opens_at = timezone.now() + timedelta(days=3)
    event.save()

    not_yet_queries = home(client, programme)

    # The event, then the sessions and the delegates owed a set, only while open.
    assert not_yet_queries == open_queries - 2
    assert "Registration opens on" in client.get("/").content.decode()
