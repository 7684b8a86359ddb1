"""An organiser cannot leave a session with fewer places than the delegates seated in it."""

import pytest
from django.contrib.auth.models import User

from tests.attending import booked_delegate
from tests.factories import RoomFactory
from tests.workshops.admin.workshop_page import workshop_page_data
from workshops.models import Session

FULL = "2 delegates hold seats here: move some first, or keep capacity at least 2."


@pytest.fixture
def admin_client(client, db):
    client.force_login(User.objects.create_superuser("organiser", "", "a-long-test-password"))
    return client


@pytest.fixture
def full_session(programme):
    """Round one's Workshop 1, both of its 2 places taken."""
    s = programme["sessions"]
    for keys in [[(0, 0), (1, 4), (2, 2), (3, 6)], [(0, 0), (1, 5), (2, 3), (3, 7)]]:
        booked_delegate(programme["event"], [s[k] for k in keys])
    return s[(0, 0)]


def post_session(client, session, **changes):
    data = {
        "workshop": session.workshop_id,
        "time_slot": session.time_slot_id,
        "room": session.room_id,
        "capacity": session.capacity,
        "bookings-TOTAL_FORMS": 0,
        "bookings-INITIAL_FORMS": 0,
        "waitlist-TOTAL_FORMS": 0,
        "waitlist-INITIAL_FORMS": 0,
        **changes,
    }
    return client.post(f"/admin/workshops/session/{session.pk}/change/", data)


def places_left(session):
    return Session.objects.with_places_left().get(pk=session.pk).places_left


def test_a_capacity_below_the_seats_held_is_refused_naming_them(admin_client, full_session):
    response = post_session(admin_client, full_session, capacity=1)
    assert response.status_code == 200
    assert FULL in response.content.decode()
    assert places_left(full_session) == 0


def test_a_smaller_room_with_capacity_left_empty_is_refused(admin_client, full_session):
    closet = RoomFactory(name="Closet", capacity=1)
    response = post_session(admin_client, full_session, room=closet.pk, capacity="")
    assert response.status_code == 200
    assert f"Closet holds 1; {FULL}" in response.content.decode()
    full_session.refresh_from_db()
    assert (full_session.room.name, places_left(full_session)) != ("Closet", -1)
    assert full_session.room_id != closet.pk


def test_a_capacity_at_the_seats_held_is_saved(admin_client, full_session):
    bigger = RoomFactory(name="Hall", capacity=10)
    response = post_session(admin_client, full_session, room=bigger.pk, capacity=2)
    assert response.status_code == 302
    assert places_left(full_session) == 0


def test_a_row_on_the_workshop_page_below_its_seats_is_refused(admin_client, full_session):
    workshop = full_session.workshop
    sessions = list(workshop.sessions.order_by("pk"))
    data = workshop_page_data(
        workshop, sessions, lambda s: {"capacity": 1} if s == full_session else {}
    )
    response = admin_client.post(f"/admin/workshops/workshop/{workshop.pk}/change/", data)
    assert response.status_code == 200
    assert FULL in response.content.decode()
    assert places_left(full_session) == 0


def test_a_row_moved_to_a_smaller_room_on_the_workshop_page_is_refused(admin_client, full_session):
    closet = RoomFactory(name="Closet", capacity=1)
    workshop = full_session.workshop
    sessions = list(workshop.sessions.order_by("pk"))
    data = workshop_page_data(
        workshop,
        sessions,
        lambda s: {"room": closet.pk, "capacity": ""} if s == full_session else {},
    )
    response = admin_client.post(f"/admin/workshops/workshop/{workshop.pk}/change/", data)
    assert f"Closet holds 1; {FULL}" in response.content.decode()
    full_session.refresh_from_db()
    assert full_session.room_id != closet.pk


def test_a_negative_capacity_gets_one_message(admin_client, programme):
    session = programme["sessions"][(0, 0)]
    html = post_session(admin_client, session, capacity=-1).content.decode()
    assert "A capacity must be at least 1 seat." in html
    assert "greater than or equal to 0" not in html
