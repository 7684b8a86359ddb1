import threading

import pytest
from django.db import connection, connections
from django.urls import reverse

from tests.factories import AdminUserFactory, DelegateFactory
from workshops.models import Booking, BookingChange
from workshops.services.booking import (
    MoveRefused,
    SessionFull,
    book_sessions,
    move_delegate,
    session_label,
)

OVERRIDE = "workshops.override_capacity"


def held(delegate):
    return set(Booking.objects.filter(delegate=delegate).values_list("session_id", flat=True))


@pytest.fixture
def booked(programme, four_sessions):
    """A delegate holding round 1 / workshop 1, round 2 / workshop 5, round 3 / 3, round 4 / 7."""
    delegate = DelegateFactory(event=programme["event"])
    book_sessions(delegate=delegate, sessions=four_sessions)
    return delegate


@pytest.fixture
def full_target(programme):
    """Round 1's session of workshop 2, filled to its capacity of 2 by two other delegates."""
    s = programme["sessions"]
    for _ in range(2):
        book_sessions(
            delegate=DelegateFactory(event=programme["event"]),
            sessions=[s[(0, 1)], s[(1, 5)], s[(2, 3)], s[(3, 7)]],
        )
    return s[(0, 1)]


def test_move_delegate_moves_seat_within_slot(programme, booked, four_sessions):
    s = programme["sessions"]
    organiser = AdminUserFactory(username="sam")
    move_delegate(delegate=booked, from_session=s[(0, 0)], to_session=s[(0, 1)], actor=organiser)
    assert held(booked) == {s[(0, 1)].pk, *(x.pk for x in four_sessions[1:])}
    change = BookingChange.objects.get(delegate=booked, action=BookingChange.Action.MOVED)
    assert (change.session_id, change.from_session_id) == (s[(0, 1)].pk, s[(0, 0)].pk)
    assert change.session_label == session_label(s[(0, 1)])
    assert change.from_session_label == session_label(s[(0, 0)])
    assert (change.actor, change.actor_name, change.by) == (organiser, "sam", "sam")
    assert change.capacity_override == 0


def test_move_delegate_target_full_refused_and_nothing_changes(programme, booked, full_target):
    s = programme["sessions"]
    before = held(booked)
    with pytest.raises(SessionFull) as caught:
        move_delegate(
            delegate=booked,
            from_session=s[(0, 0)],
            to_session=full_target,
            actor=AdminUserFactory(),
        )
    assert caught.value.message == (
        f"{session_label(full_target)} is full: 2 of 2 seats taken. "
        f"{booked} keeps their seat in {session_label(s[(0, 0)])}."
    )
    assert held(booked) == before
    assert Booking.objects.filter(session=full_target).count() == 2
    assert not BookingChange.objects.filter(action=BookingChange.Action.MOVED).exists()


def test_move_delegate_override_with_permission_allows_up_to_stated_number(
    programme, four_sessions, full_target
):
    s = programme["sessions"]
    organiser = AdminUserFactory(username="chief", permissions=[OVERRIDE])
    first, second = (DelegateFactory(event=programme["event"]) for _ in range(2))
    for delegate in (first, second):
        book_sessions(delegate=delegate, sessions=four_sessions)
    move_delegate(
        delegate=first,
        from_session=s[(0, 0)],
        to_session=full_target,
        actor=organiser,
        override=1,
        reason="Presenting a case study",
    )
    with pytest.raises(SessionFull) as caught:
        move_delegate(
            delegate=second,
            from_session=s[(0, 0)],
            to_session=full_target,
            actor=organiser,
            override=1,
            reason="Also presenting",
        )
    assert "3 of 2 seats taken, even allowing 1 over" in caught.value.message
    assert Booking.objects.filter(session=full_target).count() == 3
    change = BookingChange.objects.get(action=BookingChange.Action.MOVED)
    assert (change.delegate, change.actor_name) == (first, "chief")
    assert (change.capacity_override, change.reason) == (1, "Presenting a case study")
    move_delegate(
        delegate=second,
        from_session=s[(0, 0)],
        to_session=full_target,
        actor=organiser,
        override=2,
        reason="Also presenting",
    )
    assert Booking.objects.filter(session=full_target).count() == 4
    # The database lets these seats through because the booking says it was an override.
    assert sorted(
        Booking.objects.filter(session=full_target).values_list("beyond_capacity", flat=True)
    ) == [False, False, True, True]


def test_move_delegate_override_without_permission_refused(programme, booked, full_target):
    s = programme["sessions"]
    before = held(booked)
    with pytest.raises(MoveRefused) as caught:
        move_delegate(
            delegate=booked,
            from_session=s[(0, 0)],
            to_session=full_target,
            actor=AdminUserFactory(),
            override=1,
            reason="Please",
        )
    assert caught.value.message == "You do not have permission to put a session over its capacity."
    assert held(booked) == before
    assert Booking.objects.filter(session=full_target).count() == 2


def test_move_delegate_override_without_reason_refused(programme, booked, full_target):
    s = programme["sessions"]
    with pytest.raises(MoveRefused) as caught:
        move_delegate(
            delegate=booked,
            from_session=s[(0, 0)],
            to_session=full_target,
            actor=AdminUserFactory(permissions=[OVERRIDE]),
            override=1,
            reason="  ",
        )
    assert caught.value.message == "Say why the session may go over its capacity."
    assert Booking.objects.filter(session=full_target).count() == 2


def test_move_delegate_unused_override_not_recorded(programme, booked):
    s = programme["sessions"]
    move_delegate(
        delegate=booked,
        from_session=s[(0, 0)],
        to_session=s[(0, 3)],
        actor=AdminUserFactory(permissions=[OVERRIDE]),
        override=3,
        reason="In case",
    )
    change = BookingChange.objects.get(action=BookingChange.Action.MOVED)
    assert (change.capacity_override, change.reason) == (0, "In case")


