"""Helpers for the tests that a page's query count does not grow with the data."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from registration.views.access import SESSION_KEY


def sign_in(client, delegate):
    session = client.session
    session[SESSION_KEY] = delegate.pk
    session.save()


def count_queries(request, *, expect=(200, 302)):
    """Run `request()` and return how many queries it made; the response must be `expect`."""
    with CaptureQueriesContext(connection) as captured:
        response = request()
    assert response.status_code in expect, response.status_code
    return len(captured)
