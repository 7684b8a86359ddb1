"""Asking for a booking link never tells a stranger whether an address is registered.

The view validates, rate-limits and enqueues a job with the address sealed;
the look-up and the email happen in the worker. So the request does the same
work, statement for statement, for any address.
"""

import re

import pytest
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from outbox.models import OutgoingEmail
from registration.models import Delegate, ManageLink
from registration.views.link import request_link
from tests.factories import DelegateFactory
from tests.jobs import queued_jobs, run_queued_jobs

REGISTERED = "known@force.police.uk"
UNKNOWN = "nobod@force.police.uk"  # same length, so the pages can be compared byte for byte


def ask_for_link(email):
    """Run the view as a server would; return (response, SQL it ran, values blanked)."""
    request = RequestFactory().post(reverse("registration:request_link"), {"email": email})
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    request._dont_enforce_csrf_checks = True
    with CaptureQueriesContext(connection) as queries:
        response = request_link(request)
    return response, [shape(q["sql"]) for q in queries.captured_queries]


def shape(sql):
    """A statement with its values blanked (the job's id, sealed arguments and times differ)."""
    return re.sub(r"'(?:[^']|'')*'|\b\d+(?:\.\d+)?\b", "?", sql)


@pytest.fixture
def known(event):
    return DelegateFactory(event=event, email=REGISTERED)


def test_request_link_registered_and_unknown_answer_identically_with_the_same_work(known):
    known_response, known_sql = ask_for_link(REGISTERED)
    unknown_response, unknown_sql = ask_for_link(UNKNOWN)
    assert known_response.status_code == unknown_response.status_code == 200
    assert known_response.content.replace(REGISTERED.encode(), b"EMAIL") == (
        unknown_response.content.replace(UNKNOWN.encode(), b"EMAIL")
    )
    assert known_sql == unknown_sql
    assert sum(DBTaskResult._meta.db_table in statement for statement in known_sql) == 1


def test_request_link_looks_nothing_up_in_the_request(known):
    _response, sql = ask_for_link(REGISTERED)
    assert not any(Delegate._meta.db_table in statement for statement in sql)
    assert ManageLink.objects.count() == 0
    assert OutgoingEmail.objects.count() == 0
    [job] = queued_jobs("registration.tasks.send_link_to")
    assert REGISTERED not in str(job.args_kwargs)  # sealed

    run_queued_jobs()
    assert OutgoingEmail.objects.get().to == REGISTERED
    assert ManageLink.objects.get().delegate == known
    job.refresh_from_db()
    # The address is forgotten once done; the origin for links is no one's data.
    assert job.args_kwargs == {
        "args": [],
        "kwargs": {"sealed": "", "origin": "http://127.0.0.1:8000"},
    }


def test_request_link_unknown_address_sends_nothing(event):
    ask_for_link(UNKNOWN)
    run_queued_jobs()
    assert OutgoingEmail.objects.count() == 0
    assert ManageLink.objects.count() == 0


def test_request_link_cancelled_address_sends_nothing(event):
    DelegateFactory(event=event, email=REGISTERED, status=Delegate.Status.CANCELLED)
    ask_for_link(REGISTERED)
    run_queued_jobs()
    assert OutgoingEmail.objects.count() == 0


def test_request_link_through_client_queues_link_for_registered(client, known):
    response = client.post(reverse("registration:request_link"), {"email": REGISTERED.upper()})
    assert response.status_code == 200
    run_queued_jobs()
    assert OutgoingEmail.objects.get().subject == "Strategic SOCEX 2019: your booking link"
