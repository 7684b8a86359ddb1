"""Check-in at the entrance and at session doors: outcomes, replays, walk-ins, standby, undo."""

import datetime
import uuid

import pytest

from outbox.models import OutgoingEmail
from registration.models import Delegate
from registration.services.privacy import export_delegate_data
from tests.attending import read_on
from tests.conftest import ROUND_ONE_STARTS
from tests.factories import AdminUserFactory, AgencyFactory, DelegateFactory, RoomFactory
from workshops.models import Booking, BookingChange, CheckIn, CheckinDevice, NoShowRelease
from workshops.services.booking import book_sessions, cancel_registration
from workshops.services.checkin import (
    record_scan,
    search_attendees,
    seat_standby,
    undo_scan,
)
from workshops.services.doors import CheckinError, Door, DoorStaff, doors_for, find_door

DAY_ONE = datetime.date(2019, 5, 22)
DAY_TWO = datetime.date(2019, 5, 23)
Outcome = CheckIn.Outcome
START = ROUND_ONE_STARTS


@pytest.fixture(autouse=True)
def day_two(on_the_day):
    return on_the_day


@pytest.fixture
def staff(db):
    return DoorStaff(user=AdminUserFactory(username="door-volunteer", groups=["Door staff"]))


@pytest.fixture
def entrance(programme):
    return Door(event=programme["event"], day=DAY_TWO)


def session_door(session):
    return Door(event=session.time_slot.event, day=DAY_TWO, session=session)


def scan(door, delegate_or_reference, staff, **kwargs):
    reference = getattr(delegate_or_reference, "checkin_reference", delegate_or_reference)
    kwargs.setdefault("scan_id", uuid.uuid4())
    kwargs.setdefault("scanned_at", read_on(door.day))
    if "now" not in kwargs:  # sent as it was read: the test clock is years past SOCEX 2019
        kwargs["now"] = (kwargs["scanned_at"] or read_on(door.day)) + datetime.timedelta(minutes=1)
    return record_scan(door=door, reference=reference, by=staff, **kwargs)


def booked(programme, sessions):
    delegate = DelegateFactory(event=programme["event"])
    book_sessions(delegate=delegate, sessions=sessions)
    return delegate


def test_entrance_lets_in_a_registered_delegate_once_a_day(entrance, staff, programme):
    delegate = DelegateFactory(event=programme["event"])
    first, replayed = scan(entrance, delegate, staff, now=START)
    assert (first.outcome, first.admitted, replayed) == (Outcome.ADMITTED, True, False)
    assert (first.by_name, first.actor, first.door_label) == (
        "door-volunteer",
        staff.user,
        "Entrance, Thursday 23 May",
    )

    again, _ = scan(entrance, delegate, staff)
    assert again.outcome == Outcome.ALREADY
    assert again.message == "Already checked in at 10:00 by door-volunteer."  # BST
    assert not again.admitted


def test_a_scan_sent_twice_is_recorded_once_and_answered_the_same(entrance, staff, programme):
    delegate = DelegateFactory(event=programme["event"])
    scan_id = uuid.uuid4()
    first, _ = scan(entrance, delegate, staff, scan_id=scan_id)
    second, replayed = scan(entrance, delegate, staff, scan_id=scan_id)
    assert replayed is True
    assert second.pk == first.pk
    assert second.outcome == Outcome.ADMITTED
    assert CheckIn.objects.count() == 1


def test_an_unknown_badge_is_recorded_and_replayed_too(entrance, staff):
    scan_id = uuid.uuid4()
    first, _ = scan(entrance, "not-one-of-ours", staff, scan_id=scan_id)
    again, replayed = scan(entrance, "not-one-of-ours", staff, scan_id=scan_id)
    assert (first.outcome, first.delegate, again.pk, replayed) == (
        Outcome.UNKNOWN,
        None,
        first.pk,
        True,
    )


