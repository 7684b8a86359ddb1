import pytest

from tests.factories import DelegateFactory
from workshops.models import Booking
from workshops.services.booking import (
    ChoicesInvalid,
    NotBookable,
    SessionFull,
    book_sessions,
    cancel_registration,
)


def held(delegate):
    return set(Booking.objects.filter(delegate=delegate).values_list("session_id", flat=True))


def test_book_sessions_books_four_seats(programme, four_sessions):
    delegate = DelegateFactory(event=programme["event"])
    book_sessions(delegate=delegate, sessions=four_sessions)
    assert held(delegate) == {s.pk for s in four_sessions}


def test_book_sessions_refuses_when_session_at_capacity(programme, four_sessions):
    for _ in range(2):
        book_sessions(delegate=DelegateFactory(event=programme["event"]), sessions=four_sessions)
    third = DelegateFactory(event=programme["event"])
    with pytest.raises(SessionFull) as caught:
        book_sessions(delegate=third, sessions=four_sessions)
    assert {s.pk for s in caught.value.sessions} == {s.pk for s in four_sessions}
    assert held(third) == set()
    assert Booking.objects.filter(session=four_sessions[0]).count() == 2


def test_book_sessions_change_hitting_full_session_keeps_old_seats(programme, four_sessions):
    s = programme["sessions"]
    delegate = DelegateFactory(event=programme["event"])
    book_sessions(delegate=delegate, sessions=four_sessions)
    # Fill round 1's session of workshop 2 with two other people.
    wanted = [s[(0, 1)], s[(1, 4)], s[(2, 2)], s[(3, 6)]]
    others = [s[(0, 1)], s[(1, 5)], s[(2, 3)], s[(3, 7)]]
    for _ in range(2):
        book_sessions(delegate=DelegateFactory(event=programme["event"]), sessions=others)
    with pytest.raises(SessionFull):
        book_sessions(delegate=delegate, sessions=wanted)
    assert held(delegate) == {x.pk for x in four_sessions}


def test_book_sessions_keeping_a_seat_in_a_full_session_is_allowed(programme, four_sessions):
    s = programme["sessions"]
    delegate = DelegateFactory(event=programme["event"])
    book_sessions(delegate=delegate, sessions=four_sessions)
    book_sessions(delegate=DelegateFactory(event=programme["event"]), sessions=four_sessions)
    # Both round-1 seats are now taken; the delegate swaps only round 4.
    changed = [*four_sessions[:3], s[(3, 7)]]
    book_sessions(delegate=delegate, sessions=changed)
    assert held(delegate) == {x.pk for x in changed}


@pytest.mark.parametrize(
    ("keys", "message"),
    [
        ([(0, 0), (1, 4), (2, 2)], "Choose exactly 4 workshops; you chose 3."),
        ([(0, 0), (0, 1), (2, 2), (3, 6)], "Choose only one session in"),
        ([(0, 0), (1, 4), (2, 2), (3, 0)], "more than once"),
    ],
)
def test_book_sessions_rule_broken_saves_nothing(programme, keys, message):
    delegate = DelegateFactory(event=programme["event"])
    with pytest.raises(ChoicesInvalid) as caught:
        book_sessions(delegate=delegate, sessions=[programme["sessions"][k] for k in keys])
    assert message in caught.value.message
    assert held(delegate) == set()


def test_book_sessions_refuses_day_one_only_delegate(programme, four_sessions):
    delegate = DelegateFactory(event=programme["event"], attends_day_two=False)
    with pytest.raises(NotBookable):
        book_sessions(delegate=delegate, sessions=four_sessions)
    assert held(delegate) == set()


def test_cancel_registration_frees_seats_at_once(programme, four_sessions):
    first = DelegateFactory(event=programme["event"])
    book_sessions(delegate=first, sessions=four_sessions)
    book_sessions(delegate=DelegateFactory(event=programme["event"]), sessions=four_sessions)
    cancel_registration(delegate=first)
    first.refresh_from_db()
    assert first.status == "cancelled"
    assert held(first) == set()
    late = DelegateFactory(event=programme["event"])
    book_sessions(delegate=late, sessions=four_sessions)
    assert held(late) == {s.pk for s in four_sessions}
    with pytest.raises(NotBookable):
        book_sessions(delegate=first, sessions=four_sessions)


def test_book_sessions_refuses_delegate_whose_email_is_unconfirmed(programme, four_sessions):
    delegate = DelegateFactory(
        event=programme["event"], email="nobody-exists@police.uk", unconfirmed=True
    )
    with pytest.raises(NotBookable) as caught:
        book_sessions(delegate=delegate, sessions=four_sessions)
    assert caught.value.message == (
        "Confirm your email address before you choose workshops: type the 6-digit code we "
        "emailed to nobody-exists@police.uk, or open the link in that email."
    )
    assert held(delegate) == set()


def test_book_sessions_by_organiser_for_unconfirmed_delegate_is_refused(programme, four_sessions):
    from tests.factories import AdminUserFactory

    delegate = DelegateFactory(event=programme["event"], unconfirmed=True)
    with pytest.raises(NotBookable) as caught:
        book_sessions(delegate=delegate, sessions=four_sessions, actor=AdminUserFactory())
    assert caught.value.message.startswith(f"{delegate} has not confirmed their email address yet")
    assert held(delegate) == set()
