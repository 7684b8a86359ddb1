"""The page that takes the emailed code, the new-code button, and the link that also confirms."""

import datetime

import pytest
from django.core.cache import cache
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from registration.models import Delegate, EmailConfirmation
from registration.services.link import issue_manage_link
from tests.confirmation import emailed_code
from tests.factories import AgencyFactory, DelegateFactory
from tests.jobs import run_queued_jobs

EMAIL = "priya.shah@warwickshire.police.uk"
CONFIRM = "/booking/confirm/"


@pytest.fixture
def registered(client, programme):
    agency = AgencyFactory(name="Warwickshire Police")
    response = client.post(
        reverse("register"),
        {
            "first_name": "Priya",
            "last_name": "Shah",
            "email": EMAIL,
            "agency": str(agency.pk),
            "job_title": "Detective Sergeant",
            "attends_day_one": "on",
            "attends_day_two": "on",
            "privacy_accepted": "on",
        },
    )
    assert response["Location"] == CONFIRM
    run_queued_jobs()  # the worker registers
    return Delegate.objects.get(email=EMAIL)


def errors(response):
    return response.context["form"].errors["code"]


def test_confirm_page_right_code_confirms_and_signs_in(client, registered):
    response = client.post(CONFIRM, {"code": " ".join(emailed_code(EMAIL))})
    assert response["Location"] == "/booking/workshops/"
    registered.refresh_from_db()
    assert registered.email_confirmed_at is not None
    assert client.get("/booking/workshops/").status_code == 200
    assert client.get(CONFIRM)["Location"] == "/booking/link/"  # nothing left to confirm here


def test_confirm_page_wrong_code_five_times_spends_it(client, registered, settings):
    settings.CONFIRMATION_CODE_ATTEMPTS = 5
    code = emailed_code(EMAIL)
    other = f"{(int(code) + 1) % 10**6:06d}"
    answers = [errors(client.post(CONFIRM, {"code": other}))[0] for _ in range(5)]
    assert answers[0] == (
        "That is not the code we emailed. Check the newest email from us and type its 6 digits."
    )
    assert answers[4].startswith("That code was typed wrongly too many times")
    assert errors(client.post(CONFIRM, {"code": code}))[0].startswith("This code no longer works")
    assert EmailConfirmation.objects.get().attempts == 5
    registered.refresh_from_db()
    assert registered.email_confirmed_at is None
    assert client.get("/booking/workshops/")["Location"] == "/booking/link/"


def test_confirm_page_expired_code_is_refused(client, registered):
    EmailConfirmation.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    response = client.post(CONFIRM, {"code": emailed_code(EMAIL)})
    assert errors(response)[0].startswith("This code no longer works")
    registered.refresh_from_db()
    assert registered.email_confirmed_at is None


def test_confirm_page_not_six_digits_is_a_form_error_and_costs_no_attempt(client, registered):
    assert errors(client.post(CONFIRM, {"code": "12a"})) == ["Type the 6 digits from the email."]
    assert EmailConfirmation.objects.get().attempts == 0


def test_confirm_page_new_code_replaces_the_old_one(client, registered):
    old = emailed_code(EMAIL)
    response = client.post(reverse("registration:resend_code"))
    assert response.status_code == 303
    new = emailed_code(EMAIL)
    assert EmailConfirmation.objects.filter(used_at__isnull=True).count() == 1
    if new != old:
        assert errors(client.post(CONFIRM, {"code": old}))
    assert client.post(CONFIRM, {"code": new})["Location"] == "/booking/workshops/"


@override_settings(
    RATE_LIMITS_ENABLED=True,
    RATE_LIMITS={
        "register": {"ip": (100, 3600), "email_per_ip": (100, 3600), "email_all_ips": (100, 3600)},
        "resend_code": {"ip": (100, 3600), "email_all_ips": (2, 3600)},
        "confirm_code": {"ip": (100, 3600), "email_all_ips": (100, 3600)},
    },
)
def test_confirm_page_new_code_is_rate_limited_per_address(client, registered):
    cache.clear()
    url = reverse("registration:resend_code")
    assert [client.post(url).status_code for _ in range(3)] == [303, 303, 429]
    cache.clear()


def test_confirm_page_without_a_registration_in_this_browser_offers_a_link(client, event):
    assert client.get(CONFIRM)["Location"] == "/booking/link/"


def test_open_link_confirms_the_address(client, registered):
    path = issue_manage_link(delegate=registered).removeprefix("http://127.0.0.1:8000")
    client.get(path)
    registered.refresh_from_db()
    assert registered.email_confirmed_at is None  # a GET (a mail scanner) proves nothing
    assert client.post(path)["Location"] == "/booking/"
    registered.refresh_from_db()
    assert registered.email_confirmed_at is not None


def test_open_link_when_agency_places_filled_meanwhile_signs_in_unconfirmed(client, registered):
    registered.agency.place_limit = 1
    registered.agency.save()
    DelegateFactory(event=registered.event, agency=registered.agency)
    path = issue_manage_link(delegate=registered).removeprefix("http://127.0.0.1:8000")
    response = client.post(path, follow=True)
    assert "All 1 places for Warwickshire Police have been taken" in response.content.decode()
    registered.refresh_from_db()
    assert registered.email_confirmed_at is None


def test_confirm_page_has_no_inline_style_the_policy_would_refuse(client, registered):
    # The Content-Security-Policy allows no inline style: the code box's width is in site.css.
    html = client.get(CONFIRM).content.decode()
    assert "code-input" in html
    assert " style=" not in html