@pytest.mark.parametrize(
    ("details", "outcome"),
    [
        ({"status": Delegate.Status.CANCELLED}, Outcome.CANCELLED),
        ({"status": Delegate.Status.PENDING}, Outcome.INCOMPLETE),
        ({"unconfirmed": True}, Outcome.INCOMPLETE),
        ({"attends_day_two": False}, Outcome.NOT_TODAY),
    ],
    ids=["cancelled", "pending", "unconfirmed", "day-one-only"],
)
def test_entrance_refuses_who_is_not_expected_that_day(
    entrance, staff, programme, details, outcome
):
    delegate = DelegateFactory(event=programme["event"], **details)
    checkin, _ = scan(entrance, delegate, staff)
    assert (checkin.outcome, checkin.admitted) == (outcome, False)


def test_day_one_entrance_refuses_a_day_two_only_delegate(programme, staff):
    delegate = DelegateFactory(event=programme["event"], attends_day_one=False)
    checkin, _ = scan(Door(event=programme["event"], day=DAY_ONE), delegate, staff)
    assert checkin.outcome == Outcome.NOT_TODAY


# 11:52 on day two (BST), and a day-one scan queued at 23:50 and sent at 00:20.
DAY_TWO_LATE_MORNING = START + datetime.timedelta(hours=1, minutes=52)
DAY_ONE_BEFORE_MIDNIGHT = datetime.datetime(2019, 5, 22, 22, 50, tzinfo=datetime.UTC)
DAY_TWO_AFTER_MIDNIGHT = datetime.datetime(2019, 5, 22, 23, 20, tzinfo=datetime.UTC)


@pytest.mark.parametrize("phone_time", [DAY_TWO_LATE_MORNING, None])
def test_a_scan_at_a_door_after_its_day_is_refused_and_recorded_nowhere(
    programme, staff, phone_time
):
    delegate = DelegateFactory(event=programme["event"])
    day_one = Door(event=programme["event"], day=DAY_ONE)
    with pytest.raises(CheckinError) as refused:
        scan(day_one, delegate, staff, scanned_at=phone_time, now=DAY_TWO_LATE_MORNING)
    assert refused.value.message == (
        "This door was for Wednesday 22 May: choose today's door from the list."
    )
    assert not CheckIn.objects.exists()


def test_a_scan_made_on_its_doors_day_and_sent_after_midnight_counts(programme, staff):
    delegate = DelegateFactory(event=programme["event"])
    day_one = Door(event=programme["event"], day=DAY_ONE)
    checkin, _ = scan(
        day_one, delegate, staff, scanned_at=DAY_ONE_BEFORE_MIDNIGHT, now=DAY_TWO_AFTER_MIDNIGHT
    )
    assert (checkin.outcome, checkin.day) == (Outcome.ADMITTED, DAY_ONE)
    assert (checkin.scanned_at, checkin.at) == (DAY_ONE_BEFORE_MIDNIGHT, DAY_TWO_AFTER_MIDNIGHT)


@pytest.mark.parametrize(
    "sent",
    [
        datetime.datetime(2019, 5, 23, 23, 5, tzinfo=datetime.UTC),  # 00:05, two days on
        datetime.datetime(2019, 6, 22, 10, 0, tzinfo=datetime.UTC),  # a month on
    ],
)
def test_a_scan_dated_on_its_doors_day_but_sent_after_the_next_day_is_refused(
    programme, staff, sent
):
    """A phone's time cannot be checked: it must not add attendance once the event is over."""
    delegate = DelegateFactory(event=programme["event"])
    day_one = Door(event=programme["event"], day=DAY_ONE)

    with pytest.raises(CheckinError, match="This door closed on Wednesday 22 May 2019"):
        scan(day_one, delegate, staff, scanned_at=DAY_ONE_BEFORE_MIDNIGHT, now=sent)

    assert not CheckIn.objects.exists()


