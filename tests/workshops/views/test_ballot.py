"""The ballot as delegates see it: the ranking page, their booking page, the home page."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from outbox.models import OutgoingEmail
from tests.confirmation import confirm
from tests.factories import (
    AdminUserFactory,
    AgencyFactory,
    DelegateFactory,
    RoomFactory,
    SessionFactory,
    TimeSlotFactory,
    WorkshopFactory,
    rank_workshops,
)
from tests.jobs import run_queued_jobs
from workshops.models import Booking, Preference
from workshops.services.ballot import RankingRefused, rankable_workshops, save_ranking
from workshops.services.booking import book_sessions, release_bookings


def titles(numbers):
    return [f"Workshop {n}" for n in numbers]


def ranking_of(delegate):
    return list(
        Preference.objects.filter(delegate=delegate)
        .order_by("rank")
        .values_list("workshop__title", flat=True)
    )


def post_ranks(event, ranks):
    by_title = {w.title: w for w in rankable_workshops(event=event)}
    data = {f"rank_{w.pk}": "" for w in by_title.values()}
    data.update({f"rank_{by_title[f'Workshop {n}'].pk}": str(r) for n, r in ranks.items()})
    return data


def test_rank_page_shows_a_selector_per_workshop(ballot_event, sign_in):
    client = sign_in(DelegateFactory(event=ballot_event))
    response = client.get("/booking/workshops/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Rank the day-two workshops" in page
    assert page.count("<select") == 8
    assert page.count('<option value="" selected>Not ranked</option>') == 8
    assert page.count('<option value="8">8</option>') == 8
    assert "<fieldset" not in page  # not the live booking form


def test_rank_page_saves_ranking_and_manage_page_shows_it(ballot_event, programme, sign_in):
    delegate = DelegateFactory(event=ballot_event)
    client = sign_in(delegate)
    response = client.post(
        "/booking/workshops/", post_ranks(ballot_event, {5: 1, 2: 2, 7: 3, 1: 4})
    )
    assert response.status_code == 302
    assert response["Location"] == "/booking/"
    assert ranking_of(delegate) == titles([5, 2, 7, 1])
    assert Booking.objects.count() == 0
    page = client.get("/booking/").content.decode()
    assert (
        '<ol class="ballot-ranking"><li>Workshop 5</li><li>Workshop 2</li>'
        "<li>Workshop 7</li><li>Workshop 1</li></ol>"
    ) in page
    assert "Workshops are allocated by ballot after it closes" in page
    assert "Change my ranking" in page
    assert "Change my workshops" not in page


def test_rank_page_change_ranking_shows_saved_one_and_replaces_it(ballot_event, programme, sign_in):
    delegate = DelegateFactory(event=ballot_event)
    rank_workshops(delegate, programme["workshops"][:4])
    client = sign_in(delegate)
    page = client.get("/booking/workshops/").content.decode()
    assert page.count("selected>") == 8  # four ranks and four “Not ranked”
    assert '<option value="1" selected>1</option>' in page
    response = client.post(
        "/booking/workshops/", post_ranks(ballot_event, {8: 1, 7: 2, 6: 3, 5: 4, 4: 5})
    )
    assert response.status_code == 302
    assert ranking_of(delegate) == titles([8, 7, 6, 5, 4])


def test_rank_page_error_shows_message_and_keeps_ranking(ballot_event, programme, sign_in):
    delegate = DelegateFactory(event=ballot_event)
    rank_workshops(delegate, programme["workshops"][:4])
    client = sign_in(delegate)
    response = client.post(
        "/booking/workshops/", post_ranks(ballot_event, {1: 1, 2: 2, 3: 2, 4: 3})
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "You gave rank 2 to two workshops (“Workshop 2” and “Workshop 3”)" in page
    assert page.count('aria-invalid="true"') == 2
    assert ranking_of(delegate) == titles([1, 2, 3, 4])


def test_rank_page_other_events_workshop_id_is_ignored(ballot_event, programme, sign_in):
    delegate = DelegateFactory(event=ballot_event)
    client = sign_in(delegate)
    elsewhere = SessionFactory(workshop=WorkshopFactory(title="Elsewhere")).workshop
    data = {**post_ranks(ballot_event, {1: 2, 2: 3, 3: 4, 4: 5}), f"rank_{elsewhere.pk}": "1"}
    response = client.post("/booking/workshops/", data)
    assert response.status_code == 200
    assert "Ranks must run 1, 2, 3… without gaps: you used 2, 3, 4, 5." in response.content.decode()
    assert ranking_of(delegate) == []


def test_rank_page_non_number_shows_field_error(ballot_event, sign_in):
    delegate = DelegateFactory(event=ballot_event)
    client = sign_in(delegate)
    data = post_ranks(ballot_event, {2: 1, 3: 2, 4: 3, 5: 4})
    first = next(iter(data))
    data[first] = "first"
    response = client.post("/booking/workshops/", data)
    assert response.status_code == 200
    assert "Choose a rank from 1 to 8 for “Workshop 1”, or “Not ranked”." in (
        response.content.decode()
    )
    assert ranking_of(delegate) == []


def test_rank_page_after_ballot_closes_shows_closed_page(
    ballot_event, programme, sign_in, close_ballot
):
    delegate = DelegateFactory(event=ballot_event)
    rank_workshops(delegate, programme["workshops"][:4])
    client = sign_in(delegate)
    close_ballot(ballot_event)
    response = client.get("/booking/workshops/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "The workshop ballot has closed" in page
    assert "<select" not in page
    assert "<li>Workshop 1</li>" in page
    response = client.post(
        "/booking/workshops/", post_ranks(ballot_event, {8: 1, 7: 2, 6: 3, 5: 4})
    )
    assert response.status_code == 200
    assert ranking_of(delegate) == titles([1, 2, 3, 4])
    manage = client.get("/booking/").content.decode()
    assert "The ballot has closed." in manage
    assert "Change my ranking" not in manage


def test_choose_page_in_live_mode_is_the_booking_form(programme, sign_in):
    client = sign_in(DelegateFactory(event=programme["event"]))
    page = client.get("/booking/workshops/").content.decode()
    assert page.count("<fieldset") == 4
    assert "<select" not in page


def add_workshops(event, count):
    """Add `count` workshops, each running once in a new slot of its own."""
    for n in range(count):
        slot = TimeSlotFactory(event=event)
        workshop = WorkshopFactory(event=event, title=f"Extra {n}")
        SessionFactory(workshop=workshop, time_slot=slot, room=RoomFactory())


def rank_page_queries(client):
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/booking/workshops/").status_code == 200
    return len(queries)


def test_rank_page_queries_do_not_grow_with_workshops_or_delegates(
    ballot_event, programme, sign_in
):
    delegate = DelegateFactory(event=ballot_event)
    rank_workshops(delegate, programme["workshops"][:4])
    client = sign_in(delegate)
    small = rank_page_queries(client)
    add_workshops(ballot_event, 12)
    for other in DelegateFactory.create_batch(20, event=ballot_event):
        rank_workshops(other, programme["workshops"])
    large = rank_page_queries(client)
    assert small == large
    assert large <= 9  # one of them: does the delegate hold seats (they would not rank)?


def test_manage_page_queries_in_ballot_mode_do_not_grow_with_ranking(
    ballot_event, programme, sign_in
):
    delegate = DelegateFactory(event=ballot_event)
    rank_workshops(delegate, programme["workshops"][:4])
    client = sign_in(delegate)
    with CaptureQueriesContext(connection) as small:
        client.get("/booking/")
    Preference.objects.filter(delegate=delegate).delete()
    rank_workshops(delegate, programme["workshops"])
    with CaptureQueriesContext(connection) as large:
        page = client.get("/booking/").content.decode()
    assert "<li>Workshop 8</li>" in page
    assert len(small) == len(large)


def test_event_ballot_is_open_until_closing_time(ballot_event):
    closes = ballot_event.ballot_closes_at
    assert ballot_event.ballot_is_open(closes - datetime.timedelta(seconds=1))
    assert not ballot_event.ballot_is_open(closes)
    ballot_event.ballot_closes_at = None
    assert ballot_event.ballot_is_open(timezone.now())


def test_rank_page_after_close_without_a_ranking_says_so(ballot_event, sign_in, close_ballot):
    client = sign_in(DelegateFactory(event=ballot_event))
    close_ballot(ballot_event)
    page = client.get("/booking/workshops/").content.decode()
    assert "You did not rank any workshops before the ballot closed" in page
    assert "email you your timetable" not in page


def test_home_page_and_registration_email_in_ballot_mode_explain_the_ballot(client, ballot_event):
    page = client.get("/").content.decode()
    assert "Places are allocated by ballot, not first come, first served" in page
    assert "Rank the day-two workshops before the ballot closes." in page
    agency = AgencyFactory(name="Warwickshire Police")
    response = client.post(
        "/register/",
        {
            "first_name": "Priya",
            "last_name": "Shah",
            "email": "priya.shah@warwickshire.police.uk",
            "agency": str(agency.pk),
            "job_title": "Detective Sergeant",
            "attends_day_one": "on",
            "attends_day_two": "on",
            "privacy_accepted": "on",
        },
    )
    assert response["Location"] == "/booking/confirm/"
    run_queued_jobs()  # the worker registers and queues the email
    email = OutgoingEmail.objects.get()
    explained = (
        "Once you have confirmed, rank the day-two workshops: places are allocated by ballot"
    )
    assert explained in email.body_text
    assert explained in email.body_html
    assert confirm(client, "priya.shah@warwickshire.police.uk")["Location"] == "/booking/workshops/"
    assert "Rank the day-two workshops" in client.get("/booking/workshops/").content.decode()


def booked_in_live_mode(event, sessions):
    """A delegate who booked `sessions` while the event was live; the event then turns ballot."""
    delegate = DelegateFactory(event=event)
    event.booking_mode = event.BookingMode.LIVE
    event.save(update_fields=["booking_mode"])
    book_sessions(delegate=delegate, sessions=sessions)
    event.booking_mode = event.BookingMode.BALLOT
    event.save(update_fields=["booking_mode"])
    return delegate


def test_manage_page_in_ballot_mode_shows_a_seat_holders_timetable(
    ballot_event, four_sessions, sign_in
):
    delegate = booked_in_live_mode(ballot_event, four_sessions)
    page = sign_in(delegate).get("/booking/").content.decode()
    for session in four_sessions:
        assert f"<td>{session.workshop.title}</td>" in page
    assert "You keep these 4 workshops" in page
    assert "You have not ranked any workshops" not in page
    assert "Rank the workshops" not in page
    assert "we will then email you your timetable" not in page


def test_manage_page_in_ballot_mode_tells_a_part_holder_they_choose_the_rest_later(
    ballot_event, four_sessions, sign_in
):
    delegate = booked_in_live_mode(ballot_event, four_sessions)
    # An organiser released two of their seats.
    release_bookings(
        bookings=list(delegate.bookings.filter(session__in=four_sessions[2:])),
        actor=AdminUserFactory(),
    )
    page = sign_in(delegate).get("/booking/").content.decode()
    assert f"<td>{four_sessions[0].workshop.title}</td>" in page
    assert "You keep these 2 workshops" in page
    assert "choose the other 2" in page
    assert "Rank the workshops" not in page


def test_rank_page_tells_a_seat_holder_they_keep_their_seats_and_saves_nothing(
    ballot_event, programme, four_sessions, sign_in
):
    delegate = booked_in_live_mode(ballot_event, four_sessions)
    client = sign_in(delegate)
    page = client.get("/booking/workshops/").content.decode()
    assert "You already hold 4 workshops" in page
    assert "<select" not in page
    assert f"<td>{four_sessions[0].workshop.title}</td>" in page
    response = client.post(
        "/booking/workshops/", post_ranks(ballot_event, {5: 1, 2: 2, 7: 3, 1: 4})
    )
    assert response.status_code == 200
    assert "You already hold 4 workshops" in response.content.decode()
    assert ranking_of(delegate) == []
    assert Booking.objects.filter(delegate=delegate).count() == 4


def test_save_ranking_refuses_a_delegate_who_holds_seats(ballot_event, programme, four_sessions):
    delegate = booked_in_live_mode(ballot_event, four_sessions)
    with pytest.raises(RankingRefused, match="You already hold 4 workshops"):
        save_ranking(delegate=delegate, ranking=[w.pk for w in programme["workshops"][:4]])
    assert ranking_of(delegate) == []
