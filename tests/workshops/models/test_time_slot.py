"""A time slot's local times, as the pages and emails show them."""

import datetime
import zoneinfo

import pytest
from django.utils import timezone

from workshops.models import TimeSlot

LONDON = zoneinfo.ZoneInfo("Europe/London")


@pytest.mark.parametrize(
    ("starts_at", "ends_at"),
    [
        # Single-digit hours and minutes, noon, midnight; winter and summer time.
        (
            datetime.datetime(2019, 5, 23, 8, 5, tzinfo=datetime.UTC),
            datetime.datetime(2019, 5, 23, 9, 0, tzinfo=datetime.UTC),
        ),
        (
            datetime.datetime(2019, 1, 10, 0, 0, tzinfo=datetime.UTC),
            datetime.datetime(2019, 1, 10, 12, 0, tzinfo=datetime.UTC),
        ),
        (
            datetime.datetime(2019, 3, 31, 0, 30, tzinfo=datetime.UTC),
            datetime.datetime(2019, 3, 31, 1, 45, tzinfo=datetime.UTC),
        ),
        (
            datetime.datetime(2019, 10, 27, 23, 59, tzinfo=datetime.UTC),
            datetime.datetime(2019, 10, 28, 0, 1, tzinfo=datetime.UTC),
        ),
    ],
)
def test_time_slot_times_are_strftimes_local_hours_and_minutes(starts_at, ends_at):
    slot = TimeSlot(name="Workshop round 1", starts_at=starts_at, ends_at=ends_at)

    with timezone.override(LONDON):
        start, end = starts_at.astimezone(LONDON), ends_at.astimezone(LONDON)
        assert slot.times == f"{start:%H:%M}–{end:%H:%M}"


def test_time_slot_times_follow_the_active_time_zone():
    slot = TimeSlot(
        starts_at=datetime.datetime(2019, 5, 23, 9, 0, tzinfo=datetime.UTC),
        ends_at=datetime.datetime(2019, 5, 23, 10, 30, tzinfo=datetime.UTC),
    )

    with timezone.override(zoneinfo.ZoneInfo("Asia/Kolkata")):
        assert slot.times == "14:30–16:00"
    with timezone.override(LONDON):
        assert slot.times == "10:00–11:30"