def test_a_scan_of_the_day_sent_before_the_next_day_ends_still_counts(programme, staff):
    delegate = DelegateFactory(event=programme["event"])
    day_one = Door(event=programme["event"], day=DAY_ONE)
    late_next_day = datetime.datetime(2019, 5, 23, 22, 55, tzinfo=datetime.UTC)  # 23:55 BST

    checkin, _ = scan(
        day_one, delegate, staff, scanned_at=DAY_ONE_BEFORE_MIDNIGHT, now=late_next_day
    )

    assert checkin.outcome == Outcome.ADMITTED


def test_a_scan_recorded_on_its_day_and_sent_again_after_midnight_gets_its_answer(programme, staff):
    """The answer was lost and the phone, its clock wrong, sends the scan again the next day."""
    delegate = DelegateFactory(event=programme["event"])
    day_one = Door(event=programme["event"], day=DAY_ONE)
    scan_id = uuid.uuid4()
    wrong_clock = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)
    first, _ = scan(
        day_one,
        delegate,
        staff,
        scan_id=scan_id,
        scanned_at=wrong_clock,
        now=DAY_ONE_BEFORE_MIDNIGHT,
    )
    again, replayed = scan(
        day_one,
        delegate,
        staff,
        scan_id=scan_id,
        scanned_at=wrong_clock,
        now=DAY_TWO_AFTER_MIDNIGHT,
    )
    assert (again, replayed, again.outcome) == (first, True, Outcome.ADMITTED)
    assert CheckIn.objects.count() == 1


def test_session_door_lets_in_its_own_and_sends_others_to_their_room(
    programme, staff, four_sessions
):
    s = programme["sessions"]
    mine = booked(programme, four_sessions)
    elsewhere = booked(programme, [s[(0, 1)], s[(1, 5)], s[(2, 3)], s[(3, 7)]])
    door = session_door(s[(0, 0)])

    assert scan(door, mine, staff)[0].outcome == Outcome.ADMITTED
    sent_away, _ = scan(door, elsewhere, staff)
    assert sent_away.outcome == Outcome.ELSEWHERE
    assert sent_away.message == f"Go to {s[(0, 1)].room.name}: “Workshop 2”."
    assert scan(door, mine, staff)[0].outcome == Outcome.ALREADY


def test_walk_in_takes_a_free_place_through_the_seat_writer(programme, staff):
    session = programme["sessions"][(0, 0)]
    walk_in = DelegateFactory(event=programme["event"])
    device = CheckinDevice.objects.create(
        event=programme["event"], label="Door 2", day=DAY_TWO, token_hash="x", expires_at=START
    )
    checkin, _ = scan(session_door(session), walk_in, DoorStaff(device=device))
    assert (checkin.outcome, checkin.admitted, checkin.device) == (Outcome.WALK_IN, True, device)
    assert Booking.objects.filter(delegate=walk_in, session=session).exists()
    change = BookingChange.objects.get(delegate=walk_in)
    assert (change.action, change.actor_name) == ("booked", "check-in: Door 2")


def test_walk_in_at_a_full_door_joins_standby_in_order(programme, staff, four_sessions):
    session = four_sessions[0]
    for _ in range(2):
        booked(programme, four_sessions)
    first, second = (DelegateFactory(event=programme["event"]) for _ in range(2))
    door = session_door(session)

    assert scan(door, first, staff)[0].message == "1st in line on standby at this door."
    waiting, _ = scan(door, second, staff)
    assert (waiting.outcome, waiting.message) == (
        Outcome.STANDBY,
        "2nd in line on standby at this door.",
    )
    assert scan(door, second, staff)[0].message == "On standby here: 2nd in line."
    assert Booking.objects.filter(session=session).count() == 2


