import pytest

from outbox.models import OutgoingEmail
from registration.models import Delegate
from tests.factories import AdminUserFactory, DelegateFactory, RoomFactory, SessionFactory
from workshops.models import Booking, WaitlistEntry
from workshops.services.booking import (
    book_sessions,
    cancel_registration,
    release_bookings,
    serve_after_capacity_change,
)
from workshops.services.waitlist import (
    WaitlistError,
    join_waitlist,
    leave_waitlist,
    waiting_places,
)


def held(delegate):
    return set(Booking.objects.filter(delegate=delegate).values_list("session_id", flat=True))


def booked(programme, *keys):
    """A new delegate holding the sessions at `keys` ((round, workshop) pairs)."""
    delegate = DelegateFactory(event=programme["event"])
    book_sessions(delegate=delegate, sessions=[programme["sessions"][k] for k in keys])
    return delegate


def ids(programme, *keys):
    return {programme["sessions"][k].pk for k in keys}


A_SET = [(0, 0), (1, 4), (2, 2), (3, 6)]
B_SET = [(0, 1), (1, 5), (2, 3), (3, 7)]


def test_cancellation_promotes_first_waiting_and_releases_their_old_seat(programme):
    s = programme["sessions"]
    first = booked(programme, *A_SET)
    booked(programme, *A_SET)
    waiter = booked(programme, *B_SET)
    join_waitlist(delegate=waiter, session=s[(0, 0)])
    OutgoingEmail.objects.all().delete()  # their booking confirmations

    cancel_registration(delegate=first)

    assert held(waiter) == ids(programme, (0, 0), (1, 5), (2, 3), (3, 7))
    assert Booking.objects.filter(session=s[(0, 1)]).count() == 0
    assert WaitlistEntry.objects.count() == 0
    email = OutgoingEmail.objects.get(to=waiter.email)
    assert email.subject == "Strategic SOCEX 2019: you have a place in Workshop 1"
    assert "you were next, so we have booked it for you" in email.body_text
    was, now = s[(0, 1)], s[(0, 0)]
    assert (
        f"was “Workshop 2” ({was.room.name}); now “Workshop 1” ({now.room.name})."
        in email.body_text
    )


def test_promotion_chain_moves_each_waiting_delegate_one_step(programme):
    s = programme["sessions"]
    leaver = booked(programme, *A_SET)
    booked(programme, *A_SET)
    first = booked(programme, *B_SET)
    booked(programme, *B_SET)  # round 1 workshop 2 is now full too
    second = booked(programme, (0, 2), (1, 6), (2, 4), (3, 0))
    join_waitlist(delegate=first, session=s[(0, 0)])
    join_waitlist(delegate=second, session=s[(0, 1)])

    cancel_registration(delegate=leaver)

    assert s[(0, 0)].pk in held(first)
    assert s[(0, 1)].pk in held(second)
    assert s[(0, 2)].pk not in held(second)
    assert [Booking.objects.filter(session=s[(0, w)]).count() for w in range(3)] == [2, 2, 0]
    assert OutgoingEmail.objects.filter(subject__contains="you have a place").count() == 2


def test_promotion_cycle_terminates_and_swaps_both(programme):
    s = programme["sessions"]
    a = booked(programme, *A_SET)
    x = booked(programme, (0, 0), (1, 6), (2, 4), (3, 7))
    b = booked(programme, *B_SET)
    booked(programme, (0, 1), (1, 4), (2, 2), (3, 6))
    join_waitlist(delegate=a, session=s[(0, 1)])
    join_waitlist(delegate=b, session=s[(0, 0)])

    cancel_registration(delegate=x)

    assert s[(0, 1)].pk in held(a)
    assert s[(0, 0)].pk in held(b)
    assert Booking.objects.filter(session=s[(0, 0)]).count() == 1
    assert Booking.objects.filter(session=s[(0, 1)]).count() == 2
    assert WaitlistEntry.objects.count() == 0


def test_promotion_skips_delegate_whose_swap_breaks_the_rules(programme):
    s = programme["sessions"]
    leaver = booked(programme, *A_SET)
    booked(programme, *A_SET)
    blocked = booked(programme, *B_SET)
    join_waitlist(delegate=blocked, session=s[(0, 0)])
    # They then take workshop 1 in round 4, so a seat in round 1's workshop 1 would repeat it.
    book_sessions(delegate=blocked, sessions=[s[k] for k in [(0, 1), (1, 5), (2, 3), (3, 0)]])
    next_in_line = booked(programme, (0, 2), (1, 6), (2, 4), (3, 7))
    join_waitlist(delegate=next_in_line, session=s[(0, 0)])

    cancel_registration(delegate=leaver)

    assert s[(0, 0)].pk in held(next_in_line)
    assert s[(0, 0)].pk not in held(blocked)
    assert list(WaitlistEntry.objects.values_list("delegate_id", flat=True)) == [blocked.pk]


