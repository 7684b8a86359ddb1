"""Every seat change takes its row locks in the one order of `registration.services.locking`.

The SQL each service sends (check-in's walk-ins and no-show releases too) is
captured on PostgreSQL and its row locks read back: all `FOR NO KEY UPDATE
OF <table>`, and every lock that may wait asks only for rows ranked (kind in
`LOCK_ORDER`, then id) above every row the transaction already holds, which is
the whole argument that no deadlock is possible. Locks taken with SKIP LOCKED
never wait and may come anywhere. The last tests race transactions over
overlapping rows and expect no deadlock.
"""

import datetime
import re
import uuid

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext

from registration.models import Agency
from registration.services.locking import LOCK_ORDER, SKIP_LOCKED_ONLY
from registration.services.registration import register_delegate
from tests.attending import read_on
from tests.concurrency.threads import run_at_once, skip_unless_postgres
from tests.factories import (
    AdminUserFactory,
    AgencyFactory,
    DelegateFactory,
    InvitationFactory,
    rank_workshops,
)
from workshops.models import Booking, Session, WaitlistEntry
from workshops.services.ballot import publish_allocation
from workshops.services.ballot_runs import run_allocation
from workshops.services.booking import (
    BookingError,
    book_sessions,
    cancel_registration,
    move_delegate,
    release_bookings,
)
from workshops.services.checkin import record_scan, seat_standby
from workshops.services.doors import Door, DoorStaff
from workshops.services.waitlist import join_waitlist

pytestmark = pytest.mark.postgres

RANK = {apps.get_model(label)._meta.db_table: rank for rank, label in enumerate(LOCK_ORDER)}
SKIP_ONLY = {apps.get_model(label)._meta.db_table for label in SKIP_LOCKED_ONLY}
A_SET = [(0, 0), (1, 4), (2, 2), (3, 6)]
B_SET = [(0, 1), (1, 5), (2, 3), (3, 7)]


@pytest.fixture(autouse=True)
def needs_postgres():
    skip_unless_postgres()


def row_locks(queries):
    """(table, ids, skip_locked) for each statement that locks rows, in the order sent.

    `ids` is None when the rows were found by something other than their id.
    """
    locks = []
    for query in queries.captured_queries:
        sql = query["sql"]
        if not re.search(r"\bFOR (NO KEY )?(UPDATE|SHARE)\b", sql):
            continue
        table = re.match(r'SELECT .*? FROM "(\w+)"', outside_brackets(sql)).group(1)
        assert f'FOR NO KEY UPDATE OF "{table}"' in sql, sql  # one mode, the row's own table
        assert f'ORDER BY "{table}"."id" ASC' in sql, sql
        # `id IN (...)` from lock_rows, `id = n` from a prepared lock of one row.
        found = re.search(rf'"{table}"\."id" (?:IN \(([\d, ]+)\)|= (\d+)\b)', sql)
        ids = [int(i) for i in (found.group(1) or found.group(2)).split(",")] if found else None
        locks.append((table, ids, "SKIP LOCKED" in sql))
    return locks


def outside_brackets(sql):
    """`sql` without its bracketed parts (subqueries, lists): what the statement itself selects."""
    while True:
        shorter = re.sub(r"\([^()]*\)", "", sql)
        if shorter == sql:
            return sql
        sql = shorter


def assert_one_order(locks):
    """Every lock that may wait is for rows ranked above all the rows already held."""
    held = set()
    for table, ids, skip_locked in locks:
        if skip_locked:
            continue
        assert table not in SKIP_ONLY, f"{table} may only be locked with SKIP LOCKED"
        keys = [(RANK[table], i) for i in ids or [0]]
        assert keys == sorted(keys), f"{table} rows not asked for in ascending id: {ids}"
        new = [key for key in keys if key not in held]
        assert not (held and new) or min(new) > max(held), (
            f"waited for {table} {ids} while holding {sorted(held)}"
        )
        held.update(keys)


def waiting(locks):
    """The tables and ids of the locks that may wait, in order."""
    return [(table, ids) for table, ids, skip_locked in locks if not skip_locked]


def booked(programme, keys):
    delegate = DelegateFactory(event=programme["event"])
    book_sessions(delegate=delegate, sessions=[programme["sessions"][k] for k in keys])
    return delegate