def test_walk_in_refused_a_workshop_they_hold_in_another_round(programme, staff, four_sessions):
    holder = booked(programme, four_sessions)
    Booking.objects.filter(delegate=holder, time_slot=programme["slots"][3]).delete()
    # Workshop 1 runs again in round 4; they hold it in round 1.
    checkin, _ = scan(session_door(programme["sessions"][(3, 0)]), holder, staff)
    assert checkin.outcome == Outcome.NO_SEAT
    assert "already booked on “Workshop 1”" in checkin.message


def test_undo_lets_the_same_badge_in_again(entrance, staff, programme):
    delegate = DelegateFactory(event=programme["event"])
    first, _ = scan(entrance, delegate, staff)
    undone = undo_scan(scan_id=first.scan_id, by=staff)
    assert (undone.admitted, undone.undone_by_name) == (False, "door-volunteer")
    assert undo_scan(scan_id=first.scan_id, by=staff).undone_at == undone.undone_at
    assert scan(entrance, delegate, staff)[0].outcome == Outcome.ADMITTED


def test_undo_of_a_walk_in_gives_the_seat_back(programme, staff):
    session = programme["sessions"][(0, 0)]
    walk_in = DelegateFactory(event=programme["event"])
    checkin, _ = scan(session_door(session), walk_in, staff)
    undo_scan(scan_id=checkin.scan_id, by=staff)
    assert not Booking.objects.filter(delegate=walk_in).exists()
    assert list(
        BookingChange.objects.filter(delegate=walk_in).values_list("action", "actor_name")
    ) == [("released", "door-volunteer"), ("booked", "door-volunteer")]


def test_undo_of_standby_leaves_the_queue(programme, staff, four_sessions):
    for _ in range(2):
        booked(programme, four_sessions)
    waiting, _ = scan(
        session_door(four_sessions[0]), DelegateFactory(event=programme["event"]), staff
    )
    undo_scan(scan_id=waiting.scan_id, by=staff)
    assert four_sessions[0].standby.waiting().count() == 0


def test_undo_refuses_a_refusal_and_another_staffs_scan(entrance, staff, programme):
    refused, _ = scan(entrance, "nobody", staff)
    with pytest.raises(CheckinError, match="let nobody in"):
        undo_scan(scan_id=refused.scan_id, by=staff)
    admitted, _ = scan(entrance, DelegateFactory(event=programme["event"]), staff)
    other = DoorStaff(user=AdminUserFactory(groups=["Door staff"]))
    with pytest.raises(CheckinError, match="nothing to undo"):
        undo_scan(scan_id=admitted.scan_id, by=other)
    admitted.refresh_from_db()
    assert admitted.admitted


@pytest.fixture
def full_door_with_standby(programme, four_sessions, staff):
    """Round 1's first session full (two seats), two walk-ins on standby at its door."""
    holders = [booked(programme, four_sessions) for _ in range(2)]
    door = session_door(four_sessions[0])
    waiting = [DelegateFactory(event=programme["event"]) for _ in range(2)]
    for person in waiting:
        scan(door, person, staff)
    return door, holders, waiting


def test_no_shows_keep_their_seats_until_the_release_time(full_door_with_standby, staff):
    door, holders, _ = full_door_with_standby
    assert seat_standby(door=door, by=staff, now=START + datetime.timedelta(minutes=14)) == []
    assert set(Booking.objects.filter(session=door.session).values_list("delegate", flat=True)) == {
        h.pk for h in holders
    }


