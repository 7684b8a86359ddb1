"""Unsaved instances in one plain INSERT: the rows `bulk_create` writes, without its compiler."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Value
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from socex.plain_insert import insert_unsaved
from tests.factories import DelegateFactory
from workshops.models import Booking, BookingChange
from workshops.services.booking import book_sessions

AT = datetime.datetime(2027, 2, 4, 9, 30, 15, 123456, tzinfo=datetime.UTC)


def _history(delegate, session, actor):
    return BookingChange(
        delegate=delegate,
        action=BookingChange.Action.MOVED,
        session=session,
        session_label="Label “quoted” ✓",
        from_session=None,
        from_session_label="",
        actor=actor,
        actor_name="organiser",
        capacity_override=2,
        reason="A reason, with 'quotes' and %s.",
        at=AT,
    )


def _columns(rows):
    return [{k: v for k, v in row.items() if k != "id"} for row in rows]


def test_the_rows_are_those_bulk_create_writes(programme, four_sessions):
    actor = get_user_model().objects.create_user("organiser", password="x")
    plain, bulk = (
        DelegateFactory(event=programme["event"]),
        DelegateFactory(event=programme["event"]),
    )
    insert_unsaved(_history(plain, s, actor) for s in four_sessions)
    BookingChange.objects.bulk_create(_history(bulk, s, actor) for s in four_sessions)
    rows = BookingChange.objects.order_by("pk").values()
    written = _columns(rows.filter(delegate=plain))
    assert written == [
        {**row, "delegate_id": plain.pk} for row in _columns(rows.filter(delegate=bulk))
    ]
    assert [row["at"] for row in written] == [AT] * 4


def test_auto_now_add_and_defaults_are_filled_in(programme, four_sessions):
    delegate = DelegateFactory(event=programme["event"])
    before = timezone.now()
    insert_unsaved(
        Booking(
            delegate=delegate, session=s, time_slot_id=s.time_slot_id, workshop_id=s.workshop_id
        )
        for s in four_sessions
    )
    seats = list(Booking.objects.filter(delegate=delegate).order_by("session_id"))
    assert [b.session_id for b in seats] == sorted(s.pk for s in four_sessions)
    assert all(before <= b.created_at <= timezone.now() for b in seats)
    assert [b.beyond_capacity for b in seats] == [False] * 4


def test_more_rows_than_one_statement_takes_are_batched(programme, four_sessions):
    delegate = DelegateFactory(event=programme["event"])
    many = [_history(delegate, four_sessions[i % 4], None) for i in range(250)]
    with CaptureQueriesContext(connection) as captured:
        insert_unsaved(many)
    assert BookingChange.objects.filter(delegate=delegate).count() == 250
    batch = connection.ops.bulk_batch_size(
        [f for f in BookingChange._meta.concrete_fields if not f.primary_key], many
    )
    assert len(captured) == -(-250 // batch)


def test_nothing_to_insert_sends_nothing(db):
    with CaptureQueriesContext(connection) as captured:
        insert_unsaved([])
    assert len(captured) == 0


def test_mixed_models_or_a_database_default_are_refused(programme, four_sessions):
    delegate = DelegateFactory(event=programme["event"])
    session = four_sessions[0]
    booking = Booking(
        delegate=delegate,
        session=session,
        time_slot_id=session.time_slot_id,
        workshop_id=session.workshop_id,
    )
    with pytest.raises(TypeError, match="one model"):
        insert_unsaved([booking, _history(delegate, session, None)])
    booking.beyond_capacity = Value(True)
    with pytest.raises(ValueError, match="left to the database"):
        insert_unsaved([booking])
    assert not Booking.objects.exists()


def test_a_choice_writes_its_seats_and_history_with_plain_inserts(programme, four_sessions):
    delegate = DelegateFactory(event=programme["event"])
    with CaptureQueriesContext(connection) as captured:
        book_sessions(delegate=delegate, sessions=four_sessions)
    inserts = [
        q["sql"]
        for q in captured.captured_queries
        if q["sql"].startswith(
            ('INSERT INTO "workshops_booking" ', 'INSERT INTO "workshops_bookingchange" ')
        )
    ]
    # bulk_create asked for the new ids back (RETURNING) and, on PostgreSQL, sent arrays (UNNEST).
    assert len(inserts) == 2
    assert all(" VALUES (" in sql and "RETURNING" not in sql for sql in inserts)
    assert Booking.objects.filter(delegate=delegate).count() == 4
    assert BookingChange.objects.filter(delegate=delegate).count() == 4
