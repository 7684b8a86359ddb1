"""Signed in but with an unconfirmed address (say, seats from before the upgrade): no new seats.

Such a browser session cannot be made by the site today (the code and the link
both confirm), so the tests put the delegate in the session directly.
"""

import pytest

from outbox.models import OutgoingEmail
from registration.views.access import SESSION_KEY
from tests.confirmation import confirm
from tests.factories import DelegateFactory
from tests.jobs import run_queued_jobs
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
    response = client.post("/booking/waiting-list/join/", {"session": s[(0, 0)].pk})
    assert response.status_code == 200
    assert REFUSAL + " join a waiting list" in response.content.decode()
    assert 'action="/booking/confirm/"' in response.content.decode()
    assert WaitlistEntry.objects.count() == 0


def test_rank_page_unconfirmed_delegate_saves_no_ranking(client, ballot_event, programme):
    signed_in_unconfirmed(client, ballot_event)
    data = {f"rank_{w.pk}": str(rank) for rank, w in enumerate(programme["workshops"][:4], 1)}
    response = client.post("/booking/workshops/", data)
    assert response.status_code == 200
    assert REFUSAL + " rank the workshops" in response.content.decode()
    assert Preference.objects.count() == 0


def assert_confirm_first_page(response, doing):
    """The confirm-your-address page, with its code form, and none of the page's own form."""
    page = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Confirm your email address first</h1>" in page
    assert f"{REFUSAL} {doing}: type the 6-digit code" in page
    assert 'action="/booking/confirm/"' in page and 'name="code"' in page
    assert 'action="/booking/confirm/new-code/"' in page
    assert 'name="slot_' not in page and 'name="rank_' not in page
    assert response["Cache-Control"] == "max-age=0, no-cache, no-store, must-revalidate, private"


def test_choose_page_unconfirmed_delegate_sees_the_confirm_page_not_the_form(client, programme):
    signed_in_unconfirmed(client, programme["event"])
    assert_confirm_first_page(client.get("/booking/workshops/"), "choose workshops")


def test_rank_page_unconfirmed_delegate_sees_the_confirm_page_not_the_form(
    client, ballot_event, programme
):
    signed_in_unconfirmed(client, ballot_event)
    assert_confirm_first_page(client.get("/booking/workshops/"), "rank the workshops")


def test_confirm_page_shown_instead_of_choosing_takes_the_new_code_then_the_form(client, programme):
    delegate = signed_in_unconfirmed(client, programme["event"], email="legacy@kent.police.uk")
    client.get("/booking/workshops/")
    assert client.post("/booking/confirm/new-code/").status_code == 303
    run_queued_jobs()
    assert OutgoingEmail.objects.get().to == "legacy@kent.police.uk"
    response = confirm(client, "legacy@kent.police.uk")
    assert (response.status_code, response["Location"]) == (302, "/booking/workshops/")
    delegate.refresh_from_db()
    assert delegate.email_is_confirmed
    assert 'name="slot_' in client.get("/booking/workshops/").content.decode()
