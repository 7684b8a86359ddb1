"""Each delegate's seat tally stays exact, whoever writes (triggers of migration 0021).

Day-two places left counts those owed a set from `workshops.SeatTally`; a tally
one seat out would show a seat as free that is taken, or hide one that is free.
These write through every kind of writer: the services, bulk and raw inserts,
handovers, admin deletes and their cascades. (Every other database test checks
the tally too, when it ends: `seat_tally_stays_exact` in `tests/conftest.py`.)
"""

import pytest
from django.db import connection
from django.db.models import Count
from django.utils import timezone

from registration.models import Delegate
from registration.services.details import update_details
from tests.factories import AdminUserFactory, DelegateFactory, EventFactory
from tests.migration_steps import migrate, migrate_to_latest
from tests.seat_tally import tally_errors
from workshops.models import Booking, SeatTally
from workshops.services.availability import day_two_places_left
from workshops.services.booking import (
    book_sessions,
    cancel_registration,
    hand_over_place,
    move_delegate,
    release_bookings,
)
from workshops.services.waitlist import join_waitlist


def tally(delegate):
    row = SeatTally.objects.get(delegate=delegate)
    return row.counts, row.held


def seat(delegate, session):
    return Booking(
        delegate=delegate,
        session=session,
        time_slot_id=session.time_slot_id,
        workshop_id=session.workshop_id,
    )


def test_each_new_delegate_gets_a_row_counted_only_if_confirmed_active_and_on_day_two(event):
    counted = DelegateFactory(event=event)
    pending = DelegateFactory(event=event, status=Delegate.Status.PENDING)
    unconfirmed = DelegateFactory(event=event, unconfirmed=True)
    day_one_only = DelegateFactory(event=event, attends_day_two=False)
    cancelled = DelegateFactory(event=event, status=Delegate.Status.CANCELLED)
    (bulk,) = Delegate.objects.bulk_create(
        [DelegateFactory.build(event=event, agency=counted.agency)]
    )

    assert [tally(d) for d in (counted, pending, unconfirmed, day_one_only, cancelled)] == [
        (True, 0),
        (True, 0),
        (False, 0),
        (False, 0),
        (False, 0),
    ]
    assert SeatTally.objects.get(delegate_id=bulk.pk).event_id == event.pk
    assert tally_errors() == []


def test_changes_to_a_delegate_move_them_in_and_out_of_the_count(event):
    delegate = DelegateFactory(event=event, unconfirmed=True)
    Delegate.objects.filter(pk=delegate.pk).update(email_confirmed_at=timezone.now())
    assert tally(delegate) == (True, 0)
    delegate.refresh_from_db()
    delegate.attends_day_two = False
    delegate.save()
    assert tally(delegate) == (False, 0)
    Delegate.objects.filter(pk=delegate.pk).update(attends_day_two=True)
    assert tally(delegate) == (True, 0)
    Delegate.objects.filter(pk=delegate.pk).update(status=Delegate.Status.ERASED)
    assert tally(delegate) == (False, 0)
    other = EventFactory()
    Delegate.objects.filter(pk=delegate.pk).update(status=Delegate.Status.PENDING, event=other)
    assert SeatTally.objects.get(delegate=delegate).event_id == other.pk
    assert tally(delegate) == (True, 0)
    assert tally_errors() == []


def test_booking_changing_workshops_and_cancelling_keep_the_seats_held(programme, four_sessions):
    s = programme["sessions"]
    delegate = DelegateFactory(event=programme["event"])
    book_sessions(delegate=delegate, sessions=four_sessions)
    assert tally(delegate) == (True, 4)
    book_sessions(delegate=delegate, sessions=[s[(0, 1)], s[(1, 5)], s[(2, 2)], s[(3, 6)]])
    assert tally(delegate) == (True, 4)
    release_bookings(bookings=list(delegate.bookings.all()[:1]), actor=AdminUserFactory())
    assert tally(delegate) == (True, 3)
    cancel_registration(delegate=delegate, notify=False)
    assert tally(delegate) == (False, 0)
    assert tally_errors() == []


def test_leaving_day_two_and_a_promotion_from_the_waiting_list(programme, four_sessions):
    event, s = programme["event"], programme["sessions"]
    holders = [DelegateFactory(event=event) for _ in range(2)]
    for holder in holders:
        book_sessions(delegate=holder, sessions=four_sessions)
    waiting = DelegateFactory(event=event)
    book_sessions(delegate=waiting, sessions=[s[(0, 1)], s[(1, 5)], s[(2, 3)], s[(3, 7)]])
    join_waitlist(delegate=waiting, session=four_sessions[0])

    # Frees round 1's seat; the one waiting swaps into it.
    update_details(delegate=holders[0], changes={"attends_day_two": False}, needs_consent=False)

    assert tally(holders[0]) == (False, 0)
    assert waiting.bookings.filter(session=four_sessions[0]).exists()
    assert tally(waiting) == (True, 4)
    assert tally_errors() == []


