"""The database refuses a seat in a full session, whoever writes it (migration 0005).

These write bookings directly, as a careless script or a future code path might,
to prove the rule does not depend on `workshops.services` alone.
"""

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from tests.factories import DelegateFactory
from workshops.models import Booking
from workshops.services.booking import book_sessions


def seat(delegate, session, **fields):
    return Booking(
        delegate=delegate,
        session=session,
        time_slot_id=session.time_slot_id,
        workshop_id=session.workshop_id,
        **fields,
    )


@pytest.fixture
def full_session(programme, four_sessions):
    """Round 1's session of workshop 1 (capacity 2), filled through the booking service."""
    for _ in range(2):
        book_sessions(delegate=DelegateFactory(event=programme["event"]), sessions=four_sessions)
    return four_sessions[0]


def test_database_refuses_a_direct_insert_into_a_full_session(programme, full_session):
    latecomer = DelegateFactory(event=programme["event"])

    with pytest.raises(IntegrityError), transaction.atomic():
        seat(latecomer, full_session).save()

    assert Booking.objects.filter(session=full_session).count() == 2
    assert not latecomer.bookings.exists()


def test_database_refuses_a_bulk_insert_beyond_capacity(programme):
    session = programme["sessions"][(1, 5)]  # capacity 2, empty
    people = [DelegateFactory(event=programme["event"]) for _ in range(3)]

    with pytest.raises(IntegrityError), transaction.atomic():
        Booking.objects.bulk_create([seat(person, session) for person in people])

    assert not Booking.objects.filter(session=session).exists()


def test_database_refuses_moving_a_seat_into_a_full_session(programme, full_session):
    s = programme["sessions"]
    mover = DelegateFactory(event=programme["event"])
    book_sessions(delegate=mover, sessions=[s[(0, 1)], s[(1, 5)], s[(2, 3)], s[(3, 7)]])
    booking = mover.bookings.get(time_slot=full_session.time_slot)

    with pytest.raises(IntegrityError), transaction.atomic():
        Booking.objects.filter(pk=booking.pk).update(
            session=full_session, workshop=full_session.workshop
        )

    booking.refresh_from_db()
    assert booking.session_id == s[(0, 1)].pk
    assert Booking.objects.filter(session=full_session).count() == 2


def test_database_lets_a_seat_marked_beyond_capacity_through(programme, full_session):
    seat(DelegateFactory(event=programme["event"]), full_session, beyond_capacity=True).save()

    assert Booking.objects.filter(session=full_session).count() == 3


def test_database_lets_the_last_seat_be_taken(programme):
    session = programme["sessions"][(1, 5)]
    people = [DelegateFactory(event=programme["event"]) for _ in range(2)]

    Booking.objects.bulk_create([seat(person, session) for person in people])

    assert Booking.objects.filter(session=session).count() == 2


def raw_insert(delegate, session):
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO workshops_booking"
            " (delegate_id, session_id, time_slot_id, workshop_id, created_at)"
            " VALUES (%s, %s, %s, %s, %s)",
            [delegate.pk, session.pk, session.time_slot_id, session.workshop_id, timezone.now()],
        )


def test_raw_sql_insert_is_checked_too(programme, full_session):
    free = programme["sessions"][(1, 5)]
    writer = DelegateFactory(event=programme["event"])

    with pytest.raises(IntegrityError), transaction.atomic():
        raw_insert(writer, full_session)
    raw_insert(writer, free)

    assert Booking.objects.filter(session=full_session).count() == 2
    assert list(writer.bookings.values_list("session_id", "beyond_capacity")) == [(free.pk, False)]
