"""The booking page's one query gives what each of its questions gives asked alone."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from registration.models import Delegate
from tests.attending import attend, booked_delegate, door_staff
from tests.factories import DelegateFactory, EventFactory
from workshops.models import CalendarFeed, CheckIn, WaitlistEntry
from workshops.services.booking import book_sessions
from workshops.services.calendar_feed import issue_calendar_feed, revoke_calendar_feed
from workshops.services.certificates import event_has_ended, session_admissions
from workshops.services.my_booking import my_booking
from workshops.services.waitlist import waiting_places


def wait(delegate, session, *, position):
    return WaitlistEntry.objects.create(
        delegate=delegate, session=session, time_slot_id=session.time_slot_id, position=position
    )


def seats(bookings):
    return [
        (
            b.pk,
            b.session_id,
            b.time_slot.name,
            b.time_slot.starts_at,
            b.time_slot.ends_at,
            b.session.workshop.title,
            b.session.room.name,
        )
        for b in bookings
    ]


def places(entries):
    return [
        (e.pk, e.session_id, e.place, e.session.workshop.title, e.time_slot.name) for e in entries
    ]


def asked_alone(delegate, *, now):
    feed = CalendarFeed.objects.filter(delegate=delegate).first()
    return (
        seats(delegate.bookings.timetable()),
        places(waiting_places(delegate=delegate)),
        feed and feed.created_at,
        event_has_ended(delegate.event, now=now) and session_admissions(delegate).exists(),
    )


def asked_together(delegate, *, now):
    shown = my_booking(delegate=Delegate.objects.get(pk=delegate.pk), now=now)
    return (
        seats(shown.bookings),
        places(shown.waiting),
        shown.calendar_feed_made_at,
        shown.certificate_ready,
    )


@pytest.fixture
def delegates(on_the_day, four_sessions):
    """Delegates of an event held on 23 May 2019 in every state the booking page shows."""
    event, s = on_the_day["event"], on_the_day["sessions"]
    ahead = booked_delegate(event, [s[(0, 2)], s[(1, 5)], s[(2, 3)], s[(3, 7)]])
    wait(ahead, s[(0, 1)], position=1)
    everything = booked_delegate(event, four_sessions)
    wait(everything, s[(0, 1)], position=2)
    wait(everything, s[(1, 5)], position=1)
    issue_calendar_feed(delegate=everything)
    staff = door_staff()
    attend(everything, four_sessions[0], staff=staff)
    undone = booked_delegate(event, [s[(0, 3)], s[(1, 6)], s[(2, 4)], s[(3, 1)]])
    attend(undone, s[(0, 3)], staff=staff)
    CheckIn.objects.filter(delegate=undone).update(admitted=False)
    seatless = DelegateFactory(event=event)
    wait(seatless, s[(2, 5)], position=1)
    issue_calendar_feed(delegate=seatless)
    return {
        "ahead": ahead,
        "everything": everything,
        "undone": undone,
        "seatless": seatless,
        "nothing": DelegateFactory(event=event),
        "day_one": DelegateFactory(event=event, attends_day_two=False),
    }


LAST_SESSION_ENDS = datetime.datetime(2019, 5, 23, 12, 50, tzinfo=datetime.UTC)


@pytest.mark.parametrize(
    "now",
    [LAST_SESSION_ENDS - datetime.timedelta(seconds=1), LAST_SESSION_ENDS],
    ids=["before-the-end", "at-the-end"],
)
def test_my_booking_gives_what_each_question_gives_asked_alone(delegates, now):
    for name, delegate in delegates.items():
        assert asked_together(delegate, now=now) == asked_alone(delegate, now=now), name


def test_my_booking_of_a_delegate_holding_everything_the_page_shows(delegates, four_sessions):
    shown = my_booking(delegate=delegates["everything"], now=LAST_SESSION_ENDS)
    assert [b.session_id for b in shown.bookings] == [s.pk for s in four_sessions]
    assert [(e.session.workshop.title, e.place) for e in shown.waiting] == [
        ("Workshop 2", 2),
        ("Workshop 6", 1),
    ]
    assert (
        shown.calendar_feed_made_at
        == CalendarFeed.objects.get(delegate=delegates["everything"]).created_at
    )
    assert shown.certificate_ready is True


def test_my_booking_of_a_delegate_with_nothing_is_empty(delegates):
    shown = my_booking(delegate=delegates["nothing"], now=LAST_SESSION_ENDS)
    assert (shown.bookings, shown.waiting, shown.calendar_feed_made_at) == ([], [], None)
    assert shown.certificate_ready is False


def test_my_booking_is_one_query_and_one_more_on_a_waiting_list(delegates):
    with CaptureQueriesContext(connection) as plain:
        my_booking(delegate=delegates["nothing"])
    with CaptureQueriesContext(connection) as waiting:
        my_booking(delegate=delegates["everything"])
    assert (len(plain), len(waiting)) == (1, 2)


def test_my_booking_reads_afresh_on_every_call(programme, four_sessions):
    delegate = DelegateFactory(event=programme["event"])
    assert my_booking(delegate=delegate).bookings == []
    book_sessions(delegate=delegate, sessions=four_sessions)
    issue_calendar_feed(delegate=delegate)
    entry = wait(delegate, programme["sessions"][(0, 1)], position=1)
    shown = my_booking(delegate=delegate)
    assert [b.session_id for b in shown.bookings] == [s.pk for s in four_sessions]
    assert [e.pk for e in shown.waiting] == [entry.pk]
    assert shown.calendar_feed_made_at is not None
    revoke_calendar_feed(delegate=delegate)
    entry.delete()
    shown = my_booking(delegate=delegate)
    assert (shown.waiting, shown.calendar_feed_made_at) == ([], None)


def test_an_event_without_sessions_has_ended_after_its_last_day(db):
    event = EventFactory(starts_on=datetime.date(2019, 5, 22), ends_on=datetime.date(2019, 5, 23))
    delegate = DelegateFactory(event=event)
    last_day = datetime.datetime(2019, 5, 23, 22, 0, tzinfo=datetime.UTC)
    # Nobody is admitted at a session door of an event without sessions: never a certificate.
    for now in (last_day, last_day + datetime.timedelta(days=1)):
        assert my_booking(delegate=delegate, now=now).certificate_ready is False
        assert asked_together(delegate, now=now) == asked_alone(delegate, now=now)
    assert not event_has_ended(event, now=last_day)
    assert event_has_ended(event, now=last_day + datetime.timedelta(days=1))
