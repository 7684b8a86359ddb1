"""Time slots in the admin: within the event's dates, never overlapping, and the event's
dates never moved away from them."""

import datetime

import pytest
from django.contrib.auth.models import User
from django.utils import dateformat
from django_tasks_db.models import DBTaskResult

from tests.attending import booked_delegate
from tests.workshops.admin.event_page import event_page_data
from tests.workshops.admin.time_slot_page import post_time_slot
from workshops.models import TimeSlot

DAY = datetime.timedelta(days=1)


@pytest.fixture
def admin_client(client, db):
    client.force_login(User.objects.create_superuser("organiser", "", "a-long-test-password"))
    return client


@pytest.fixture
def rounds(programme):
    """The four rounds hourly from 09:00 UTC on the event's last day, Ada booked in each."""
    event = programme["event"]
    first = datetime.datetime.combine(event.ends_on, datetime.time(9), tzinfo=datetime.UTC)
    for index, slot in enumerate(programme["slots"]):
        slot.starts_at = first + datetime.timedelta(hours=index)
        slot.ends_at = slot.starts_at + datetime.timedelta(minutes=50)
        slot.save()
    s = programme["sessions"]
    booked_delegate(event, [s[k] for k in [(0, 0), (1, 4), (2, 2), (3, 6)]])
    return programme["slots"]


def news_jobs():
    return DBTaskResult.objects.filter(task_path__endswith="email_timetable_news").count()


def test_a_time_slot_moved_outside_the_events_dates_is_refused(admin_client, rounds):
    slot = rounds[1]
    response = post_time_slot(
        admin_client, slot, starts_at=slot.starts_at + 3 * DAY, ends_at=slot.ends_at + 3 * DAY
    )
    html = response.content.decode()
    event = slot.event
    days = (
        f"{dateformat.format(event.starts_on, 'D j M')} to "
        f"{dateformat.format(event.ends_on, 'D j M Y')}"
    )
    assert f"{event.name} runs {days}: a time slot must lie within those days" in html
    assert TimeSlot.objects.get(pk=slot.pk).starts_at == slot.starts_at
    assert news_jobs() == 0


def test_a_time_slot_overlapping_another_of_the_event_is_refused(admin_client, rounds):
    slot, other = rounds[1], rounds[2]
    response = post_time_slot(
        admin_client,
        slot,
        starts_at=slot.starts_at + datetime.timedelta(minutes=30),
        ends_at=slot.ends_at + datetime.timedelta(minutes=30),
    )
    html = response.content.decode()
    assert f"It overlaps {other.name} ({other.when}): an event" in html
    assert TimeSlot.objects.get(pk=slot.pk).starts_at == slot.starts_at
    assert news_jobs() == 0


def test_a_time_slot_ending_as_the_next_starts_is_saved(admin_client, rounds):
    slot, other = rounds[1], rounds[2]
    response = post_time_slot(admin_client, slot, starts_at=slot.starts_at, ends_at=other.starts_at)
    assert response.redirect_chain  # saved, back to the list
    assert TimeSlot.objects.get(pk=slot.pk).ends_at == other.starts_at


def test_moving_the_events_dates_away_from_its_time_slots_is_refused_naming_them(
    admin_client, rounds
):
    event = rounds[0].event
    before = event.starts_on, event.ends_on
    response = admin_client.post(
        f"/admin/registration/event/{event.pk}/change/",
        event_page_data(event, starts_on=before[0] + 7 * DAY, ends_on=before[1] + 7 * DAY),
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "These time slots would lie outside the event&#x27;s dates: " in html
    assert f"{rounds[0].name} ({rounds[0].when}); {rounds[1].name}" in html
    event.refresh_from_db()
    assert (event.starts_on, event.ends_on) == before


def test_event_dates_that_still_hold_the_time_slots_are_saved(admin_client, rounds):
    event = rounds[0].event
    response = admin_client.post(
        f"/admin/registration/event/{event.pk}/change/",
        event_page_data(event, starts_on=event.starts_on - DAY),
    )
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.ends_on - event.starts_on == 2 * DAY