def test_move_delegate_other_slot_refused(programme, booked):
    s = programme["sessions"]
    with pytest.raises(MoveRefused) as caught:
        move_delegate(
            delegate=booked, from_session=s[(0, 0)], to_session=s[(1, 5)], actor=AdminUserFactory()
        )
    assert "can only be moved within one time slot" in caught.value.message
    assert s[(0, 0)].pk in held(booked)


def test_move_delegate_workshop_held_in_another_slot_refused(programme, booked):
    s = programme["sessions"]
    # Round 3 offers workshop 5, which the delegate already attends in round 2.
    with pytest.raises(MoveRefused) as caught:
        move_delegate(
            delegate=booked, from_session=s[(2, 2)], to_session=s[(2, 4)], actor=AdminUserFactory()
        )
    assert caught.value.message == (
        f"{booked} already has a seat in “Workshop 5” in another time slot."
    )
    assert s[(2, 2)].pk in held(booked)


def test_move_delegate_without_seat_in_source_refused(programme, booked):
    s = programme["sessions"]
    with pytest.raises(MoveRefused) as caught:
        move_delegate(
            delegate=booked, from_session=s[(0, 1)], to_session=s[(0, 2)], actor=AdminUserFactory()
        )
    assert caught.value.message == f"{booked} has no seat in {session_label(s[(0, 1)])}."


def test_move_admin_page_moves_and_redirects(client, programme, booked):
    s = programme["sessions"]
    client.force_login(AdminUserFactory(is_superuser=True))
    url = reverse("admin:workshops_session_move", args=[s[(0, 0)].pk, booked.pk])
    response = client.post(url, {"to_session": s[(0, 3)].pk, "override": 0, "reason": ""})
    assert response.status_code == 302
    assert response.url == reverse("admin:workshops_session_change", args=[s[(0, 0)].pk])
    assert s[(0, 3)].pk in held(booked)


def test_move_admin_page_full_target_shows_message(client, programme, booked, full_target):
    s = programme["sessions"]
    client.force_login(AdminUserFactory(permissions=["workshops.change_session"]))
    url = reverse("admin:workshops_session_move", args=[s[(0, 0)].pk, booked.pk])
    page = client.get(url).content.decode()
    assert "Allow over capacity by" not in page
    assert "2 of 2 taken (full)" in page
    response = client.post(url, {"to_session": full_target.pk})
    assert response.status_code == 200
    assert f"{session_label(full_target)} is full: 2 of 2 seats taken." in response.content.decode()
    assert s[(0, 0)].pk in held(booked)


def test_move_admin_page_without_change_permission_refused(client, programme, booked):
    s = programme["sessions"]
    client.force_login(AdminUserFactory(permissions=["workshops.view_session"]))
    url = reverse("admin:workshops_session_move", args=[s[(0, 0)].pk, booked.pk])
    assert client.post(url, {"to_session": s[(0, 3)].pk}).status_code == 403
    assert s[(0, 0)].pk in held(booked)


def test_session_roster_links_to_move(client, programme, booked):
    s = programme["sessions"]
    client.force_login(AdminUserFactory(is_superuser=True))
    page = client.get(reverse("admin:workshops_session_change", args=[s[(0, 0)].pk]))
    move_url = reverse("admin:workshops_session_move", args=[s[(0, 0)].pk, booked.pk])
    assert move_url in page.content.decode()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_move_delegate_concurrent_moves_never_overfill(programme, four_sessions):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks (set DATABASE_URL to a postgres:// database)")
    s = programme["sessions"]
    target = s[(0, 1)]
    book_sessions(
        delegate=DelegateFactory(event=programme["event"]),
        sessions=[target, s[(1, 5)], s[(2, 3)], s[(3, 7)]],
    )
    movers = [DelegateFactory(event=programme["event"]) for _ in range(2)]
    for delegate in movers:
        book_sessions(delegate=delegate, sessions=four_sessions)
    organiser = AdminUserFactory()
    barrier = threading.Barrier(len(movers))
    outcomes = []

    def move(delegate):
        try:
            barrier.wait()
            move_delegate(
                delegate=delegate, from_session=s[(0, 0)], to_session=target, actor=organiser
            )
            outcomes.append("moved")
        except SessionFull:
            outcomes.append("full")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=move, args=(d,)) for d in movers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["full", "moved"]
    assert Booking.objects.filter(session=target).count() == 2


def test_session_roster_hides_move_from_view_only_staff(client, programme, booked):
    s = programme["sessions"]
    client.force_login(AdminUserFactory(permissions=["workshops.view_session"]))
    page = client.get(reverse("admin:workshops_session_change", args=[s[(0, 0)].pk]))
    assert page.status_code == 200
    assert "/move/" not in page.content.decode()


def test_session_roster_shows_who_is_there_by_override(
    client, programme, four_sessions, full_target
):
    s = programme["sessions"]
    organiser = AdminUserFactory(is_superuser=True)
    guest = DelegateFactory(event=programme["event"], last_name="Okonjo")
    book_sessions(delegate=guest, sessions=four_sessions)
    move_delegate(
        delegate=guest,
        from_session=s[(0, 0)],
        to_session=full_target,
        actor=organiser,
        override=1,
        reason="Speaker",
    )
    client.force_login(organiser)

    page = client.get(reverse("admin:workshops_session_change", args=[full_target.pk]))

    html = page.content.decode()
    assert html.count("Yes, by override") == 1
    row = html[html.index("Okonjo") :]
    assert row.index("Yes, by override") < row.index("</tr>")
