import re

import pytest
from django.contrib.auth.models import Permission, User
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from registration.models import Delegate
from tests.factories import DelegateFactory, RoomFactory, SessionFactory, WorkshopFactory
from tests.jobs import run_queued_jobs
from tests.seat_tally import tally_errors
from tests.workshops.admin.workshop_page import workshop_page_data
from worker.heartbeat import beat
from workshops.models import Booking, Session
from workshops.services.booking import book_sessions


@pytest.fixture
def organiser(db):
    return User.objects.create_superuser("organiser", "", "a-long-test-password")


@pytest.fixture
def admin_client(client, organiser):
    client.force_login(organiser)
    return client


def choice_data(sessions):
    return {f"slot_{s.time_slot_id}": str(s.pk) for s in sessions}


def assert_seat_counts_true():
    for session in Session.objects.with_seats():
        assert session.seats_taken == Booking.objects.filter(session=session).count()
        assert session.seats_taken <= session.capacity


def test_admin_session_list_shows_capacity_taken_and_left(admin_client, programme, four_sessions):
    book_sessions(delegate=DelegateFactory(event=programme["event"]), sessions=four_sessions)
    response = admin_client.get("/admin/workshops/session/")
    assert response.status_code == 200
    rows = {s.pk: s for s in response.context["cl"].result_list}
    booked = rows[four_sessions[0].pk]
    assert (booked.capacity, booked.seats_taken, booked.places_left) == (2, 1, 1)


def test_admin_session_page_shows_roster(admin_client, programme, four_sessions):
    delegate = DelegateFactory(event=programme["event"], first_name="Rosa", last_name="Lind")
    book_sessions(delegate=delegate, sessions=four_sessions)
    page = admin_client.get(f"/admin/workshops/session/{four_sessions[0].pk}/change/")
    assert "Rosa Lind" in page.content.decode()


def test_admin_roster_has_no_caption_line_above_each_row(admin_client, programme, four_sessions):
    delegate = DelegateFactory(event=programme["event"], first_name="Rosa", last_name="Lind")
    book_sessions(delegate=delegate, sessions=four_sessions)
    page = admin_client.get(f"/admin/workshops/session/{four_sessions[0].pk}/change/")
    html = page.content.decode()
    # Django's tabular inline repeats each row's name (here "Rosa Lind → session") above it.
    assert f"Rosa Lind → {four_sessions[0]}" not in html
    assert html.count("Rosa Lind") == 1


def test_admin_change_workshops_books_through_service(admin_client, programme, four_sessions):
    delegate = DelegateFactory(event=programme["event"])
    url = f"/admin/registration/delegate/{delegate.pk}/workshops/"
    assert admin_client.get(url).status_code == 200
    response = admin_client.post(url, choice_data(four_sessions))
    assert response.status_code == 302
    assert set(delegate.bookings.values_list("session_id", flat=True)) == {
        s.pk for s in four_sessions
    }
    page = admin_client.get(f"/admin/registration/delegate/{delegate.pk}/change/").content
    assert four_sessions[0].workshop.title in page.decode()


def test_admin_change_workshops_labels_every_option(admin_client, programme, four_sessions):
    """Each radio button names its workshop, room and places, as on the delegate's chooser."""
    book_sessions(delegate=DelegateFactory(event=programme["event"]), sessions=four_sessions)
    delegate = DelegateFactory(event=programme["event"])
    page = admin_client.get(f"/admin/registration/delegate/{delegate.pk}/workshops/")
    html = page.content.decode()
    for session in programme["sessions"].values():
        radio = f'value="{session.pk}"'
        assert html.count(radio) == 1
        after = html[html.index(radio) :]
        label = after[after.index("<label") : after.index("</label>")]
        assert session.workshop.title in label
        assert session.room.name in label
        places = "1 place left" if session in four_sessions else "2 places left"
        assert places in label


def test_admin_change_workshops_cannot_overbook(admin_client, programme, four_sessions):
    for _ in range(2):
        book_sessions(delegate=DelegateFactory(event=programme["event"]), sessions=four_sessions)
    delegate = DelegateFactory(event=programme["event"])
    response = admin_client.post(
        f"/admin/registration/delegate/{delegate.pk}/workshops/", choice_data(four_sessions)
    )
    assert response.status_code == 200
    assert "is full in" in response.content.decode()
    assert delegate.bookings.count() == 0
    assert_seat_counts_true()