def test_release_gives_no_shows_seats_to_standby_in_order(full_door_with_standby, staff, entrance):
    door, holders, waiting = full_door_with_standby
    scan(entrance, holders[0], staff)  # arrived: keeps the seat
    seated = seat_standby(door=door, by=staff, now=START + datetime.timedelta(minutes=15))

    assert seated == [(waiting[0], holders[1])]
    assert set(Booking.objects.filter(session=door.session).values_list("delegate", flat=True)) == {
        holders[0].pk,
        waiting[0].pk,
    }
    release = NoShowRelease.objects.get()
    assert (release.released, release.seated, release.by_name) == (
        holders[1],
        waiting[0],
        "door-volunteer",
    )
    lost = BookingChange.objects.get(delegate=holders[1], action="released")
    assert lost.reason.startswith("No-show")
    let_in = CheckIn.objects.get(delegate=waiting[0], outcome=Outcome.FROM_STANDBY)
    assert let_in.admitted
    email = OutgoingEmail.objects.get(subject__contains="was given to someone waiting")
    assert (email.to, email.about) == (holders[1].email, f"delegate:{holders[1].pk}")
    assert door.session.standby.waiting().get().delegate == waiting[1]


def test_free_places_go_to_standby_before_the_release_time(full_door_with_standby, staff):
    door, holders, waiting = full_door_with_standby
    cancel_registration(delegate=holders[0])
    seated = seat_standby(door=door, by=staff, now=START - datetime.timedelta(minutes=5))
    assert seated == [(waiting[0], None)]
    assert Booking.objects.filter(session=door.session).count() == 2


def test_release_switched_off_releases_nothing(full_door_with_standby, staff):
    door, _, _ = full_door_with_standby
    door.event.no_show_release_minutes = None
    door.event.save()
    door.session.refresh_from_db()
    session = (
        type(door.session)
        .objects.select_related("time_slot__event", "workshop", "room")
        .get(pk=door.session.pk)
    )
    later = START + datetime.timedelta(hours=3)
    assert (
        seat_standby(door=Door(event=door.event, day=DAY_TWO, session=session), by=staff, now=later)
        == []
    )


def test_search_finds_people_expected_that_day_with_the_fields_a_door_needs(
    entrance, programme, agency_named
):
    DelegateFactory(
        event=programme["event"], first_name="Priya", last_name="Shah", agency=agency_named
    )
    DelegateFactory(event=programme["event"], first_name="Priyanka", attends_day_two=False)
    DelegateFactory(event=programme["event"], first_name="Pritam", status=Delegate.Status.CANCELLED)
    found = search_attendees(door=entrance, text="pri sh")
    assert [{k: v for k, v in row.items() if k != "checkin_reference"} for row in found] == [
        {
            "badge_name": "Priya Shah",
            "first_name": "Priya",
            "last_name": "Shah",
            "agency_name": "Kent Police",
        }
    ]
    with pytest.raises(CheckinError, match="at least 2 letters"):
        search_attendees(door=entrance, text=" p ")


def test_search_ignores_accents_and_case_as_door_staff_type_on_a_phone(entrance, programme):
    DelegateFactory(
        event=programme["event"], first_name="Ömer", last_name="Çelik", badge_name="Ömer Çelik"
    )
    DelegateFactory(event=programme["event"], first_name="Łukasz", last_name="Dvořák")
    DelegateFactory(event=programme["event"], first_name="Omar", last_name="Celestine")
    for typed, expected in [
        ("celik", ["Çelik"]),
        ("ÇEL", ["Celestine", "Çelik"]),
        ("omer", ["Çelik"]),
        ("lukasz dvorak", ["Dvořák"]),
        ("dvořá", ["Dvořák"]),
        ("50%", []),
    ]:
        found = search_attendees(door=entrance, text=typed)
        assert [row["last_name"] for row in found] == expected, typed


def test_search_ignores_apostrophes_hyphens_and_spaces_as_phones_type_them(entrance, programme):
    event = programme["event"]
    DelegateFactory(event=event, first_name="Sean", last_name="O'Brien", badge_name="")
    DelegateFactory(event=event, first_name="Mary-Kate", last_name="O’Neill", badge_name="")
    DelegateFactory(event=event, first_name="Jean", last_name="D'Arcy", badge_name="")
    DelegateFactory(event=event, first_name="Obi", last_name="Okafor", badge_name="")
    for typed, expected in [
        ("obrien", ["O'Brien"]),
        ("O’B", ["O'Brien"]),  # a phone's curly apostrophe for a straight one
        ("o'b", ["O'Brien"]),
        ("ob", ["O'Brien", "Okafor"]),
        ("Darcy", ["D'Arcy"]),
        ("D’Arcy", ["D'Arcy"]),
        ("oneill", ["O’Neill"]),
        ("mary kate", ["O’Neill"]),
        ("marykate", ["O’Neill"]),
        ("kate", []),
        ("sean obrien", ["O'Brien"]),
    ]:
        found = search_attendees(door=entrance, text=typed)
        assert [row["last_name"] for row in found] == expected, typed