@pytest.mark.django_db
def test_change_of_workshops_locks_delegate_then_sessions_chosen_then_skips(programme):
    s = programme["sessions"]
    leaver = booked(programme, A_SET)
    booked(programme, A_SET)
    waiter = booked(programme, B_SET)
    join_waitlist(delegate=waiter, session=s[(0, 0)])
    chosen = [s[(0, 3)], s[(1, 6)], s[(2, 2)], s[(3, 7)]]  # (2, 2) kept, the rest gained

    with CaptureQueriesContext(connection) as queries:
        book_sessions(delegate=leaver, sessions=chosen)

    locks = row_locks(queries)
    # The sessions chosen, in one statement, kept as well as gained; never those given up.
    assert waiting(locks) == [
        ("registration_delegate", [leaver.pk]),
        ("workshops_session", sorted(x.pk for x in chosen)),
    ]
    # The promotion into the seat given up: the waiter and their entry, never waited for.
    assert [(table, skip) for table, _, skip in locks[2:]] == [
        ("registration_delegate", True),
        ("workshops_waitlistentry", True),
    ]
    assert_one_order(locks)
    assert Booking.objects.filter(delegate=waiter, session=s[(0, 0)]).exists()


@pytest.mark.django_db
def test_move_locks_the_delegate_then_the_target_session(programme):
    s = programme["sessions"]
    moved = booked(programme, A_SET)

    with CaptureQueriesContext(connection) as queries:
        move_delegate(
            delegate=moved, from_session=s[(0, 0)], to_session=s[(0, 3)], actor=AdminUserFactory()
        )

    locks = row_locks(queries)
    assert waiting(locks) == [
        ("registration_delegate", [moved.pk]),
        ("workshops_session", [s[(0, 3)].pk]),
    ]
    assert_one_order(locks)


@pytest.mark.django_db
def test_cancellation_waits_only_for_the_delegate_and_promotes_without_waiting(programme):
    s = programme["sessions"]
    leaver = booked(programme, A_SET)
    booked(programme, A_SET)
    waiters = [booked(programme, B_SET) for _ in range(2)]
    join_waitlist(delegate=waiters[0], session=s[(0, 0)])
    join_waitlist(delegate=waiters[1], session=s[(1, 4)])

    with CaptureQueriesContext(connection) as queries:
        cancel_registration(delegate=leaver)

    locks = row_locks(queries)
    assert waiting(locks) == [("registration_delegate", [leaver.pk])]
    assert sum(skip for _, _, skip in locks) == 4  # two people and their two entries
    assert_one_order(locks)


@pytest.mark.django_db
def test_organiser_release_locks_every_delegate_in_ascending_id_in_one_statement(programme):
    people = [booked(programme, A_SET), booked(programme, B_SET), booked(programme, A_SET)]
    seats = list(Booking.objects.filter(delegate__in=people).order_by("-delegate_id"))

    with CaptureQueriesContext(connection) as queries:
        release_bookings(bookings=seats, actor=AdminUserFactory())

    locks = row_locks(queries)
    assert waiting(locks) == [("registration_delegate", sorted(p.pk for p in people))]
    assert_one_order(locks)


@pytest.mark.django_db
def test_publish_locks_event_run_delegates_then_sessions_before_booking(
    ballot_event, programme, close_ballot
):
    people = [DelegateFactory(event=ballot_event) for _ in range(6)]
    for person in people:
        rank_workshops(person, programme["workshops"])
    close_ballot(ballot_event)
    run = run_allocation(event=ballot_event, seed=3)
    sessions = sorted({pk for ids in run.assignment.values() for pk in ids})

    with CaptureQueriesContext(connection) as queries:
        assert publish_allocation(run=run) == 6

    locks = row_locks(queries)
    assert waiting(locks)[:4] == [
        ("registration_event", [ballot_event.pk]),
        ("workshops_allocationrun", [run.pk]),
        ("registration_delegate", sorted(p.pk for p in people)),
        ("workshops_session", sessions),
    ]
    # Then each book_sessions asks again for rows already held, which never waits.
    assert len(waiting(locks)) == 4 + 2 * len(people)
    assert_one_order(locks)


