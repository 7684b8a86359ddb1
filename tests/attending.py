"""Attending sessions in a test: a delegate booked there, scanned in at its door on the day."""

import datetime
import uuid

from django.utils import timezone

from tests.factories import AdminUserFactory, DelegateFactory
from workshops.services.booking import book_sessions
from workshops.services.checkin import record_scan
from workshops.services.doors import Door, DoorStaff


def read_on(day):
    """Midday on `day`: when a test's phone read a badge at a door of that day.

    A door refuses a scan made after its day, and the test clock is years past
    SOCEX 2019, so a scan that should count says it was read on its door's day.
    """
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))


def door_staff():
    return DoorStaff(user=AdminUserFactory(groups=["Door staff"]))


def attend(delegate, session, *, staff):
    """Scan `delegate` in at `session`'s door as it starts; return the `CheckIn`."""
    starts = session.time_slot.starts_at
    door = Door(event=session.time_slot.event, day=starts.date(), session=session)
    checkin, _ = record_scan(
        scan_id=uuid.uuid4(),
        door=door,
        reference=delegate.checkin_reference,
        by=staff,
        now=starts + datetime.timedelta(minutes=2),
    )
    assert checkin.admitted, checkin.outcome
    return checkin


def booked_delegate(event, sessions, **details):
    delegate = DelegateFactory(event=event, **details)
    book_sessions(delegate=delegate, sessions=sessions)
    return delegate