@pytest.fixture
def agency_named(db):
    return AgencyFactory(name="Kent Police")


def test_a_device_link_reaches_only_its_day_and_doors(programme):
    s = programme["sessions"]
    device = CheckinDevice.objects.create(
        event=programme["event"],
        label="Room door",
        day=DAY_TWO,
        entrance=False,
        token_hash="y",
        expires_at=START,
    )
    device.rooms.add(s[(0, 0)].room)
    staff = DoorStaff(device=device)
    assert [d.key for d in doors_for(staff=staff, event=programme["event"])] == [
        f"session:{s[k].pk}" for k in [(0, 0), (1, 4), (2, 2), (3, 0)]
    ]
    for key in [
        "entrance:2019-05-23",
        f"session:{s[(0, 1)].pk}",
        "session:x",
        "x",
        "session:" + "9" * 30,
    ]:
        with pytest.raises(CheckinError, match="Choose one of your doors"):
            find_door(staff=staff, key=key)
    assert find_door(staff=staff, key=f"session:{s[(0, 0)].pk}").session == s[(0, 0)]


def test_an_account_reaches_every_day_and_door(programme, staff):
    RoomFactory()
    keys = [d.key for d in doors_for(staff=staff, event=programme["event"])]
    assert keys[:2] == ["entrance:2019-05-22", "entrance:2019-05-23"]
    assert len(keys) == 2 + 16


def test_a_delegates_copy_of_their_data_lists_their_check_ins(entrance, staff, programme):
    delegate = DelegateFactory(event=programme["event"])
    scan(entrance, delegate, staff, now=START)
    assert export_delegate_data(delegate=delegate)["check_ins"] == [
        {
            "door": "Entrance, Thursday 23 May",
            "at": "2019-05-23T09:00:00+00:00",
            "outcome": "Checked in",
            "undone_at": None,
        }
    ]


def test_nobody_is_checked_in_before_the_doors_day(entrance, staff, programme, four_sessions):
    delegate = booked(programme, four_sessions)
    the_day_before = START - datetime.timedelta(days=1)

    for door in (entrance, session_door(four_sessions[0])):
        with pytest.raises(CheckinError, match="This door opens on Thursday 23 May 2019"):
            scan(door, delegate, staff, now=the_day_before)

    assert not CheckIn.objects.exists()
    first, _ = scan(entrance, delegate, staff, now=START)  # on the day it works
    assert first.admitted


def test_a_scan_id_used_by_another_phone_is_refused_and_names_nobody(entrance, staff, programme):
    delegate = DelegateFactory(event=programme["event"], last_name="Shah")
    scan_id = uuid.uuid4()
    first, _ = scan(entrance, delegate, staff, scan_id=scan_id)
    other = DoorStaff(user=AdminUserFactory(username="someone-else", groups=["Door staff"]))

    with pytest.raises(CheckinError, match="sent before from another phone"):
        scan(entrance, "made-up-reference", other, scan_id=scan_id)
    with pytest.raises(CheckinError, match="sent before from another phone"):
        scan(entrance, delegate, other, scan_id=scan_id)
    again, replayed = scan(entrance, delegate, staff, scan_id=scan_id)

    assert (again.pk, replayed) == (first.pk, True)
    assert CheckIn.objects.count() == 1