@pytest.mark.django_db
def test_registration_locks_the_agency_then_the_invitation(event):
    agency = AgencyFactory(admission=Agency.Admission.INVITATION, place_limit=5)
    InvitationFactory(event=event, code="TEAM", max_uses=3)

    with CaptureQueriesContext(connection) as queries:
        register_delegate(
            event=event,
            details={
                "first_name": "Sam",
                "last_name": "Taylor",
                "email": "sam@gmail.example",
                "job_title": "Analyst",
                "attends_day_one": True,
                "attends_day_two": False,
            },
            agency_id=agency.pk,
            invitation_code="team",
        )

    locks = row_locks(queries)
    assert waiting(locks) == [
        ("registration_agency", [agency.pk]),
        ("registration_invitation", None),
    ]
    assert_one_order(locks)


def race_one_round(programme):
    """Six people fill A_SET and B_SET three each, two wait for the other set; all act at once."""
    s = programme["sessions"]
    people = [booked(programme, A_SET if i % 2 else B_SET) for i in range(6)]
    join_waitlist(delegate=people[0], session=s[(0, 0)])
    join_waitlist(delegate=people[1], session=s[(0, 1)])
    first, second = AdminUserFactory(), AdminUserFactory()
    seats = list(Booking.objects.filter(delegate__in=people).order_by("delegate_id", "pk"))
    return run_at_once(
        [
            lambda: release_bookings(bookings=seats[::2], actor=first),
            lambda: release_bookings(bookings=seats[::-3], actor=second),
            lambda: book_sessions(delegate=people[2], sessions=[s[k] for k in A_SET]),
            lambda: book_sessions(delegate=people[3], sessions=[s[k] for k in B_SET]),
            lambda: cancel_registration(delegate=people[4]),
            lambda: move_delegate(
                delegate=people[5], from_session=s[(0, 0)], to_session=s[(0, 3)], actor=first
            ),
        ]
    )


@pytest.mark.django_db(transaction=True)
def test_race_organisers_and_delegates_over_overlapping_seats_never_deadlock(programme):
    """Releases in opposite orders, changes, a move and a cancellation over the same people."""
    Session.objects.filter(time_slot__event=programme["event"]).update(capacity=3)
    for _ in range(3):
        results = race_one_round(programme)

        # Refusals are fine (someone took the seat first); a deadlock is an OperationalError.
        unexpected = [
            r for r in results if isinstance(r, Exception) and not isinstance(r, BookingError)
        ]
        assert unexpected == []
        for session in Session.objects.with_seats():
            assert session.seats_taken <= session.capacity
        Booking.objects.all().delete()
        WaitlistEntry.objects.all().delete()


def door_scan(door, delegate, staff):
    return record_scan(
        scan_id=uuid.uuid4(),
        door=door,
        reference=delegate.checkin_reference,
        by=staff,
        scanned_at=read_on(door.day),
        now=read_on(door.day),
    )[0]


@pytest.mark.django_db
def test_check_in_walk_in_locks_the_delegate_then_the_session(on_the_day):
    session = on_the_day["sessions"][(0, 0)]
    walk_in = DelegateFactory(event=on_the_day["event"])
    door = Door(event=on_the_day["event"], day=datetime.date(2019, 5, 23), session=session)
    staff = DoorStaff(user=AdminUserFactory())

    with CaptureQueriesContext(connection) as queries:
        assert door_scan(door, walk_in, staff).outcome == "walk_in"

    locks = row_locks(queries)
    assert waiting(locks) == [
        ("registration_delegate", [walk_in.pk]),
        ("registration_delegate", [walk_in.pk]),  # seat_walk_in asks again: held, no wait
        ("workshops_session", [session.pk]),
    ]
    assert_one_order(locks)


@pytest.mark.django_db
def test_no_show_release_locks_everyone_concerned_then_the_session(on_the_day, four_sessions):
    event = on_the_day["event"]
    holders = [booked(on_the_day, A_SET) for _ in range(2)]
    door = Door(event=event, day=datetime.date(2019, 5, 23), session=four_sessions[0])
    staff = DoorStaff(user=AdminUserFactory())
    walk_ins = [DelegateFactory(event=event) for _ in range(2)]
    for person in walk_ins:
        door_scan(door, person, staff)

    with CaptureQueriesContext(connection) as queries:
        seated = seat_standby(
            door=door, by=staff, now=datetime.datetime(2019, 5, 23, 9, 30, tzinfo=datetime.UTC)
        )

    assert len(seated) == 2
    locks = row_locks(queries)
    assert waiting(locks) == [
        ("registration_delegate", sorted(p.pk for p in holders + walk_ins)),
        ("workshops_session", [four_sessions[0].pk]),
    ]
    assert_one_order(locks)
