"""Day-two places left: one rule, "can another delegate still be given a full, valid set?"."""

from django.urls import reverse

from registration.models import Delegate
from tests.factories import AdminUserFactory, DelegateFactory
from workshops.services.availability import day_two_places_left
from workshops.services.booking import book_sessions, release_bookings
from workshops.services.dashboard import dashboard_figures


def test_day_two_places_left_empty_programme_is_a_full_set_per_seat_in_a_round(programme):
    assert day_two_places_left(event=programme["event"]) == 8


def test_day_two_places_left_none_when_free_seats_make_no_full_set(stranded_programme):
    event = stranded_programme["event"]
    slots = dashboard_figures(event=event)["slots"]
    assert [slot.places_left for slot in slots] == [1, 1, 1, 1]
    assert day_two_places_left(event=event) == 0
    assert dashboard_figures(event=event)["day_two_places_left"] == 0


def test_dashboard_page_shows_no_places_when_no_full_set_is_left(client, stranded_programme):
    client.force_login(AdminUserFactory(is_superuser=True))
    html = client.get(reverse("admin_dashboard")).content.decode()
    assert '<th scope="row">Day-two places left</th><td class="figure">0</td>' in html


def test_day_two_places_left_keeps_a_set_for_each_day_two_delegate_without_one(programme):
    event = programme["event"]
    DelegateFactory(event=event)
    DelegateFactory(event=event, status=Delegate.Status.PENDING)
    # Not counted: no seats are owed to these.
    DelegateFactory(event=event, unconfirmed=True)
    DelegateFactory(event=event, attends_day_two=False)
    DelegateFactory(event=event, status=Delegate.Status.CANCELLED)
    DelegateFactory(status=Delegate.Status.REGISTERED)  # another event
    assert day_two_places_left(event=event) == 8 - 2


def test_day_two_places_left_never_below_zero(programme):
    for _ in range(9):
        DelegateFactory(event=programme["event"])
    assert day_two_places_left(event=programme["event"]) == 0


def test_day_two_places_left_counts_part_holders_seats_as_theirs_to_rebook(
    programme, four_sessions
):
    event, sessions = programme["event"], programme["sessions"]
    partial = DelegateFactory(event=event)
    book_sessions(delegate=partial, sessions=four_sessions)
    release_bookings(bookings=list(partial.bookings.all()[:2]), actor=AdminUserFactory())
    assert partial.bookings.count() == 2
    # Their two seats are free to them again, and they still need a whole set: 8 - 1.
    assert day_two_places_left(event=event) == 7
    # A complete delegate's seats are gone for good.
    book_sessions(
        delegate=DelegateFactory(event=event),
        sessions=[sessions[(0, 1)], sessions[(1, 5)], sessions[(2, 3)], sessions[(3, 7)]],
    )
    assert day_two_places_left(event=event) == 6


def test_day_two_places_left_ballot_keeps_a_set_for_every_registrant(ballot_event, programme):
    for _ in range(3):
        DelegateFactory(event=ballot_event)
    assert day_two_places_left(event=ballot_event) == 5


def test_day_two_places_left_query_count_is_fixed(
    programme, four_sessions, django_assert_num_queries
):
    event, sessions = programme["event"], programme["sessions"]
    # Sessions, then the delegates owed a set; a third query only for part-held sets.
    with django_assert_num_queries(2):
        day_two_places_left(event=event)
    book_sessions(delegate=DelegateFactory(event=event), sessions=four_sessions)
    for _ in range(5):
        DelegateFactory(event=event)
    partial = DelegateFactory(event=event)
    book_sessions(
        delegate=partial,
        sessions=[sessions[(0, 1)], sessions[(1, 5)], sessions[(2, 3)], sessions[(3, 7)]],
    )
    release_bookings(bookings=list(partial.bookings.all()[:1]), actor=AdminUserFactory())
    with django_assert_num_queries(3):
        assert day_two_places_left(event=event) == 8 - 1 - 6
