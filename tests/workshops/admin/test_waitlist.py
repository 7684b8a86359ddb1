from tests.factories import DelegateFactory, RoomFactory, SessionFactory
from workshops.models import Booking, WaitlistEntry
from workshops.services.booking import book_sessions
from workshops.services.waitlist import join_waitlist


def booked(programme, *sessions):
    delegate = DelegateFactory(event=programme["event"])
    book_sessions(delegate=delegate, sessions=list(sessions))
    return delegate


def test_admin_delete_of_booking_promotes_the_first_waiting(admin_client, programme):
    s = programme["sessions"]
    victim = booked(programme, s[(0, 0)], s[(1, 4)], s[(2, 2)], s[(3, 6)])
    booked(programme, s[(0, 0)], s[(1, 4)], s[(2, 2)], s[(3, 6)])
    waiter = booked(programme, s[(0, 1)], s[(1, 5)], s[(2, 3)], s[(3, 7)])
    join_waitlist(delegate=waiter, session=s[(0, 0)])
    booking = Booking.objects.get(delegate=victim, session=s[(0, 0)])

    response = admin_client.post(
        "/admin/workshops/booking/",
        {"action": "delete_selected", "_selected_action": [booking.pk], "post": "yes"},
    )

    assert response.status_code == 302
    assert Booking.objects.filter(session=s[(0, 0)]).count() == 2
    assert Booking.objects.filter(session=s[(0, 0)], delegate=waiter).count() == 1
    assert Booking.objects.filter(delegate=victim).count() == 3
    assert WaitlistEntry.objects.count() == 0


def test_admin_capacity_increase_promotes_the_waiting(admin_client, programme):
    s = programme["sessions"]
    session = SessionFactory(
        workshop=programme["workshops"][3],
        time_slot=programme["slots"][1],
        room=RoomFactory(capacity=5),
        capacity=1,
    )
    holder = booked(programme, s[(0, 1)], session, s[(2, 4)], s[(3, 7)])
    waiter = booked(programme, s[(0, 0)], s[(1, 4)], s[(2, 2)], s[(3, 6)])
    entry = join_waitlist(delegate=waiter, session=session)
    holder_booking = Booking.objects.get(delegate=holder, session=session)

    response = admin_client.post(
        f"/admin/workshops/session/{session.pk}/change/",
        {
            "workshop": session.workshop_id,
            "time_slot": session.time_slot_id,
            "room": session.room_id,
            "capacity": "2",
            "bookings-TOTAL_FORMS": "1",
            "bookings-INITIAL_FORMS": "1",
            "bookings-0-id": holder_booking.pk,
            "bookings-0-session": session.pk,
            "waitlist-TOTAL_FORMS": "1",
            "waitlist-INITIAL_FORMS": "1",
            "waitlist-0-id": entry.pk,
            "waitlist-0-session": session.pk,
            "waitlist-0-position": "1",
        },
    )

    assert response.status_code == 302
    assert set(Booking.objects.filter(session=session).values_list("delegate_id", flat=True)) == {
        holder.pk,
        waiter.pk,
    }
    assert Booking.objects.filter(session=s[(1, 4)]).count() == 0
    assert WaitlistEntry.objects.count() == 0


def test_admin_session_page_lists_the_waiting_list(admin_client, programme):
    s = programme["sessions"]
    booked(programme, s[(0, 0)], s[(1, 4)], s[(2, 2)], s[(3, 6)])
    booked(programme, s[(0, 0)], s[(1, 4)], s[(2, 2)], s[(3, 6)])
    waiter = booked(programme, s[(0, 1)], s[(1, 5)], s[(2, 3)], s[(3, 7)])
    join_waitlist(delegate=waiter, session=s[(0, 0)])

    html = admin_client.get(f"/admin/workshops/session/{s[(0, 0)].pk}/change/").content.decode()

    assert "waiting list (lowest position is served first)" in html.lower()
    assert str(waiter) in html


def test_admin_delete_of_delegate_promotes_the_first_waiting(admin_client, programme):
    s = programme["sessions"]
    victim = booked(programme, s[(0, 0)], s[(1, 4)], s[(2, 2)], s[(3, 6)])
    booked(programme, s[(0, 0)], s[(1, 4)], s[(2, 2)], s[(3, 6)])
    waiter = booked(programme, s[(0, 1)], s[(1, 5)], s[(2, 3)], s[(3, 7)])
    join_waitlist(delegate=waiter, session=s[(1, 4)])

    response = admin_client.post(
        f"/admin/registration/delegate/{victim.pk}/delete/", {"post": "yes"}
    )

    assert response.status_code == 302
    assert Booking.objects.filter(session=s[(1, 4)], delegate=waiter).count() == 1
    assert Booking.objects.filter(session=s[(1, 5)]).count() == 0
    assert Booking.objects.filter(delegate_id=victim.pk).count() == 0


def _fill_waiting_lists(programme, count):
    """`count` more delegates on round 1's waiting lists (its sessions are full)."""
    s = programme["sessions"]
    for _ in range(count):
        delegate = booked(programme, s[(0, 2)], s[(1, 6)], s[(2, 4)], s[(3, 7)])
        join_waitlist(delegate=delegate, session=s[(0, 0)])


def test_admin_waiting_list_pages_queries_do_not_grow(admin_client, programme):
    from tests.page_queries import count_queries
    from workshops.models import Session

    s = programme["sessions"]
    Session.objects.exclude(pk=s[(0, 0)].pk).update(capacity=100)
    booked(programme, s[(0, 0)], s[(1, 4)], s[(2, 2)], s[(3, 6)])
    booked(programme, s[(0, 0)], s[(1, 4)], s[(2, 2)], s[(3, 6)])
    pages = ["/admin/workshops/waitlistentry/", f"/admin/workshops/session/{s[(0, 0)].pk}/change/"]
    _fill_waiting_lists(programme, 2)
    for page in pages:
        admin_client.get(page)
    small = [count_queries(lambda p=p: admin_client.get(p)) for p in pages]
    _fill_waiting_lists(programme, 12)

    large = [count_queries(lambda p=p: admin_client.get(p)) for p in pages]

    assert large == small
