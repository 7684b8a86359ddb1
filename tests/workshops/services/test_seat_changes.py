"""Every change to a delegate's seats emails them what changed, once, with the calendar file."""

import datetime
import uuid

from icalendar import Calendar

from outbox.models import OutgoingEmail
from tests.attending import read_on
from tests.conftest import ROUND_ONE_STARTS
from tests.factories import AdminUserFactory, DelegateFactory
from workshops.models import CalendarEntry
from workshops.services.booking import (
    book_sessions,
    cancel_registration,
    move_delegate,
    release_bookings,
    serve_after_capacity_change,
)
from workshops.services.checkin import record_scan, seat_standby
from workshops.services.doors import Door, DoorStaff
from workshops.services.waitlist import join_waitlist

A_SET = [(0, 0), (1, 4), (2, 2), (3, 6)]
B_SET = [(0, 1), (1, 5), (2, 3), (3, 7)]


def booked(programme, keys):
    delegate = DelegateFactory(event=programme["event"])
    book_sessions(delegate=delegate, sessions=[programme["sessions"][k] for k in keys])
    return delegate


def emails_to(delegate):
    return list(OutgoingEmail.objects.filter(to=delegate.email).order_by("pk"))


def calendar_of(email):
    assert email.attachment_mimetype == "text/calendar"
    return Calendar.from_ical(email.attachment_content)


def events_of(email):
    calendar = calendar_of(email)
    return {str(e["SUMMARY"]): (str(e["UID"]), int(e["SEQUENCE"])) for e in calendar.walk("VEVENT")}


def test_first_booking_is_confirmed_once_with_a_request_for_every_round(programme):
    delegate = booked(programme, A_SET)
    (email,) = emails_to(delegate)
    assert email.subject == "Strategic SOCEX 2019: your workshops are booked"
    assert str(calendar_of(email)["METHOD"]) == "REQUEST"
    assert sorted(events_of(email)) == ["Workshop 1", "Workshop 3", "Workshop 5", "Workshop 7"]
    assert {seq for _, seq in events_of(email).values()} == {0}


def test_a_change_of_two_rounds_sends_one_email_saying_was_and_now(programme):
    s = programme["sessions"]
    delegate = booked(programme, A_SET)
    OutgoingEmail.objects.all().delete()

    book_sessions(delegate=delegate, sessions=[s[(0, 1)], s[(1, 4)], s[(2, 3)], s[(3, 6)]])

    (email,) = emails_to(delegate)
    assert email.subject == "Strategic SOCEX 2019: your workshops have changed"
    assert "Thank you" not in email.body_text and "is confirmed" not in email.body_text
    assert "You have changed your workshops" in email.body_text
    first, third = s[(0, 0)], s[(2, 2)]
    assert (
        f"{first.time_slot.name} ({first.time_slot.times}): was “Workshop 1” "
        f"({first.room.name}); now “Workshop 2” ({s[(0, 1)].room.name})." in email.body_text
    )
    assert (
        f"{third.time_slot.name} ({third.time_slot.times}): was “Workshop 3” "
        f"({third.room.name}); now “Workshop 4” ({s[(2, 3)].room.name})." in email.body_text
    )
    assert "Workshop 5”" not in email.body_text.split("What changed")[1].split("Your workshops")[0]
    # The calendar updates the two rounds changed, at a higher SEQUENCE.
    assert str(calendar_of(email)["METHOD"]) == "REQUEST"
    assert {title: seq for title, (_, seq) in events_of(email).items()} == {
        "Workshop 2": 1,
        "Workshop 4": 1,
    }


def test_a_change_that_changes_nothing_sends_nothing(programme):
    s = programme["sessions"]
    delegate = booked(programme, A_SET)
    OutgoingEmail.objects.all().delete()

    book_sessions(delegate=delegate, sessions=[s[k] for k in A_SET])

    assert emails_to(delegate) == []
    assert set(
        CalendarEntry.objects.filter(delegate=delegate).values_list("sequence", flat=True)
    ) == {0}


