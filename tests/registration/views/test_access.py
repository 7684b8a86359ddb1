"""Pages that show a delegate's data are never stored by the browser or a proxy."""

import pytest
from django.urls import reverse

from registration.models import Delegate
from registration.services.link import issue_manage_link
from registration.views.access import SESSION_KEY
from tests.factories import AgencyFactory, DelegateFactory
from tests.page_queries import sign_in
from workshops.services.booking import book_sessions


@pytest.fixture
def delegate(programme, four_sessions):
    delegate = DelegateFactory(event=programme["event"], first_name="Priya")
    book_sessions(delegate=delegate, sessions=four_sessions)
    return delegate


def assert_not_stored(response):
    assert "no-store" in response.get("Cache-Control", ""), response.get("Cache-Control")


@pytest.mark.parametrize(
    ("method", "address"),
    [
        ("get", "/booking/"),
        ("get", "/booking/workshops/"),
        ("get", "/booking/confirmed/"),
        ("get", "/booking/calendar.ics"),
        ("get", "/booking/cancel/"),
        ("post", "/booking/cancel/"),
        ("get", "/booking/my-data.json"),
        ("get", "/booking/erase/"),
        ("post", "/booking/erase/"),
        ("post", "/booking/waiting-list/join/"),
        ("post", "/booking/waiting-list/leave/"),
    ],
)
def test_booking_page_of_a_signed_in_delegate_is_not_stored(client, delegate, method, address):
    sign_in(client, delegate)
    response = getattr(client, method)(address)
    assert response.status_code in (200, 302)
    assert_not_stored(response)


def test_booking_link_page_naming_the_delegate_is_not_stored(client, delegate):
    path = issue_manage_link(delegate=delegate).removeprefix("http://127.0.0.1:8000")
    response = client.get(path)
    assert "Priya" in response.content.decode()
    assert_not_stored(response)
    assert_not_stored(client.post(path))


def test_link_sent_page_showing_the_address_is_not_stored(client, delegate):
    response = client.post(reverse("registration:request_link"), {"email": delegate.email})
    assert delegate.email in response.content.decode()
    assert_not_stored(response)


def test_register_pages_are_not_stored(client, programme):
    assert_not_stored(client.get(reverse("register")))
    agency = AgencyFactory()
    details = {
        "first_name": "Priya",
        "last_name": "Shah",
        "email": "priya.shah@force.police.uk",
        "job_title": "Analyst",
        "agency": str(agency.pk),
        "attends_day_one": "on",
        "accessibility_needs": "Step-free access",
    }
    refused = client.post(reverse("register"), details)  # no privacy consent: shown again
    assert refused.status_code == 200
    assert "Step-free access" in refused.content.decode()
    assert_not_stored(refused)
    registered = client.post(
        reverse("register"), {**details, "needs_consent": "on", "privacy_accepted": "on"}
    )
    assert registered.status_code == 303  # on to the page that asks for the emailed code
    assert_not_stored(registered)
    assert_not_stored(client.get(registered["Location"]))  # the page naming the address


@pytest.mark.parametrize("stored", ["1", None, 1.0, [1]])
def test_a_session_not_holding_a_delegate_id_is_asked_for_a_link(client, delegate, stored):
    session = client.session
    session[SESSION_KEY] = stored if stored != "1" else str(delegate.pk)
    session.save()
    response = client.get(reverse("workshops:manage"))
    assert response.status_code == 302
    assert response["Location"] == reverse("registration:request_link")


def test_a_cancelled_delegate_is_signed_in_no_more(client, delegate):
    sign_in(client, delegate)
    assert client.get(reverse("workshops:manage")).status_code == 200
    delegate.status = Delegate.Status.CANCELLED
    delegate.save(update_fields=["status"])
    response = client.get(reverse("workshops:manage"))
    assert response["Location"] == reverse("registration:request_link")


def test_a_form_sent_once_signed_out_says_it_was_not_saved(client, delegate):
    sign_in(client, delegate)
    client.post(reverse("registration:sign_out"))

    response = client.post(
        reverse("registration:edit_details"), {"job_title": "Changed"}, follow=True
    )

    assert response.redirect_chain == [(reverse("registration:request_link"), 302)]
    assert "signed out of your booking, so what you sent was not saved" in (
        response.content.decode()
    )
    delegate.refresh_from_db()
    assert delegate.job_title != "Changed"


def test_opening_a_booking_page_signed_out_asks_for_a_link_without_a_warning(client, delegate):
    response = client.get(reverse("workshops:manage"), follow=True)

    assert response.redirect_chain == [(reverse("registration:request_link"), 302)]
    assert "not saved" not in response.content.decode()


def site_menu(response):
    page = response.content.decode()
    return page[page.index('aria-label="Site"') : page.index("</nav>")]


@pytest.mark.parametrize("address", ["/booking/", "/booking/workshops/", "/booking/details/"])
def test_a_signed_in_delegate_is_not_offered_to_register_again(client, delegate, address):
    sign_in(client, delegate)

    menu = site_menu(client.get(address))

    assert "My booking" in menu
    assert reverse("register") not in menu


def test_a_visitor_is_offered_to_register(client, delegate):
    menu = site_menu(client.get("/"))

    assert f'href="{reverse("register")}"' in menu
