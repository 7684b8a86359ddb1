"""Deadlines and link lifetimes as delegates read them, in pages and emails."""

import datetime

import pytest
from django.template.loader import render_to_string
from django.utils import timezone

from registration.templatetags.deadlines import deadline_phrase, duration_phrase
from tests.factories import DelegateFactory


def local(*args):
    return timezone.make_aware(datetime.datetime(*args))


def test_deadline_at_midnight_reads_as_the_end_of_the_day_before():
    assert deadline_phrase(local(2027, 2, 3, 0, 0)) == "the end of Tuesday 2 February 2027"


def test_deadline_at_another_time_reads_as_that_time_on_its_day():
    assert deadline_phrase(local(2027, 2, 3, 14, 30)) == "14:30 on Wednesday 3 February 2027"


@pytest.mark.parametrize(
    ("hours", "phrase"), [(72, "3 days"), (24, "1 day"), (36, "36 hours"), (1, "1 hour")]
)
def test_link_lifetime_reads_in_days_when_whole(hours, phrase):
    assert duration_phrase(hours) == phrase


def test_manage_page_says_changes_close_at_the_end_of_the_day_before(event, sign_in):
    event.changes_close_at = local(2100, 5, 19, 0, 0)
    event.save()
    page = sign_in(DelegateFactory(event=event)).get("/booking/").content.decode()
    assert "You can make changes here until the end of Tuesday 18 May 2100." in page


def test_request_link_page_says_how_long_a_link_works(client, event, settings):
    settings.MANAGE_LINK_HOURS = 48
    page = client.get("/booking/link/").content.decode()
    assert "The link works once and expires after 2 days." in page


def test_booking_link_email_says_how_long_the_link_works(event):
    delegate = DelegateFactory(event=event)
    context = {"delegate": delegate, "event": event, "link": "https://socex.example/l/x"}
    text = render_to_string("email/booking_link.txt", context)
    html = render_to_string("email/booking_link.html", context)
    assert "It works once and expires in 3 days" in text
    assert "It works once and expires in 3 days." in html
    assert "few days" not in text + html