def test_simultaneous_cancellations_serve_the_list_in_order(programme):
    s = programme["sessions"]
    leavers = [booked(programme, *A_SET) for _ in range(2)]
    waiting = [booked(programme, *B_SET), booked(programme, *B_SET)]
    third = booked(programme, (0, 2), (1, 6), (2, 4), (3, 1))
    for delegate in [*waiting, third]:
        join_waitlist(delegate=delegate, session=s[(0, 0)])

    for leaver in leavers:
        cancel_registration(delegate=leaver)

    assert set(Booking.objects.filter(session=s[(0, 0)]).values_list("delegate_id", flat=True)) == {
        w.pk for w in waiting
    }
    assert [e.place for e in waiting_places(delegate=third)] == [1]


def test_change_that_releases_a_seat_serves_its_waiting_list(programme):
    s = programme["sessions"]
    mover = booked(programme, *A_SET)
    booked(programme, *A_SET)
    waiter = booked(programme, *B_SET)
    join_waitlist(delegate=waiter, session=s[(0, 0)])

    book_sessions(delegate=mover, sessions=[s[k] for k in [(0, 3), (1, 4), (2, 2), (3, 6)]])

    assert s[(0, 0)].pk in held(waiter)
    assert Booking.objects.filter(session=s[(0, 0)]).count() == 2


def test_gaining_a_session_drops_its_waiting_list_entry(programme):
    s = programme["sessions"]
    booked(programme, *A_SET)
    booked(programme, *A_SET)
    waiter = booked(programme, *B_SET)
    join_waitlist(delegate=waiter, session=s[(1, 4)])
    book_sessions(delegate=waiter, sessions=[s[k] for k in [(0, 1), (1, 6), (2, 3), (3, 7)]])
    assert WaitlistEntry.objects.filter(delegate=waiter).count() == 1  # still wants round 2's
    cancel_registration(delegate=waiter)
    assert WaitlistEntry.objects.count() == 0


def test_reordered_position_is_served_first(programme):
    s = programme["sessions"]
    leaver = booked(programme, *A_SET)
    booked(programme, *A_SET)
    early = booked(programme, *B_SET)
    late = booked(programme, (0, 2), (1, 6), (2, 4), (3, 7))
    join_waitlist(delegate=early, session=s[(0, 0)])
    entry = join_waitlist(delegate=late, session=s[(0, 0)])
    entry.position = 0
    entry.save()
    assert [e.place for e in waiting_places(delegate=early)] == [2]

    cancel_registration(delegate=leaver)

    assert s[(0, 0)].pk in held(late)
    assert s[(0, 0)].pk not in held(early)


def test_capacity_increase_fills_new_places_from_the_list(programme):
    s = programme["sessions"]
    big_room = RoomFactory(capacity=5)
    session = SessionFactory(
        workshop=programme["workshops"][3],
        time_slot=programme["slots"][1],
        room=big_room,
        capacity=1,
    )
    filler = DelegateFactory(event=programme["event"])
    book_sessions(delegate=filler, sessions=[s[(0, 1)], session, s[(2, 4)], s[(3, 7)]])
    waiters = [booked(programme, *A_SET), booked(programme, *A_SET)]
    for waiter in waiters:
        join_waitlist(delegate=waiter, session=session)

    session.capacity = 3
    session.save()
    promoted = serve_after_capacity_change(session=session, old_capacity=1)

    assert [d.pk for d, _ in promoted] == [w.pk for w in waiters]
    assert Booking.objects.filter(session=session).count() == 3
    assert Booking.objects.filter(session=s[(1, 4)]).count() == 0


def test_release_bookings_promotes_into_the_freed_seat(programme):
    s = programme["sessions"]
    victim = booked(programme, *A_SET)
    booked(programme, *A_SET)
    waiter = booked(programme, *B_SET)
    join_waitlist(delegate=waiter, session=s[(0, 0)])

    release_bookings(
        bookings=list(Booking.objects.filter(delegate=victim, session=s[(0, 0)])),
        actor=AdminUserFactory(),
    )

    assert s[(0, 0)].pk in held(waiter)
    assert s[(0, 0)].pk not in held(victim)


def test_join_waitlist_refuses_session_with_places(programme):
    s = programme["sessions"]
    delegate = booked(programme, *A_SET)
    with pytest.raises(WaitlistError) as caught:
        join_waitlist(delegate=delegate, session=s[(0, 1)])
    assert caught.value.message == "“Workshop 2” has a place free: choose it and book instead."
    assert WaitlistEntry.objects.count() == 0