def test_the_uid_of_a_round_stays_the_same_across_a_change(programme):
    s = programme["sessions"]
    delegate = booked(programme, A_SET)
    (first,) = emails_to(delegate)
    OutgoingEmail.objects.all().delete()

    book_sessions(delegate=delegate, sessions=[s[(0, 1)], s[(1, 4)], s[(2, 2)], s[(3, 6)]])

    (change,) = emails_to(delegate)
    old_uid, old_sequence = events_of(first)["Workshop 1"]
    new_uid, new_sequence = events_of(change)["Workshop 2"]
    assert new_uid == old_uid
    assert new_uid.startswith(f"socex-delegate-{delegate.pk}-round-{s[(0, 0)].time_slot_id}@")
    assert (old_sequence, new_sequence) == (0, 1)


def test_an_organiser_move_emails_the_delegate_that_the_organisers_changed_it(programme):
    s = programme["sessions"]
    delegate = booked(programme, A_SET)
    OutgoingEmail.objects.all().delete()

    move_delegate(
        delegate=delegate, from_session=s[(0, 0)], to_session=s[(0, 3)], actor=AdminUserFactory()
    )

    (email,) = emails_to(delegate)
    assert "team has changed your workshops" in email.body_text
    assert "was “Workshop 1”" in email.body_text and "now “Workshop 4”" in email.body_text
    assert list(events_of(email)) == ["Workshop 4"]


def test_an_organiser_releasing_a_seat_sends_a_cancel_with_the_same_uid(programme):
    delegate = booked(programme, A_SET)
    (confirmation,) = emails_to(delegate)
    OutgoingEmail.objects.all().delete()
    seat = delegate.bookings.get(session=programme["sessions"][(0, 0)])

    release_bookings(bookings=[seat], actor=AdminUserFactory())

    (email,) = emails_to(delegate)
    calendar = calendar_of(email)
    assert str(calendar["METHOD"]) == "CANCEL"
    (event,) = calendar.walk("VEVENT")
    assert str(event["STATUS"]) == "CANCELLED"
    assert (str(event["UID"]), int(event["SEQUENCE"])) == (
        events_of(confirmation)["Workshop 1"][0],
        1,
    )
    assert "now no workshop" in email.body_text


def test_cancelling_sends_one_cancellation_cancelling_every_round(programme):
    delegate = booked(programme, A_SET)
    OutgoingEmail.objects.all().delete()

    cancel_registration(delegate=delegate)
    cancel_registration(delegate=delegate)  # twice: nothing more

    (email,) = emails_to(delegate)
    assert email.subject == "Strategic SOCEX 2019: registration cancelled"
    calendar = calendar_of(email)
    assert str(calendar["METHOD"]) == "CANCEL"
    assert sorted(str(e["SUMMARY"]) for e in calendar.walk("VEVENT")) == [
        "Workshop 1",
        "Workshop 3",
        "Workshop 5",
        "Workshop 7",
    ]


def test_erasure_mails_nobody(programme):
    delegate = booked(programme, A_SET)
    OutgoingEmail.objects.all().delete()
    cancel_registration(delegate=delegate, notify=False)
    assert emails_to(delegate) == []


def test_a_promotion_emails_the_promoted_once_with_the_calendar(programme):
    leaver = booked(programme, A_SET)
    booked(programme, A_SET)
    waiter = booked(programme, B_SET)
    join_waitlist(delegate=waiter, session=programme["sessions"][(0, 0)])
    OutgoingEmail.objects.all().delete()

    cancel_registration(delegate=leaver)

    (email,) = emails_to(waiter)
    assert email.subject == "Strategic SOCEX 2019: you have a place in Workshop 1"
    assert "was “Workshop 2”" in email.body_text and "now “Workshop 1”" in email.body_text
    assert str(calendar_of(email)["METHOD"]) == "REQUEST"
    assert {t: seq for t, (_, seq) in events_of(email).items()} == {"Workshop 1": 1}


def test_a_capacity_raised_in_the_admin_emails_whoever_it_promotes(programme):
    booked(programme, A_SET)
    booked(programme, A_SET)
    waiter = booked(programme, B_SET)
    session = programme["sessions"][(0, 0)]
    join_waitlist(delegate=waiter, session=session)
    OutgoingEmail.objects.all().delete()

    session.capacity = 3
    session.save()
    serve_after_capacity_change(session=session, old_capacity=2)

    (email,) = emails_to(waiter)
    assert email.subject == "Strategic SOCEX 2019: you have a place in Workshop 1"


