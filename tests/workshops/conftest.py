import datetime

import pytest
from django.utils import timezone

from registration.access import issue_manage_link
from registration.models import Event


@pytest.fixture
def ballot_event(programme):
    """The programme's event in ballot mode, the ballot closing in a day."""
    event = programme["event"]
    event.booking_mode = Event.BookingMode.BALLOT
    event.ballot_closes_at = timezone.now() + datetime.timedelta(days=1)
    event.save()
    return event


@pytest.fixture
def close_ballot():
    """Call with an event to close its ballot a minute ago."""

    def close(event):
        event.ballot_closes_at = timezone.now() - datetime.timedelta(minutes=1)
        event.save(update_fields=["ballot_closes_at"])

    return close


@pytest.fixture
def sign_in(client):
    """Call with a delegate to sign them in as they would: by opening an emailed link."""

    def sign_in_as(delegate):
        path = issue_manage_link(delegate=delegate).removeprefix("http://127.0.0.1:8000")
        response = client.post(path)
        assert response.status_code == 302
        return client

    return sign_in_as