def test_an_organiser_moving_a_delegate_keeps_their_count(programme, four_sessions):
    s = programme["sessions"]
    delegate = DelegateFactory(event=programme["event"])
    book_sessions(delegate=delegate, sessions=four_sessions)
    move_delegate(
        delegate=delegate, from_session=s[(0, 0)], to_session=s[(0, 1)], actor=AdminUserFactory()
    )
    assert tally(delegate) == (True, 4)
    assert tally_errors() == []


def test_a_handover_moves_the_seats_to_the_new_delegate(programme, four_sessions):
    old = DelegateFactory(event=programme["event"])
    book_sessions(delegate=old, sessions=four_sessions)
    new = DelegateFactory(event=programme["event"])

    hand_over_place(old=old, new=new)

    assert (tally(old), tally(new)) == ((True, 0), (True, 4))
    assert tally_errors() == []


def test_bulk_raw_and_queryset_writes_are_counted_too(programme):
    s = programme["sessions"]
    people = [DelegateFactory(event=programme["event"]) for _ in range(2)]
    Booking.objects.bulk_create([seat(p, s[(1, 5)]) for p in people])
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO workshops_booking"
            " (delegate_id, session_id, time_slot_id, workshop_id, created_at)"
            " VALUES (%s, %s, %s, %s, %s)",
            [
                people[0].pk,
                s[(0, 0)].pk,
                s[(0, 0)].time_slot_id,
                s[(0, 0)].workshop_id,
                timezone.now(),
            ],
        )
    assert [tally(p) for p in people] == [(True, 2), (True, 1)]

    Booking.objects.filter(delegate=people[0], session=s[(0, 0)]).update(delegate=people[1])
    assert [tally(p) for p in people] == [(True, 1), (True, 2)]
    # Updating the same delegate again, or another column, changes nothing.
    Booking.objects.filter(delegate=people[1]).update(delegate=people[1])
    assert [tally(p) for p in people] == [(True, 1), (True, 2)]

    Booking.objects.filter(session=s[(1, 5)]).delete()
    assert [tally(p) for p in people] == [(True, 0), (True, 1)]
    assert tally_errors() == []


def test_admin_deletes_of_a_session_workshop_time_slot_and_delegate_cascade_to_the_tally(
    admin_client, programme, four_sessions
):
    event, s = programme["event"], programme["sessions"]
    people = [DelegateFactory(event=event) for _ in range(2)]
    book_sessions(delegate=people[0], sessions=four_sessions)
    book_sessions(delegate=people[1], sessions=[s[(0, 1)], s[(1, 5)], s[(2, 3)], s[(3, 7)]])

    def delete(path):
        response = admin_client.post(f"/admin/{path}/delete/", {"post": "yes"})
        assert response.status_code == 302

    delete(f"workshops/session/{four_sessions[0].pk}")  # round 1, workshop 1
    assert [tally(p) for p in people] == [(True, 3), (True, 4)]
    delete(f"workshops/workshop/{programme['workshops'][5].pk}")  # round 2, workshop 6
    assert [tally(p) for p in people] == [(True, 3), (True, 3)]
    delete(f"workshops/timeslot/{programme['slots'][3].pk}")  # round 4
    assert [tally(p) for p in people] == [(True, 2), (True, 2)]
    delete(f"registration/delegate/{people[0].pk}")
    assert not SeatTally.objects.filter(delegate_id=people[0].pk).exists()
    assert tally_errors() == []


def owed_by_grouping_bookings(event):
    """The count the tally replaced: every confirmed day-two delegate grouped with their seats."""
    return (
        Delegate.objects.attending_day_two()
        .email_confirmed()
        .filter(event=event)
        .annotate(held=Count("bookings"))
        .filter(held__lt=event.choices_required)
        .count()
    )


def test_places_left_is_what_grouping_every_booking_said(programme, four_sessions):
    event, s = programme["event"], programme["sessions"]
    full = DelegateFactory(event=event)
    book_sessions(delegate=full, sessions=four_sessions)
    partial = DelegateFactory(event=event)
    book_sessions(delegate=partial, sessions=[s[(0, 1)], s[(1, 5)], s[(2, 3)], s[(3, 7)]])
    release_bookings(bookings=list(partial.bookings.all()[:2]), actor=AdminUserFactory())
    DelegateFactory(event=event)
    DelegateFactory(event=event, unconfirmed=True)
    DelegateFactory(event=event, status=Delegate.Status.CANCELLED)

    assert owed_by_grouping_bookings(event) == 2
    # 8 full sets in an empty programme; `full` holds one, `partial` and the third are owed.
    assert day_two_places_left(event=event) == 8 - 1 - 2


@pytest.mark.django_db(transaction=True)
def test_upgrading_counts_the_delegates_and_seats_already_there(programme, four_sessions):
    event = programme["event"]
    holder, waiting = DelegateFactory(event=event), DelegateFactory(event=event, unconfirmed=True)
    book_sessions(delegate=holder, sessions=four_sessions)

    migrate([("workshops", "0020_calendars")])
    assert SeatTally._meta.db_table not in connection.introspection.table_names()
    migrate_to_latest()

    assert (tally(holder), tally(waiting)) == ((True, 4), (False, 0))
    assert tally_errors() == []