def test_join_waitlist_refuses_delegate_without_a_seat_in_the_slot(programme):
    s = programme["sessions"]
    booked(programme, *A_SET)
    booked(programme, *A_SET)
    newcomer = DelegateFactory(event=programme["event"])
    with pytest.raises(WaitlistError) as caught:
        join_waitlist(delegate=newcomer, session=s[(0, 0)])
    assert caught.value.message.startswith("Book a full set of workshops first")
    assert WaitlistEntry.objects.count() == 0


def test_join_waitlist_refuses_workshop_held_in_another_slot(programme):
    s = programme["sessions"]
    booked(programme, (0, 1), (1, 4), (2, 2), (3, 6))
    booked(programme, (0, 1), (1, 4), (2, 3), (3, 7))
    delegate = booked(programme, (0, 0), (1, 5), (2, 2), (3, 1))
    with pytest.raises(WaitlistError) as caught:
        join_waitlist(delegate=delegate, session=s[(0, 1)])
    assert "more than once" in caught.value.message
    assert WaitlistEntry.objects.count() == 0


def test_join_waitlist_again_in_same_slot_replaces_the_entry(programme):
    s = programme["sessions"]
    booked(programme, *A_SET)
    booked(programme, *A_SET)
    booked(programme, *B_SET)
    waiter = booked(programme, (0, 2), (1, 6), (2, 4), (3, 7))
    join_waitlist(delegate=waiter, session=s[(0, 0)])
    booked(programme, (0, 1), (1, 7), (2, 5), (3, 0))
    join_waitlist(delegate=waiter, session=s[(0, 1)])
    assert list(WaitlistEntry.objects.values_list("session_id", flat=True)) == [s[(0, 1)].pk]


def test_leave_waitlist_removes_only_that_entry(programme):
    s = programme["sessions"]
    booked(programme, *A_SET)
    booked(programme, *A_SET)
    waiter = booked(programme, *B_SET)
    join_waitlist(delegate=waiter, session=s[(0, 0)])
    assert leave_waitlist(delegate=waiter, session_id=s[(0, 0)].pk) is True
    assert leave_waitlist(delegate=waiter, session_id=s[(0, 0)].pk) is False
    assert WaitlistEntry.objects.count() == 0


def test_organiser_move_frees_a_seat_for_the_waiting_list(programme):
    from tests.factories import AdminUserFactory
    from workshops.services.booking import move_delegate

    s = programme["sessions"]
    moved = booked(programme, *A_SET)
    booked(programme, *A_SET)
    waiter = booked(programme, *B_SET)
    join_waitlist(delegate=waiter, session=s[(0, 0)])

    move_delegate(
        delegate=moved, from_session=s[(0, 0)], to_session=s[(0, 3)], actor=AdminUserFactory()
    )

    assert s[(0, 0)].pk in held(waiter)
    assert s[(0, 3)].pk in held(moved)


def test_promotion_is_recorded_in_the_booking_history(programme):
    from workshops.models import BookingChange

    s = programme["sessions"]
    leaver = booked(programme, *A_SET)
    booked(programme, *A_SET)
    waiter = booked(programme, *B_SET)
    join_waitlist(delegate=waiter, session=s[(0, 0)])

    cancel_registration(delegate=leaver)

    change = BookingChange.objects.get(delegate=waiter, action=BookingChange.Action.MOVED)
    assert (change.session_id, change.from_session_id) == (s[(0, 0)].pk, s[(0, 1)].pk)
    assert change.by == "the waiting list"


def test_join_waitlist_delegate_whose_email_is_unconfirmed_is_refused(programme):
    s = programme["sessions"]
    booked(programme, *A_SET)
    booked(programme, *A_SET)
    waiter = booked(programme, *B_SET)
    # Seats from before addresses were confirmed: the upgrade leaves them, but nothing more.
    Delegate.objects.filter(pk=waiter.pk).update(email_confirmed_at=None)
    with pytest.raises(WaitlistError) as caught:
        join_waitlist(delegate=waiter, session=s[(0, 0)])
    assert caught.value.message.startswith(
        "Confirm your email address before you join a waiting list"
    )
    assert WaitlistEntry.objects.count() == 0


def test_promotion_skips_delegate_whose_email_is_unconfirmed(programme):
    s = programme["sessions"]
    leaver = booked(programme, *A_SET)
    booked(programme, *A_SET)
    unconfirmed = booked(programme, *B_SET)
    confirmed = booked(programme, *B_SET)
    join_waitlist(delegate=unconfirmed, session=s[(0, 0)])
    join_waitlist(delegate=confirmed, session=s[(0, 0)])
    Delegate.objects.filter(pk=unconfirmed.pk).update(email_confirmed_at=None)

    cancel_registration(delegate=leaver)

    assert s[(0, 0)].pk in held(confirmed)
    assert s[(0, 0)].pk not in held(unconfirmed)
    assert list(WaitlistEntry.objects.values_list("delegate_id", flat=True)) == [unconfirmed.pk]
