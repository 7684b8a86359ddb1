"""The private calendar feed: a secret URL, shown once, stored only as a hash, revocable."""

import re

import pytest
from icalendar import Calendar

from outbox.models import OutgoingEmail
from registration.services.privacy import erase_delegate
from tests.factories import DelegateFactory
from workshops.models import CalendarFeed
from workshops.models.calendar import hash_feed_token
from workshops.services.booking import book_sessions, cancel_registration

FEED = re.compile(r'value="http://127\.0\.0\.1:8000(/booking/calendar/feed/([\w-]+)\.ics)"')


@pytest.fixture
def delegate(programme, four_sessions):
    delegate = DelegateFactory(event=programme["event"])
    book_sessions(delegate=delegate, sessions=four_sessions)
    return delegate


def subscribe(client):
    response = client.post("/booking/calendar/subscribe/", {"action": "new"})
    assert response.status_code == 200
    path, token = FEED.search(response.content.decode()).groups()
    return path, token


def titles(response):
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = Calendar.from_ical(response.content)
    return sorted(str(e["SUMMARY"]) for e in calendar.walk("VEVENT"))


def test_feed_serves_the_seats_without_a_session_and_stores_only_a_hash(client, sign_in, delegate):
    sign_in(delegate)
    path, token = subscribe(client)
    client.logout()

    response = client.get(path)

    assert response.status_code == 200
    assert titles(response) == ["Workshop 1", "Workshop 3", "Workshop 5", "Workshop 7"]
    feed = CalendarFeed.objects.get(delegate=delegate)
    assert feed.token_hash == hash_feed_token(token)
    assert token not in feed.token_hash
    assert client.head(path).status_code == 200


def test_feed_follows_a_change_with_the_same_uid_and_a_higher_sequence(
    client, sign_in, delegate, programme
):
    sign_in(delegate)
    path, _ = subscribe(client)
    before = Calendar.from_ical(client.get(path).content)
    s = programme["sessions"]

    book_sessions(delegate=delegate, sessions=[s[(0, 1)], s[(1, 4)], s[(2, 2)], s[(3, 6)]])

    after = client.get(path)
    assert titles(after) == ["Workshop 2", "Workshop 3", "Workshop 5", "Workshop 7"]
    round_one = s[(0, 0)].time_slot.starts_at
    old, new = (
        next(e for e in c.walk("VEVENT") if e.decoded("DTSTART") == round_one)
        for c in (before, Calendar.from_ical(after.content))
    )
    assert str(new["UID"]) == str(old["UID"])
    assert (int(old["SEQUENCE"]), int(new["SEQUENCE"])) == (0, 1)


def test_a_new_link_revokes_the_old_one(client, sign_in, delegate):
    sign_in(delegate)
    old_path, _ = subscribe(client)
    new_path, _ = subscribe(client)

    assert client.get(old_path).status_code == 404
    assert client.get(new_path).status_code == 200
    assert CalendarFeed.objects.filter(delegate=delegate).count() == 1


def test_turning_the_link_off_refuses_it(client, sign_in, delegate):
    sign_in(delegate)
    path, _ = subscribe(client)

    response = client.post("/booking/calendar/subscribe/", {"action": "off"}, follow=True)

    assert "Your calendar link is turned off" in response.content.decode()
    assert "Get a calendar link" in response.content.decode()
    assert client.get(path).status_code == 404
    assert not CalendarFeed.objects.exists()


@pytest.mark.parametrize("token", ["x", "a" * 43, "a" * 500])
def test_an_unknown_token_is_not_found(client, delegate, token):
    assert client.get(f"/booking/calendar/feed/{token}.ics").status_code == 404


def test_a_cancelled_registration_empties_the_feed(client, sign_in, delegate):
    sign_in(delegate)
    path, _ = subscribe(client)

    cancel_registration(delegate=delegate)

    assert titles(client.get(path)) == []


def test_manage_page_offers_the_link_and_then_its_date(client, sign_in, delegate):
    sign_in(delegate)
    assert "Get a calendar link" in client.get("/booking/").content.decode()
    subscribe(client)
    page = client.get("/booking/").content.decode()
    assert "Your calendar link was made on" in page
    assert "Make a new calendar link (the old one stops working)" in page


def test_subscribing_needs_a_signed_in_delegate_and_a_post(client, sign_in, delegate):
    response = client.post("/booking/calendar/subscribe/", {"action": "new"})
    assert response.status_code == 302
    assert not CalendarFeed.objects.exists()
    sign_in(delegate)
    assert client.get("/booking/calendar/subscribe/").status_code == 405


def test_erasure_turns_the_feed_off_and_mails_nothing(client, sign_in, delegate):
    sign_in(delegate)
    path, _ = subscribe(client)
    OutgoingEmail.objects.all().delete()

    erase_delegate(delegate=delegate)

    assert client.get(path).status_code == 404
    assert not OutgoingEmail.objects.exists()


def test_the_feed_asks_for_an_hourly_refresh_in_valid_durations(client, sign_in, delegate):
    sign_in(delegate)
    path, _token = subscribe(client)

    text = client.get(path).content.decode()

    assert "X-PUBLISHED-TTL:PT1H" in text
    assert "REFRESH-INTERVAL;VALUE=DURATION:PT1H" in text
