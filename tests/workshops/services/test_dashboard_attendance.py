"""The dashboard's live attendance: arrived and expected per day and per session, walk-ins,
standby, no-shows, in a fixed number of queries."""

import datetime
import uuid

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.attending import read_on
from tests.conftest import ROUND_ONE_STARTS
from tests.factories import AdminUserFactory, DelegateFactory
from workshops.services.booking import book_sessions
from workshops.services.checkin import record_scan
from workshops.services.dashboard import attendance_figures, session_fill_by_slot
from workshops.services.doors import Door, DoorStaff

DAY_TWO = datetime.date(2019, 5, 23)


def scan(door, delegate):
    staff = DoorStaff(user=AdminUserFactory(username="door"))
    return record_scan(
        scan_id=uuid.uuid4(),
        door=door,
        reference=delegate.checkin_reference,
        by=staff,
        scanned_at=read_on(door.day),
        now=read_on(door.day),
    )[0]


def test_attendance_by_day_and_session(on_the_day, four_sessions):
    event = on_the_day["event"]
    holders = [DelegateFactory(event=event) for _ in range(2)]
    for holder in holders:
        book_sessions(delegate=holder, sessions=four_sessions)
    DelegateFactory(event=event, attends_day_one=False)
    walk_in, waiting = (DelegateFactory(event=event) for _ in range(2))
    scan(Door(event=event, day=DAY_TWO), holders[0])
    first, second = four_sessions[0], four_sessions[1]
    scan(Door(event=event, day=DAY_TWO, session=first), holders[0])
    scan(Door(event=event, day=DAY_TWO, session=first), walk_in)  # full: standby
    scan(Door(event=event, day=DAY_TWO, session=second), waiting)  # full too

    now = ROUND_ONE_STARTS + datetime.timedelta(minutes=30)  # round 1 started, round 2 not
    figures = attendance_figures(event=event, slots=session_fill_by_slot(event=event), now=now)
    assert [(d.day, d.arrived, d.expected) for d in figures["days"]] == [
        (datetime.date(2019, 5, 22), 0, 4),
        (DAY_TWO, 1, 5),
    ]
    rows = {row.fill.session.pk: row for row in figures["sessions"]}
    assert (rows[first.pk].arrived, rows[first.pk].standby, rows[first.pk].no_shows) == (1, 1, 1)
    assert (rows[second.pk].standby, rows[second.pk].no_shows, rows[second.pk].started) == (
        1,
        0,
        False,
    )


def test_dashboard_shows_attendance_in_a_fixed_number_of_queries(client, on_the_day, four_sessions):
    event = on_the_day["event"]
    client.force_login(AdminUserFactory(is_superuser=True))

    def queries():
        with CaptureQueriesContext(connection) as captured:
            page = client.get(reverse("admin_dashboard"))
        assert b"On the day: who has arrived" in page.content
        return len(captured)

    before = queries()
    for _ in range(2):
        delegate = DelegateFactory(event=event)
        book_sessions(delegate=delegate, sessions=four_sessions)
        scan(Door(event=event, day=DAY_TWO), delegate)
        scan(Door(event=event, day=DAY_TWO, session=four_sessions[0]), delegate)
    scan(Door(event=event, day=DAY_TWO, session=four_sessions[0]), DelegateFactory(event=event))
    assert queries() == before
