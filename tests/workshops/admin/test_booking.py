"""Organisers deleting seats in the admin go through the booking service."""

import pytest
from django.contrib import admin

from tests.factories import AdminUserFactory, DelegateFactory
from workshops.models import Booking, BookingChange, WaitlistEntry
from workshops.services.booking import book_sessions, session_label
from workshops.services.waitlist import join_waitlist

RELEASED = BookingChange.Action.RELEASED


@pytest.fixture
def organiser(db):
    return AdminUserFactory(username="morgan", is_superuser=True)


@pytest.fixture
def organiser_client(client, organiser):
    client.force_login(organiser)
    return client


def booked(programme, keys):
    delegate = DelegateFactory(event=programme["event"])
    book_sessions(delegate=delegate, sessions=[programme["sessions"][k] for k in keys])
    return delegate


A_SET = [(0, 0), (1, 4), (2, 2), (3, 6)]
B_SET = [(0, 1), (1, 5), (2, 3), (3, 7)]


def test_admin_delete_booking_records_the_organiser_in_the_history(
    organiser_client, organiser, programme
):
    delegate = booked(programme, A_SET)
    booking = Booking.objects.get(delegate=delegate, session=programme["sessions"][(0, 0)])

    response = organiser_client.post(
        f"/admin/workshops/booking/{booking.pk}/delete/", {"post": "yes"}
    )

    assert response.status_code == 302
    assert not Booking.objects.filter(pk=booking.pk).exists()
    change = BookingChange.objects.get(delegate=delegate, action=RELEASED)
    assert (change.session_id, change.session_label) == (
        booking.session_id,
        session_label(booking.session),
    )
    assert (change.actor, change.actor_name, change.by) == (organiser, "morgan", "morgan")


def test_admin_bulk_delete_bookings_records_the_organiser_for_each_seat(
    organiser_client, organiser, programme
):
    first, second = booked(programme, A_SET), booked(programme, B_SET)
    s = programme["sessions"]
    doomed = [
        Booking.objects.get(delegate=first, session=s[(0, 0)]),
        Booking.objects.get(delegate=first, session=s[(1, 4)]),
        Booking.objects.get(delegate=second, session=s[(3, 7)]),
    ]

    response = organiser_client.post(
        "/admin/workshops/booking/",
        {"action": "delete_selected", "_selected_action": [b.pk for b in doomed], "post": "yes"},
    )

    assert response.status_code == 302
    assert Booking.objects.count() == 5
    released = BookingChange.objects.filter(action=RELEASED)
    assert sorted((c.delegate_id, c.session_id) for c in released) == sorted(
        (b.delegate_id, b.session_id) for b in doomed
    )
    assert {(c.actor_id, c.actor_name) for c in released} == {(organiser.pk, "morgan")}


def test_admin_delete_booking_hands_the_seat_to_the_waiting_list_in_the_history(
    organiser_client, programme
):
    s = programme["sessions"]
    victim = booked(programme, A_SET)
    booked(programme, A_SET)
    waiter = booked(programme, B_SET)
    join_waitlist(delegate=waiter, session=s[(0, 0)])
    booking = Booking.objects.get(delegate=victim, session=s[(0, 0)])

    organiser_client.post(f"/admin/workshops/booking/{booking.pk}/delete/", {"post": "yes"})

    moved = BookingChange.objects.get(delegate=waiter, action=BookingChange.Action.MOVED)
    assert (moved.session_id, moved.from_session_id, moved.by) == (
        s[(0, 0)].pk,
        s[(0, 1)].pk,
        "the waiting list",
    )
    assert WaitlistEntry.objects.count() == 0


def test_admin_delete_delegate_takes_their_history_and_leaves_everyone_elses(
    organiser_client, programme
):
    delegate = booked(programme, A_SET)
    survivor = booked(programme, B_SET)

    response = organiser_client.post(
        f"/admin/registration/delegate/{delegate.pk}/delete/", {"post": "yes"}
    )

    assert response.status_code == 302
    # The delegate's own history goes with them; everyone else's is untouched.
    assert not BookingChange.objects.filter(delegate_id=delegate.pk).exists()
    assert BookingChange.objects.filter(delegate=survivor).count() == 4


def test_admin_inlines_never_delete_bookings_themselves():
    # A formset deletes rows with instance.delete(), past the booking service:
    # no inline of seats may offer it (the roster moves seats through the service).
    deleting = [
        f"{type(model_admin).__name__}.{inline.__name__}"
        for model_admin in admin.site._registry.values()
        for inline in model_admin.inlines
        if inline.model is Booking and inline.can_delete
    ]
    assert deleting == []