def test_admin_bulk_delete_bookings_keeps_counts_true(admin_client, programme, four_sessions):
    delegates = [DelegateFactory(event=programme["event"]) for _ in range(2)]
    for delegate in delegates:
        book_sessions(delegate=delegate, sessions=four_sessions)
    ids = list(Booking.objects.filter(delegate=delegates[0]).values_list("pk", flat=True))
    response = admin_client.post(
        "/admin/workshops/booking/",
        {"action": "delete_selected", "_selected_action": ids, "post": "yes"},
    )
    assert response.status_code == 302
    assert Booking.objects.count() == 4
    assert_seat_counts_true()
    assert Session.objects.with_seats().get(pk=four_sessions[0].pk).places_left == 1


def test_admin_delete_delegate_cascades_and_frees_seat(admin_client, programme, four_sessions):
    delegate = DelegateFactory(event=programme["event"])
    book_sessions(delegate=delegate, sessions=four_sessions)
    response = admin_client.post(
        f"/admin/registration/delegate/{delegate.pk}/delete/", {"post": "yes"}
    )
    assert response.status_code == 302
    assert Booking.objects.count() == 0
    assert_seat_counts_true()
    assert Session.objects.with_seats().get(pk=four_sessions[0].pk).places_left == 2


def test_admin_cancel_action_frees_seats(admin_client, programme, four_sessions):
    delegate = DelegateFactory(event=programme["event"])
    book_sessions(delegate=delegate, sessions=four_sessions)
    admin_client.post(
        "/admin/registration/delegate/",
        {
            "action": "cancel_registrations",
            "_selected_action": [delegate.pk],
            "confirm_cancel": "yes",
        },
    )
    delegate.refresh_from_db()
    assert delegate.status == Delegate.Status.CANCELLED
    assert Booking.objects.count() == 0


def test_admin_cancel_action_asks_first_and_changes_nothing_until_confirmed(
    admin_client, programme, four_sessions
):
    delegate = DelegateFactory(event=programme["event"], first_name="Rosa", last_name="Lind")
    book_sessions(delegate=delegate, sessions=four_sessions)
    run_queued_jobs()
    mail.outbox.clear()

    page = admin_client.post(
        "/admin/registration/delegate/",
        {"action": "cancel_registrations", "_selected_action": [delegate.pk]},
    )

    text = page.content.decode()
    assert page.status_code == 200
    assert "Rosa Lind" in text and "4 seats to release" in text
    assert "Yes, cancel 1 registration" in text
    delegate.refresh_from_db()
    assert delegate.status != Delegate.Status.CANCELLED
    assert Booking.objects.count() == 4
    run_queued_jobs()
    assert mail.outbox == []


def test_cancelling_all_of_a_long_filtered_list_confirms_without_a_field_per_delegate(
    admin_client, programme, settings
):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10  # Django's is 1,000; an event may be 10,000
    kent = [DelegateFactory(event=programme["event"], last_name="Kent") for _ in range(12)]
    other = DelegateFactory(event=programme["event"], last_name="Other")
    url = "/admin/registration/delegate/?q=Kent"
    picked = {"action": "cancel_registrations", "select_across": "1", "index": "0"}

    page = admin_client.post(url, {**picked, "_selected_action": [kent[0].pk]})
    confirmed = admin_client.post(url, {**page_fields(page), "confirm_cancel": "yes"})

    assert page.status_code == 200 and "Yes, cancel 12 registrations" in page.content.decode()
    assert confirmed.status_code == 302
    statuses = set(Delegate.objects.filter(last_name="Kent").values_list("status", flat=True))
    assert statuses == {Delegate.Status.CANCELLED}
    other.refresh_from_db()
    assert other.status != Delegate.Status.CANCELLED


def test_erasing_all_of_a_long_filtered_list_confirms_without_a_field_per_delegate(
    admin_client, programme, settings
):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    for _ in range(12):
        DelegateFactory(event=programme["event"], last_name="Kent")
    other = DelegateFactory(event=programme["event"], last_name="Other")
    url = "/admin/registration/delegate/?q=Kent"
    page = admin_client.post(
        url,
        {
            "action": "erase_delegates",
            "select_across": "1",
            "index": "0",
            "_selected_action": [Delegate.objects.filter(last_name="Kent").first().pk],
        },
    )

    erased = admin_client.post(url, page_fields(page, marker="confirm_erase"))

    assert erased.status_code == 302
    assert not Delegate.objects.filter(last_name="Kent").exists()
    other.refresh_from_db()
    assert other.last_name == "Other"


