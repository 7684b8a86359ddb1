"""Every page a delegate uses makes the same number of queries however big the event."""

import pytest

from registration.models import Delegate
from tests.factories import DelegateFactory, grow_event
from tests.page_queries import count_queries, sign_in
from workshops.models import Session, WaitlistEntry
from workshops.services.booking import book_sessions


def _booked_delegate(programme, sessions):
    delegate = DelegateFactory(event=programme["event"])
    book_sessions(delegate=delegate, sessions=sessions)
    return delegate


def _choose_post_data(sessions):
    return {f"slot_{s.time_slot_id}": str(s.pk) for s in sessions}


def choose_get(client, programme, four):
    sign_in(client, _booked_delegate(programme, four))
    return count_queries(lambda: client.get("/booking/workshops/"))


def choose_post(client, programme, four):
    sign_in(client, DelegateFactory(event=programme["event"]))
    return count_queries(lambda: client.post("/booking/workshops/", _choose_post_data(four)))


def confirmed(client, programme, four):
    sign_in(client, _booked_delegate(programme, four))
    return count_queries(lambda: client.get("/booking/confirmed/"))


def manage(client, programme, four):
    delegate = _booked_delegate(programme, four)
    other = programme["sessions"][(0, 1)]
    WaitlistEntry.objects.create(
        delegate=delegate, session=other, time_slot_id=other.time_slot_id, position=1
    )
    sign_in(client, delegate)
    return count_queries(lambda: client.get("/booking/"))


def cancel_get(client, programme, four):
    sign_in(client, _booked_delegate(programme, four))
    return count_queries(lambda: client.get("/booking/cancel/"))


def cancel_post(client, programme, four):
    sign_in(client, _booked_delegate(programme, four))
    return count_queries(lambda: client.post("/booking/cancel/"))


def request_link_get(client, programme, four):
    return count_queries(lambda: client.get("/booking/link/"))


def request_link_post(client, programme, four):
    delegate = DelegateFactory(event=programme["event"])
    return count_queries(lambda: client.post("/booking/link/", {"email": delegate.email}))


def join_waitlist_post(client, programme, four):
    s = programme["sessions"]
    full = s[(0, 1)]
    while full.bookings.count() < full.capacity:
        _booked_delegate(programme, [full, s[(1, 5)], s[(2, 3)], s[(3, 7)]])
    sign_in(client, _booked_delegate(programme, four))
    return count_queries(lambda: client.post("/booking/waiting-list/join/", {"session": full.pk}))


PAGES = [
    choose_get,
    choose_post,
    confirmed,
    manage,
    cancel_get,
    cancel_post,
    request_link_get,
    request_link_post,
    join_waitlist_post,
]


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.__name__)
def test_booking_page_queries_do_not_grow_with_delegates_or_sessions(
    client, programme, four_sessions, page
):
    Session.objects.filter(pk__in=[s.pk for s in four_sessions]).update(capacity=50)
    # Warm per-process caches (content types, the session engine) so both runs start equal.
    page(client, programme, four_sessions)
    small = page(client, programme, four_sessions)
    Delegate.objects.filter(bookings__isnull=True).delete()
    grow_event(event=programme["event"], slots=programme["slots"], delegates=25)

    large = page(client, programme, four_sessions)

    assert large == small


def test_manage_page_is_three_queries_and_one_more_on_a_waiting_list(
    client, programme, four_sessions
):
    delegate = _booked_delegate(programme, four_sessions)
    sign_in(client, delegate)
    # the session, the signed-in delegate, then the seats with whether they wait for any,
    # their calendar link and whether their certificate is ready (workshops.services.my_booking)
    client.get("/booking/")  # warm per-process caches (content types, the session engine)
    holding = count_queries(lambda: client.get("/booking/"), expect=(200,))
    other = programme["sessions"][(0, 1)]
    WaitlistEntry.objects.create(
        delegate=delegate, session=other, time_slot_id=other.time_slot_id, position=1
    )
    waiting = count_queries(lambda: client.get("/booking/"), expect=(200,))
    assert (holding, waiting) == (3, 4)
