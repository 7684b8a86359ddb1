"""Two doors or two phones on the last seat at once. Needs real row locks: PostgreSQL."""

import datetime
import uuid

import pytest

from tests.attending import read_on
from tests.concurrency.threads import run_at_once, skip_unless_postgres
from tests.factories import AdminUserFactory, DelegateFactory
from workshops.models import Booking, CheckIn, NoShowRelease, Session, StandbyEntry
from workshops.services.booking import book_sessions
from workshops.services.checkin import record_scan, seat_standby
from workshops.services.doors import Door, DoorStaff

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

DAY_TWO = datetime.date(2019, 5, 23)
AFTER_RELEASE = datetime.datetime(2019, 5, 23, 9, 30, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def needs_postgres():
    skip_unless_postgres()


@pytest.fixture
def phones(db):
    return [DoorStaff(user=AdminUserFactory(username=f"phone{n}")) for n in range(2)]


def door_of(session):
    session = Session.objects.select_related("time_slot__event", "workshop", "room").get(
        pk=session.pk
    )
    return Door(event=session.time_slot.event, day=DAY_TWO, session=session)


def scan_job(door, delegate, staff, scan_id=None):
    return lambda: record_scan(
        scan_id=scan_id or uuid.uuid4(),
        door=door,
        reference=delegate.checkin_reference,
        by=staff,
        scanned_at=read_on(door.day),
        now=read_on(door.day),
    )


def test_race_walk_ins_from_two_doors_take_the_last_seat_once(on_the_day, phones):
    session = on_the_day["sessions"][(0, 0)]
    book_sessions(
        delegate=DelegateFactory(event=on_the_day["event"]),
        sessions=[session, *(on_the_day["sessions"][k] for k in [(1, 4), (2, 2), (3, 6)])],
    )
    walk_ins = [DelegateFactory(event=on_the_day["event"]) for _ in range(8)]
    door = door_of(session)
    results = run_at_once(
        [scan_job(door, person, phones[i % 2]) for i, person in enumerate(walk_ins)]
    )
    outcomes = sorted(checkin.outcome for checkin, _ in results)
    assert outcomes == ["standby"] * 7 + ["walk_in"]
    assert Booking.objects.filter(session=session).count() == 2 == session.capacity
    assert StandbyEntry.objects.waiting().filter(session=session).count() == 7
    # Each was told their own place in the queue, not two of them "1st".
    told = [checkin.message.split(" ")[0] for checkin, _ in results if checkin.outcome == "standby"]
    assert sorted(told, key=lambda place: int(place[:-2])) == [
        "1st",
        "2nd",
        "3rd",
        "4th",
        "5th",
        "6th",
        "7th",
    ]


def test_race_one_badge_on_two_phones_is_let_in_once(on_the_day, phones):
    delegate = DelegateFactory(event=on_the_day["event"])
    door = Door(event=on_the_day["event"], day=DAY_TWO)
    results = run_at_once([scan_job(door, delegate, staff) for staff in phones * 3])
    assert sorted(checkin.outcome for checkin, _ in results) == ["admitted"] + ["already"] * 5
    assert CheckIn.objects.filter(admitted=True).count() == 1


def test_race_one_scan_sent_twice_at_once_is_recorded_once(on_the_day, phones):
    delegate = DelegateFactory(event=on_the_day["event"])
    door = Door(event=on_the_day["event"], day=DAY_TWO)
    scan_id = uuid.uuid4()
    results = run_at_once([scan_job(door, delegate, phones[0], scan_id) for _ in range(4)])
    assert {checkin.pk for checkin, _ in results} == {CheckIn.objects.get().pk}
    assert sorted(replayed for _, replayed in results) == [False, True, True, True]


def test_race_an_unknown_badge_sent_twice_at_once_is_recorded_once(on_the_day, phones):
    door = Door(event=on_the_day["event"], day=DAY_TWO)
    scan_id = uuid.uuid4()
    jobs = [
        lambda: record_scan(
            scan_id=scan_id,
            door=door,
            reference="nobody",
            by=phones[0],
            scanned_at=read_on(door.day),
            now=read_on(door.day),
        )
        for _ in range(4)
    ]
    results = run_at_once(jobs)
    assert [type(r) for r in results if isinstance(r, Exception)] == []
    assert CheckIn.objects.count() == 1


def test_race_two_doors_releasing_no_shows_at_once_never_pass_capacity(
    on_the_day, four_sessions, phones
):
    """Both no-shows released once each, to the first two on standby, whoever presses first."""
    holders = [DelegateFactory(event=on_the_day["event"]) for _ in range(2)]
    for holder in holders:
        book_sessions(delegate=holder, sessions=four_sessions)
    door = door_of(four_sessions[0])
    waiting = [DelegateFactory(event=on_the_day["event"]) for _ in range(3)]
    for person in waiting:
        scan_job(door, person, phones[0])()
    results = run_at_once(
        [
            lambda staff=staff: seat_standby(door=door, by=staff, now=AFTER_RELEASE)
            for staff in phones * 2
        ]
    )
    assert [type(r) for r in results if isinstance(r, Exception)] == []
    assert sorted(len(r) for r in results) == [0, 0, 0, 2]
    assert Booking.objects.filter(session=four_sessions[0]).count() == 2
    assert set(
        Booking.objects.filter(session=four_sessions[0]).values_list("delegate", flat=True)
    ) == {
        waiting[0].pk,
        waiting[1].pk,
    }
    assert sorted(NoShowRelease.objects.values_list("released", flat=True)) == sorted(
        h.pk for h in holders
    )


def test_race_release_walk_ins_and_arrivals_at_once_keep_capacity(
    on_the_day, four_sessions, phones
):
    """A release, a late arrival at the entrance, and walk-ins at the same door, all at once."""
    holders = [DelegateFactory(event=on_the_day["event"]) for _ in range(2)]
    for holder in holders:
        book_sessions(delegate=holder, sessions=four_sessions)
    door = door_of(four_sessions[0])
    for _ in range(2):
        scan_job(door, DelegateFactory(event=on_the_day["event"]), phones[0])()
    entrance = Door(event=on_the_day["event"], day=DAY_TWO)
    late = [DelegateFactory(event=on_the_day["event"]) for _ in range(3)]
    results = run_at_once(
        [
            lambda: seat_standby(door=door, by=phones[0], now=AFTER_RELEASE),
            scan_job(entrance, holders[0], phones[1]),
            *[scan_job(door, person, phones[i % 2]) for i, person in enumerate(late)],
        ]
    )
    assert [type(r) for r in results if isinstance(r, Exception)] == []
    seated = Booking.objects.filter(session=four_sessions[0])
    assert seated.count() == 2
    for release in NoShowRelease.objects.all():
        assert not seated.filter(delegate=release.released).exists()
        assert seated.filter(delegate=release.seated).exists()