def page_fields(response, marker="confirm_cancel"):
    """The hidden fields of the confirm page's form, as the browser would send them back."""
    html = response.content.decode()
    end = html.index("</form>", html.index(f'name="{marker}"'))
    form = html[html.rindex("<form", 0, end) : end]
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form))


def test_a_registration_the_organisers_cancel_is_told_so(admin_client, programme, four_sessions):
    delegate = DelegateFactory(event=programme["event"])
    book_sessions(delegate=delegate, sessions=four_sessions)
    run_queued_jobs()
    mail.outbox.clear()

    admin_client.post(
        "/admin/registration/delegate/",
        {
            "action": "cancel_registrations",
            "_selected_action": [delegate.pk],
            "confirm_cancel": "yes",
        },
    )
    run_queued_jobs()

    (email,) = mail.outbox
    assert "The organisers have cancelled your registration" in email.body
    assert "we will tell you why" in email.body


def test_admin_session_capacity_above_room_refused(admin_client, programme):
    session = programme["sessions"][(0, 0)]
    response = admin_client.post(
        f"/admin/workshops/session/{session.pk}/change/",
        {
            "workshop": session.workshop_id,
            "time_slot": session.time_slot_id,
            "room": session.room_id,
            "capacity": 99,
            "bookings-TOTAL_FORMS": 0,
            "bookings-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 200
    assert "holds 2; set at most that." in response.content.decode()
    session.refresh_from_db()
    assert session.capacity == 2


def test_admin_capacity_below_one_is_refused_in_words(admin_client, programme):
    session = programme["sessions"][(0, 0)]
    for capacity in (0, -3):
        response = admin_client.post(
            f"/admin/workshops/session/{session.pk}/change/",
            {
                "workshop": session.workshop_id,
                "time_slot": session.time_slot_id,
                "room": session.room_id,
                "capacity": capacity,
                "bookings-TOTAL_FORMS": 0,
                "bookings-INITIAL_FORMS": 0,
            },
        )
        assert response.status_code == 200
        html = response.content.decode()
        assert "A capacity must be at least 1 seat." in html
        assert "is violated" not in html
    session.refresh_from_db()
    assert session.capacity == 2
    room = session.room
    response = admin_client.post(
        f"/admin/workshops/room/{room.pk}/change/",
        {"name": room.name, "capacity": 0, "location": room.location},
    )
    assert "A capacity must be at least 1 seat." in response.content.decode()
    room.refresh_from_db()
    assert room.capacity == 2


def test_admin_needs_hidden_without_permission(client, programme):
    user = User.objects.create_user("staff", password="a-long-test-password", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_delegate"))
    client.force_login(user)
    delegate = DelegateFactory(event=programme["event"], dietary_requirements="Coeliac")
    page = client.get(f"/admin/registration/delegate/{delegate.pk}/change/").content.decode()
    assert "Coeliac" not in page
    assert "Dietary requirements" not in page
    user.user_permissions.add(Permission.objects.get(codename="view_needs"))
    client.force_login(User.objects.get(pk=user.pk))
    page = client.get(f"/admin/registration/delegate/{delegate.pk}/change/").content.decode()
    assert "Coeliac" in page


def test_admin_event_settings_editable(admin_client, programme):
    event = programme["event"]
    page = admin_client.get(f"/admin/registration/event/{event.pk}/change/").content.decode()
    for field in ["choices_required", "registration_closes_at_0", "changes_close_at_0"]:
        assert f'name="{field}"' in page


def test_admin_workshop_page_edits_its_sessions_locking_them_in_id_order(admin_client, programme):
    # Created last slot first, so form order (by time slot) is the reverse of id order.
    workshop = WorkshopFactory(event=programme["event"], title="Drones after Gatwick")
    for slot in reversed(programme["slots"][:2]):
        SessionFactory(workshop=workshop, time_slot=slot, room=RoomFactory(capacity=3))
    sessions = list(Session.objects.filter(workshop=workshop))  # form order
    assert [s.pk for s in sessions] == sorted((s.pk for s in sessions), reverse=True)
    data = workshop_page_data(workshop, sessions, lambda s: {"capacity": "2"})

    with CaptureQueriesContext(connection) as queries:
        response = admin_client.post(f"/admin/workshops/workshop/{workshop.pk}/change/", data)

    assert response.status_code == 302
    assert list(Session.objects.filter(workshop=workshop).values_list("capacity", flat=True)) == [
        2,
        2,
    ]
    statements = [q["sql"] for q in queries.captured_queries]
    updates = [
        i for i, sql in enumerate(statements) if sql.startswith('UPDATE "workshops_session"')
    ]
    assert len(updates) == 2
    if connection.vendor == "postgresql":  # SQLite has no row locks: its writers queue instead
        lock = next(
            i
            for i, sql in enumerate(statements)
            if "FOR NO KEY UPDATE" in sql and "ORDER BY" in sql
        )
        assert lock < min(updates)
        assert 'ORDER BY "workshops_session"."id" ASC' in statements[lock]
        assert all(str(s.pk) in statements[lock] for s in sessions)


@pytest.mark.django_db(transaction=True)
def test_admin_bulk_cancel_tells_everyone_through_one_mail_connection(
    client, programme, four_sessions, counting_backend
):
    # Real commits: each cancellation is its own transaction, the emails go together after.
    beat(worker_id="a-live-worker")
    client.force_login(User.objects.create_superuser("chief", "", "a-long-test-password"))
    s = programme["sessions"]
    people = [DelegateFactory(event=programme["event"]) for _ in range(3)]
    for person, sessions in zip(
        people,
        [four_sessions, four_sessions, [s[(0, 1)], s[(1, 5)], s[(2, 3)], s[(3, 7)]]],
        strict=True,
    ):
        book_sessions(delegate=person, sessions=sessions)
    run_queued_jobs()  # their booking confirmations
    mail.outbox.clear()
    counting_backend.made = 0

    response = client.post(
        "/admin/registration/delegate/",
        {
            "action": "cancel_registrations",
            "_selected_action": [p.pk for p in people],
            "confirm_cancel": "yes",
        },
        follow=True,
    )

    assert "3 registrations were cancelled." in response.content.decode()
    assert "wait in the outbox" not in response.content.decode()  # a worker is alive
    assert counting_backend.made == 0  # the request opened no mail connection
    run_queued_jobs()
    assert sorted(m.to[0] for m in mail.outbox) == sorted(p.email for p in people)
    assert counting_backend.made == 1
    assert Booking.objects.count() == 0


def lock_then_cascade(statements):
    """Where the delegates are locked and where the seats are deleted, in `statements`."""
    lock = next(
        i
        for i, sql in enumerate(statements)
        if "FOR NO KEY UPDATE" in sql and 'FROM "registration_delegate"' in sql
    )
    cascade = next(
        i for i, sql in enumerate(statements) if sql.startswith('DELETE FROM "workshops_booking"')
    )
    return lock, cascade


def test_admin_deleting_a_session_from_its_workshop_locks_the_delegates_seated_first(
    admin_client, programme, four_sessions
):
    event = programme["event"]
    seated = [DelegateFactory(event=event) for _ in range(2)]
    for delegate in seated:
        book_sessions(delegate=delegate, sessions=four_sessions)
    workshop = four_sessions[0].workshop
    sessions = list(Session.objects.filter(workshop=workshop))  # form order
    data = workshop_page_data(
        workshop, sessions, lambda s: {"DELETE": "on"} if s == four_sessions[0] else {}
    )

    with CaptureQueriesContext(connection) as queries:
        response = admin_client.post(f"/admin/workshops/workshop/{workshop.pk}/change/", data)

    assert response.status_code == 302
    assert not Session.objects.filter(pk=four_sessions[0].pk).exists()
    assert [d.bookings.count() for d in seated] == [3, 3]
    assert tally_errors() == []
    if connection.vendor == "postgresql":  # SQLite has no row locks: its writers queue instead
        lock, cascade = lock_then_cascade([q["sql"] for q in queries.captured_queries])
        assert lock < cascade


def test_admin_deleting_a_session_locks_the_delegates_seated_first(
    admin_client, programme, four_sessions
):
    delegate = DelegateFactory(event=programme["event"])
    book_sessions(delegate=delegate, sessions=four_sessions)

    with CaptureQueriesContext(connection) as queries:
        response = admin_client.post(
            f"/admin/workshops/session/{four_sessions[1].pk}/delete/", {"post": "yes"}
        )

    assert response.status_code == 302
    assert delegate.bookings.count() == 3
    assert tally_errors() == []
    if connection.vendor == "postgresql":
        lock, cascade = lock_then_cascade([q["sql"] for q in queries.captured_queries])
        assert lock < cascade
