"""Signed in but with an unconfirmed address (say, seats from before the upgrade): no new seats.

Such a browser session cannot be made by the site today (the code and the link
both confirm), so the tests put the delegate in the session directly.
"""

import pytest

from registration.views.access import SESSION_KEY
from tests.factories import DelegateFactory
from workshops.models import Booking, Preference, WaitlistEntry
from workshops.services.booking import book_sessions

REFUSAL = "Confirm your email address before you"


def signed_in_unconfirmed(client, event, **fields):
    delegate = DelegateFactory(event=event, unconfirmed=True, **fields)
    session = client.session
    session[SESSION_KEY] = delegate.pk
    session.save()
    return delegate


@pytest.fixture
def choices(four_sessions):
    return {f"slot_{s.time_slot_id}": str(s.pk) for s in four_sessions}


def test_choose_page_unconfirmed_delegate_books_nothing(client, programme, choices):
    signed_in_unconfirmed(client, programme["event"])
    response = client.post("/booking/workshops/", choices)
    assert response.status_code == 200
    assert REFUSAL + " choose workshops" in response.content.decode()
    assert Booking.objects.count() == 0


def test_join_waitlist_page_unconfirmed_delegate_is_refused(client, programme, four_sessions):
    s = programme["sessions"]
    for _ in range(2):
        book_sessions(delegate=DelegateFactory(event=programme["event"]), sessions=four_sessions)
    delegate = DelegateFactory(event=programme["event"])
    book_sessions(delegate=delegate, sessions=[s[(0, 1)], s[(1, 5)], s[(2, 3)], s[(3, 7)]])
    delegate.email_confirmed_at = None
    delegate.save()
    session = client.session
    session[SESSION_KEY] = delegate.pk
    session.save()
    response = client.post("/booking/waiting-list/join/", {"session": s[(0, 0)].pk}, follow=True)
    assert REFUSAL + " join a waiting list" in response.content.decode()
    assert WaitlistEntry.objects.count() == 0


def test_rank_page_unconfirmed_delegate_saves_no_ranking(client, ballot_event, programme):
    signed_in_unconfirmed(client, ballot_event)
    data = {f"rank_{w.pk}": str(rank) for rank, w in enumerate(programme["workshops"][:4], 1)}
    response = client.post("/booking/workshops/", data)
    assert response.status_code == 200
    assert REFUSAL + " rank the workshops" in response.content.decode()
    assert Preference.objects.count() == 0
