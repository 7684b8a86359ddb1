"""Registering never tells a stranger whether an address is registered, nor lets them in."""

import re

import pytest
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from outbox.models import OutgoingEmail
from registration.models import Delegate
from registration.views.registration import register
from tests.factories import AgencyFactory, DelegateFactory
from tests.jobs import queued_jobs, run_queued_jobs
from tests.mail_backends import as_sent
from tests.registration.views.test_link_request_privacy import shape

REGISTERED = "known@force.police.uk"
UNKNOWN = "nobod@force.police.uk"  # same length, so the pages can be compared byte for byte
CSRF = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]+"')
SAVEPOINT = re.compile(r'"s\d+_x\d+"')


@pytest.fixture
def agency(programme):
    return AgencyFactory(name="Warwickshire Police")


@pytest.fixture
def known(event, agency):
    return DelegateFactory(event=event, agency=agency, email=REGISTERED, first_name="Ola")


def form_data(agency, email):
    return {
        "first_name": "Mallory",
        "last_name": "Jones",
        "email": email,
        "agency": str(agency.pk),
        "job_title": "Analyst",
        "attends_day_one": "on",
        "attends_day_two": "on",
        "privacy_accepted": "on",
    }


def post_register(agency, email):
    """Run the view as a server would up to sending; return (response, SQL it ran)."""
    request = RequestFactory().post(reverse("register"), form_data(agency, email))
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    request._dont_enforce_csrf_checks = True
    with CaptureQueriesContext(connection) as queries:
        response = register(request)
    return response, [shape(SAVEPOINT.sub("SAVEPOINT", q["sql"])) for q in queries.captured_queries]


def page(response, email):
    return CSRF.sub(b"CSRF", response.content.replace(email.encode(), b"EMAIL"))


def test_register_new_and_registered_address_answer_identically(known, agency):
    known_response, known_sql = post_register(agency, REGISTERED)
    unknown_response, unknown_sql = post_register(agency, UNKNOWN)
    assert known_response.status_code == unknown_response.status_code == 303
    assert known_response["Location"] == unknown_response["Location"] == "/booking/confirm/"
    assert known_response.content == unknown_response.content
    # The same statements in the request: no look-up of the address, no timing to read.
    assert known_sql == unknown_sql
    # Day-two places left counts delegates, the same for any address; nothing reads the
    # address column or names the address typed.
    delegate_reads = [s for s in known_sql if Delegate._meta.db_table in s]
    assert not any('"email"' in s or "@force.police.uk" in s for s in delegate_reads)
    assert OutgoingEmail.objects.count() == 0
    jobs = queued_jobs("registration.tasks.register_from_form")
    assert len(jobs) == 2
    assert not any(email in str(job.args_kwargs) for job in jobs for email in (REGISTERED, UNKNOWN))


def test_register_through_client_same_status_body_and_code_page(client, known, agency):
    answers = []
    for email in (REGISTERED, UNKNOWN):
        client.cookies.clear()
        response = client.post(reverse("register"), form_data(agency, email))
        follow = client.get(response["Location"])
        answers.append(
            (response.status_code, page(response, email), follow.status_code, page(follow, email))
        )
    assert answers[0] == answers[1]
    assert answers[0][2] == 200
    assert b"We have emailed a 6-digit code to <strong>EMAIL</strong>" in answers[0][3]


def test_register_registered_address_in_the_worker_emails_owner_only(known, agency):
    post_register(agency, REGISTERED)
    run_queued_jobs()
    assert Delegate.objects.count() == 1
    assert Delegate.objects.get().first_name == "Ola"
    message = OutgoingEmail.objects.get()
    assert (message.to, message.subject) == (
        REGISTERED,
        "Strategic SOCEX 2019: someone tried to register with your address",
    )
    assert "Someone, perhaps you, has just tried to register" in as_sent(message)
    assert "Someone, perhaps you, has just tried to register" in message.body_html


def test_register_new_address_in_the_worker_registers_unconfirmed(event, agency):
    post_register(agency, UNKNOWN)
    run_queued_jobs()
    delegate = Delegate.objects.get()
    assert (delegate.email, delegate.email_confirmed_at) == (UNKNOWN, None)
    assert OutgoingEmail.objects.get().subject == "Strategic SOCEX 2019: your confirmation code"


def test_register_does_not_sign_in(client, event, agency):
    client.post(reverse("register"), form_data(agency, UNKNOWN))
    assert client.get(reverse("workshops:choose"))["Location"] == "/booking/link/"


def test_register_over_a_squatters_unconfirmed_registration_lets_the_owner_confirm_theirs(
    client, agency
):
    from django.test import Client

    from tests.confirmation import confirm
    from tests.jobs import run_queued_jobs

    squatted = Client().post(reverse("register"), form_data(agency, UNKNOWN))
    run_queued_jobs()
    assert Delegate.objects.get().first_name == "Mallory"
    owner_details = form_data(agency, UNKNOWN) | {"first_name": "Olamide", "last_name": "Okoro"}
    answer = client.post(reverse("register"), owner_details)
    assert squatted.status_code == answer.status_code == 303
    assert squatted["Location"] == answer["Location"] == "/booking/confirm/"
    assert confirm(client, UNKNOWN).status_code == 302
    delegate = Delegate.objects.get()
    assert (delegate.first_name, delegate.last_name) == ("Olamide", "Okoro")
    assert delegate.email_is_confirmed
