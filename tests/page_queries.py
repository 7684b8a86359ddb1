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


TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE SAVEPOINT")


def statements(captured):
    """The SQL `captured` (a CaptureQueriesContext) sent, without transaction control.

    BEGIN, COMMIT and savepoints are left out: a test runs inside a transaction,
    where each `atomic()` sends a savepoint instead of BEGIN and COMMIT.
    """
    return [
        query["sql"]
        for query in captured.captured_queries
        if not query["sql"].upper().startswith(TRANSACTION_CONTROL)
    ]
