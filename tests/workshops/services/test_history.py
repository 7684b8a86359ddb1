import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from outbox.models import OutgoingEmail
from registration.models import Delegate
from tests.factories import AdminUserFactory, DelegateFactory
from workshops.models import BookingChange
from workshops.services.booking import (
    SessionFull,
    book_sessions,
    cancel_registration,
    session_label,
)

BOOKED, RELEASED = BookingChange.Action.BOOKED, BookingChange.Action.RELEASED


def history(delegate):
    return sorted(
        (c.action, c.session_label, c.actor_name)
        for c in BookingChange.objects.filter(delegate=delegate)
    )


def test_book_sessions_by_delegate_records_each_seat(programme, four_sessions):
    delegate = DelegateFactory(event=programme["event"])
    book_sessions(delegate=delegate, sessions=four_sessions)
    assert history(delegate) == sorted((BOOKED, session_label(s), "") for s in four_sessions)
    assert {c.by for c in BookingChange.objects.filter(delegate=delegate)} == {"the delegate"}


def test_book_sessions_change_records_released_and_booked(programme, four_sessions):
    s = programme["sessions"]
    delegate = DelegateFactory(event=programme["event"])
    book_sessions(delegate=delegate, sessions=four_sessions)
    BookingChange.objects.all().delete()
    book_sessions(delegate=delegate, sessions=[*four_sessions[:3], s[(3, 7)]])
    assert history(delegate) == sorted(
        [(RELEASED, session_label(s[(3, 6)]), ""), (BOOKED, session_label(s[(3, 7)]), "")]
    )


def test_book_sessions_records_history_with_one_insert(programme, four_sessions):
    delegate = DelegateFactory(event=programme["event"])
    with CaptureQueriesContext(connection) as queries:
        book_sessions(delegate=delegate, sessions=four_sessions)
    inserts = [q for q in queries if q["sql"].startswith('INSERT INTO "workshops_bookingchange"')]
    assert len(inserts) == 1
    assert BookingChange.objects.filter(delegate=delegate).count() == 4


def test_book_sessions_refused_records_nothing(programme, four_sessions):
    for _ in range(2):
        book_sessions(delegate=DelegateFactory(event=programme["event"]), sessions=four_sessions)
    third = DelegateFactory(event=programme["event"])
    with pytest.raises(SessionFull):
        book_sessions(delegate=third, sessions=four_sessions)
    assert history(third) == []


def test_cancel_registration_by_organiser_records_released_seats(programme, four_sessions):
    delegate = DelegateFactory(event=programme["event"])
    book_sessions(delegate=delegate, sessions=four_sessions)
    organiser = AdminUserFactory(username="pat")
    cancel_registration(delegate=delegate, actor=organiser)
    released = BookingChange.objects.filter(delegate=delegate, action=RELEASED)
    assert sorted(c.session_label for c in released) == sorted(
        session_label(s) for s in four_sessions
    )
    assert {(c.actor_id, c.actor_name) for c in released} == {(organiser.pk, "pat")}


def test_admin_change_workshops_records_organiser(client, programme, four_sessions):
    delegate = DelegateFactory(event=programme["event"])
    organiser = AdminUserFactory(username="lee", is_superuser=True)
    client.force_login(organiser)
    data = {f"slot_{s.time_slot_id}": s.pk for s in four_sessions}
    response = client.post(
        reverse("admin:registration_delegate_workshops", args=[delegate.pk]), data
    )
    assert response.status_code == 302
    assert history(delegate) == sorted((BOOKED, session_label(s), "lee") for s in four_sessions)


def test_admin_cancel_action_records_organiser_and_emails(client, programme, four_sessions):
    delegate = DelegateFactory(event=programme["event"])
    book_sessions(delegate=delegate, sessions=four_sessions)
    OutgoingEmail.objects.all().delete()  # their booking confirmation
    client.force_login(AdminUserFactory(username="kim", is_superuser=True))
    client.post(
        reverse("admin:registration_delegate_changelist"),
        {
            "action": "cancel_registrations",
            "_selected_action": [delegate.pk],
            "confirm_cancel": "yes",
        },
    )
    delegate.refresh_from_db()
    assert delegate.status == Delegate.Status.CANCELLED
    assert [e.subject for e in OutgoingEmail.objects.filter(to=delegate.email)] == [
        "Strategic SOCEX 2019: registration cancelled"
    ]
    assert {c.actor_name for c in BookingChange.objects.filter(action=RELEASED)} == {"kim"}


def test_delegate_admin_page_shows_booking_history(client, programme, four_sessions):
    delegate = DelegateFactory(event=programme["event"])
    book_sessions(delegate=delegate, sessions=four_sessions)
    client.force_login(AdminUserFactory(is_superuser=True))
    page = client.get(reverse("admin:registration_delegate_change", args=[delegate.pk]))
    html = page.content.decode()
    assert "Booking history" in html
    for session in four_sessions:
        assert session_label(session) in html
    assert html.count("the delegate") == 4


def test_booking_history_cannot_be_bulk_deleted(client, programme, four_sessions):
    book_sessions(delegate=DelegateFactory(event=programme["event"]), sessions=four_sessions)
    client.force_login(AdminUserFactory(is_superuser=True))
    page = client.get(reverse("admin:workshops_bookingchange_changelist")).content.decode()
    assert "delete_selected" not in page
    assert BookingChange.objects.count() == 4


def test_deleting_a_delegate_removes_their_history(client, programme, four_sessions):
    delegate = DelegateFactory(event=programme["event"])
    book_sessions(delegate=delegate, sessions=four_sessions)
    client.force_login(AdminUserFactory(is_superuser=True))
    response = client.post(
        reverse("admin:registration_delegate_delete", args=[delegate.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert BookingChange.objects.count() == 0