def test_deleting_a_delegate_mails_them_nothing_but_tells_whoever_takes_their_seat(programme):
    leaver = booked(programme, A_SET)
    booked(programme, A_SET)
    waiter = booked(programme, B_SET)
    join_waitlist(delegate=waiter, session=programme["sessions"][(0, 0)])
    OutgoingEmail.objects.all().delete()

    release_bookings(bookings=list(leaver.bookings.all()), actor=AdminUserFactory(), notify=False)

    assert emails_to(leaver) == []
    assert len(emails_to(waiter)) == 1


def test_a_no_show_release_emails_a_cancel_and_the_seated_a_request(on_the_day, four_sessions):
    staff = DoorStaff(user=AdminUserFactory(username="door", groups=["Door staff"]))
    holders = [booked(on_the_day, A_SET) for _ in range(2)]
    door = Door(event=on_the_day["event"], day=datetime.date(2019, 5, 23), session=four_sessions[0])
    walk_in = DelegateFactory(event=on_the_day["event"])
    record_scan(
        door=door,
        reference=walk_in.checkin_reference,
        by=staff,
        scan_id=uuid.uuid4(),
        scanned_at=read_on(door.day),
        now=read_on(door.day),
    )
    OutgoingEmail.objects.all().delete()

    seat_standby(door=door, by=staff, now=ROUND_ONE_STARTS + datetime.timedelta(minutes=15))

    released = [h for h in holders if emails_to(h)]
    assert len(released) == 1
    (email,) = emails_to(released[0])
    assert (
        email.subject
        == "Strategic SOCEX 2019: your seat in Workshop 1 was given to someone waiting"
    )
    assert str(calendar_of(email)["METHOD"]) == "CANCEL"
    (seated,) = emails_to(walk_in)
    assert str(calendar_of(seated)["METHOD"]) == "REQUEST"


def test_promoted_in_two_rounds_by_one_cancellation_gets_one_email(programme):
    s = programme["sessions"]
    leaver = booked(programme, A_SET)
    booked(programme, A_SET)
    waiter = booked(programme, [(0, 1), (1, 5), (2, 3), (3, 7)])
    join_waitlist(delegate=waiter, session=s[(0, 0)])
    join_waitlist(delegate=waiter, session=s[(1, 4)])
    OutgoingEmail.objects.all().delete()

    cancel_registration(delegate=leaver)

    (email,) = emails_to(waiter)
    assert email.subject == "Strategic SOCEX 2019: your workshops have changed"
    assert email.body_text.count("; now “") == 2
    assert sorted(events_of(email)) == ["Workshop 1", "Workshop 5"]


def test_a_change_that_promotes_the_changer_emails_the_seats_they_end_with(programme):
    s = programme["sessions"]
    changer = booked(programme, A_SET)
    booked(programme, A_SET)  # round two's Workshop 5 is full
    waiter = booked(programme, B_SET)
    booked(programme, B_SET)  # round two's Workshop 6 is full
    join_waitlist(delegate=changer, session=s[(1, 5)])
    join_waitlist(delegate=waiter, session=s[(1, 4)])
    OutgoingEmail.objects.all().delete()

    # Giving up Workshop 5 promotes the waiter into it, whose seat in Workshop 6 goes to the
    # changer, waiting for it: in the same transaction, after the changer chose Workshop 8.
    book_sessions(delegate=changer, sessions=[s[(0, 0)], s[(1, 7)], s[(2, 2)], s[(3, 6)]])

    (email,) = emails_to(changer)
    assert "was “Workshop 5”" in email.body_text and "now “Workshop 6”" in email.body_text
    timetable = email.body_text.split("Your workshops")[1]
    assert "Workshop 6" in timetable and "Workshop 8" not in timetable
    assert {t: seq for t, (_, seq) in events_of(email).items()} == {"Workshop 6": 1}
