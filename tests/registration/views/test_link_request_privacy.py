"""Asking for a booking link never tells a stranger whether an address is registered."""

import pytest
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.db import SessionStore
from django.core.signals import request_finished
from django.db import close_old_connections, connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from outbox.models import OutgoingEmail
from registration.models import Delegate, ManageLink
from registration.views.link import request_link
from tests.factories import DelegateFactory

REGISTERED = "known@force.police.uk"
UNKNOWN = "nobod@force.police.uk"  # same length, so the pages can be compared byte for byte


def ask_for_link(email):
    """Run the view as a server would up to sending; return (response, SQL it ran)."""
    request = RequestFactory().post(reverse("registration:request_link"), {"email": email})
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    request._dont_enforce_csrf_checks = True
    with CaptureQueriesContext(connection) as queries:
        response = request_link(request)
    return response, [q["sql"] for q in queries.captured_queries]


def server_sent(response):
    """Close the response as a WSGI server does once it has sent it.

    Like Django's test client, keep the test's database connection open
    (closing would end the test's transaction on PostgreSQL).
    """
    request_finished.disconnect(close_old_connections)
    try:
        response.close()
    finally:
        request_finished.connect(close_old_connections)


@pytest.fixture
def known(event):
    return DelegateFactory(event=event, email=REGISTERED)


def test_request_link_registered_and_unknown_answer_identically(known):
    known_response, known_sql = ask_for_link(REGISTERED)
    unknown_response, unknown_sql = ask_for_link(UNKNOWN)
    assert known_response.status_code == unknown_response.status_code == 200
    assert known_response.content.replace(REGISTERED.encode(), b"EMAIL") == (
        unknown_response.content.replace(UNKNOWN.encode(), b"EMAIL")
    )
    assert known_sql == unknown_sql


def test_request_link_does_no_lookup_before_the_response(known):
    response, sql = ask_for_link(REGISTERED)
    assert not any(Delegate._meta.db_table in statement for statement in sql)
    assert ManageLink.objects.count() == 0
    assert OutgoingEmail.objects.count() == 0
    server_sent(response)
    assert OutgoingEmail.objects.get().to == REGISTERED
    assert ManageLink.objects.get().delegate == known


def test_request_link_unknown_address_sends_nothing_after_the_response(event):
    response, _ = ask_for_link(UNKNOWN)
    server_sent(response)
    assert OutgoingEmail.objects.count() == 0
    assert ManageLink.objects.count() == 0


def test_request_link_cancelled_address_sends_nothing(event):
    DelegateFactory(event=event, email=REGISTERED, status=Delegate.Status.CANCELLED)
    response, _ = ask_for_link(REGISTERED)
    server_sent(response)
    assert OutgoingEmail.objects.count() == 0


def test_request_link_through_client_queues_link_for_registered(client, known):
    response = client.post(reverse("registration:request_link"), {"email": REGISTERED.upper()})
    assert response.status_code == 200
    assert OutgoingEmail.objects.get().subject == "Strategic SOCEX 2019: your booking link"
