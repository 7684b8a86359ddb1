"""Booking links: issued with one plain INSERT, and the link issued opens the booking."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from registration.models import ManageLink, hash_token
from registration.services.link import find_usable_link, issue_manage_link
from tests.factories import DelegateFactory


def test_a_link_is_stored_as_its_hash_and_opens_the_booking(db, settings):
    delegate = DelegateFactory()
    before = timezone.now()
    with CaptureQueriesContext(connection) as captured:
        url = issue_manage_link(delegate=delegate)
    # One INSERT that asks nothing back: the new row's id is never read.
    assert [q["sql"].split(" (")[0] for q in captured.captured_queries] == [
        'INSERT INTO "registration_managelink"'
    ]
    assert "RETURNING" not in captured.captured_queries[0]["sql"]
    token = url.rstrip("/").rsplit("/", 1)[-1]
    link = ManageLink.objects.get(delegate=delegate)
    assert link.token_hash == hash_token(token)
    assert before <= link.created_at <= timezone.now()
    hours = (link.expires_at - link.created_at).total_seconds() / 3600
    assert round(hours) == settings.MANAGE_LINK_HOURS
    assert link.used_at is None
    assert find_usable_link(token) == link
