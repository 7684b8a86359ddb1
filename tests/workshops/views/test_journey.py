"""The delegate's whole journey through Django's test client, emails included."""

import datetime
import re

import pytest
from django.core import mail

from outbox.models import OutgoingEmail
from registration.models import Agency, Delegate
from tests.confirmation import confirm
from tests.factories import AgencyFactory
from tests.jobs import run_queued_jobs
from workshops.models import Booking

LINK = re.compile(r"http://127\.0\.0\.1:8000(/booking/link/[\w-]+/)")


@pytest.fixture
def agency(db):
    return AgencyFactory(name="Warwickshire Police")


def register(client, the_agency, **changes):
    data = {
        "first_name": "Priya",
        "last_name": "Shah",
        "email": "priya.shah@warwickshire.police.uk",
        "agency": str(the_agency.pk),
        "job_title": "Detective Sergeant",
        "attends_day_one": "on",
        "attends_day_two": "on",
        "dietary_requirements": "Vegetarian",
        "needs_consent": "on",
        "privacy_accepted": "on",
    }
    data.update(changes)
    return client.post("/register/", {k: v for k, v in data.items() if v is not None})


def register_and_confirm(client, the_agency, **changes):
    """Register, then type the emailed code, as a delegate does; return the code's response."""
    response = register(client, the_agency, **changes)
    assert response.status_code == 303
    assert response["Location"] == "/booking/confirm/"
    return confirm(client, changes.get("email", "priya.shah@warwickshire.police.uk"))


def delivered():
    """Run the queued jobs, as the worker beside the site does; return what was sent."""
    run_queued_jobs()
    return mail.outbox


def choices(four_sessions):
    return {f"slot_{s.time_slot_id}": str(s.pk) for s in four_sessions}


def open_link_from(message, client):
    path = LINK.search(message.body).group(1)
    assert client.get(path).status_code == 200  # a GET never spends the link
    return client.post(path)


def test_home_shows_event_and_register_action(client, programme):
    response = client.get("/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Strategic SOCEX 2019" in page
    assert "Chesford Grange" in page
    assert 'href="/register/"' in page


def test_register_then_choose_then_confirmation(client, programme, agency, four_sessions):
    response = register_and_confirm(client, agency)
    assert response.status_code == 302
    assert response["Location"] == "/booking/workshops/"
    delegate = Delegate.objects.get()
    assert (delegate.badge_name, delegate.dietary_requirements) == ("Priya Shah", "Vegetarian")
    assert delegate.email_is_confirmed
    assert [m.subject for m in delivered()] == ["Strategic SOCEX 2019: your confirmation code"]

    page = client.get("/booking/workshops/").content.decode()
    assert page.count("<fieldset") == 4
    assert "2 places left" in page

    response = client.post("/booking/workshops/", choices(four_sessions))
    assert response["Location"] == "/booking/confirmed/"
    assert set(Booking.objects.values_list("session_id", flat=True)) == {
        s.pk for s in four_sessions
    }
    confirmation = delivered()[1]
    assert confirmation.subject == "Strategic SOCEX 2019: your workshops are booked"
    for session in four_sessions:
        assert session.workshop.title in confirmation.body
        assert session.room.name in confirmation.body
    html, mimetype = confirmation.alternatives[0]
    assert mimetype == "text/html"
    assert four_sessions[0].workshop.title in html
    name, ics, ics_type = confirmation.attachments[0]
    assert (name, ics_type) == ("socex-timetable.ics", "text/calendar")
    assert ics.count("BEGIN:VEVENT") == 4
    assert LINK.search(confirmation.body)

    page = client.get("/booking/confirmed/").content.decode()
    assert "You are booked" in page
    assert four_sessions[3].workshop.title in page

    changed = [programme["sessions"][(0, 1)], *four_sessions[1:]]
    response = client.post("/booking/workshops/", choices(changed))
    assert response["Location"] == "/booking/confirmed/?changed=1"
    page = client.get(response["Location"]).content.decode()
    assert "Your workshops have changed" in page
    assert "You are booked" not in page
    assert changed[0].workshop.title in page


def test_register_day_one_only_goes_to_booking_page(client, programme, agency):
    response = register_and_confirm(client, agency, attends_day_two=None)
    assert response["Location"] == "/booking/"
    assert client.get("/booking/workshops/")["Location"] == "/booking/"


def test_register_agency_not_listed_creates_unconfirmed_agency(client, programme, agency):
    register(client, agency, agency="", agency_not_listed="on", other_agency="  Office of  Tests ")
    run_queued_jobs()
    created = Agency.objects.get(name="Office of Tests")
    assert created.is_confirmed is False
    assert Delegate.objects.get().agency == created


def test_register_invalid_changes_nothing_and_summarises_errors(client, programme, agency):
    response = register(client, agency, email="nope", privacy_accepted=None)
    assert response.status_code == 200
    page = response.content.decode()
    assert "There are problems with your answers" in page
    assert 'href="#id_email"' in page
    assert 'href="#id_privacy_accepted"' in page
    assert Delegate.objects.count() == 0
    assert OutgoingEmail.objects.count() == 0


def test_choose_rule_broken_shows_message_and_saves_nothing(client, programme, agency):
    register_and_confirm(client, agency)
    s = programme["sessions"]
    twice = {
        f"slot_{s[(0, 0)].time_slot_id}": str(s[(0, 0)].pk),
        f"slot_{s[(1, 4)].time_slot_id}": str(s[(1, 4)].pk),
        f"slot_{s[(2, 2)].time_slot_id}": str(s[(2, 2)].pk),
        f"slot_{s[(3, 0)].time_slot_id}": str(s[(3, 0)].pk),
    }
    response = client.post("/booking/workshops/", twice)
    assert response.status_code == 200
    assert "You chose “Workshop 1” more than once" in response.content.decode()
    assert Booking.objects.count() == 0


def test_choose_missing_slot_and_foreign_id_each_get_a_message(client, programme, agency):
    register_and_confirm(client, agency)
    s = programme["sessions"]
    data = {
        f"slot_{s[(0, 0)].time_slot_id}": str(s[(1, 4)].pk),  # a session of another slot
        f"slot_{s[(1, 4)].time_slot_id}": "not-a-number",
    }
    response = client.post("/booking/workshops/", data)
    form = response.context["form"]
    first, third = s[(0, 0)].time_slot, s[(2, 2)].time_slot
    assert form.errors[f"slot_{first.pk}"] == [
        f"Choose one of the workshops listed for {first.name} ({first.times})."
    ]
    assert form.errors[f"slot_{third.pk}"] == [
        f"Choose a workshop for {third.name} ({third.times})."
    ]
    # The summary says each once, without the round's name again before it.
    page = response.content.decode()
    assert (
        f'<li><a href="#id_slot_{third.pk}">Choose a workshop for {third.name} '
        f"({third.times}).</a></li>"
    ) in page
    assert page.count(f"{third.name} ({third.times})") == 2  # the summary, the round's card
    assert Booking.objects.count() == 0


def test_manage_link_opens_booking_once(client, programme, agency, four_sessions):
    register_and_confirm(client, agency)
    client.post("/booking/workshops/", choices(four_sessions))
    link_path = LINK.search(delivered()[-1].body).group(1)
    other = client.__class__()
    assert other.get("/booking/")["Location"] == "/booking/link/"
    response = open_link_from(mail.outbox[-1], other)
    assert response["Location"] == "/booking/"
    page = other.get("/booking/").content.decode()
    assert four_sessions[0].workshop.title in page
    third = client.__class__()
    assert "no longer works" in third.post(link_path).content.decode()
    assert third.get("/booking/")["Location"] == "/booking/link/"


def test_request_link_same_answer_for_unknown_email(client, programme, agency):
    register_and_confirm(client, agency)
    delivered().clear()
    known = client.post("/booking/link/", {"email": "PRIYA.SHAH@warwickshire.police.uk"})
    unknown = client.post("/booking/link/", {"email": "stranger@example.org"})
    assert known.status_code == unknown.status_code == 200
    assert "socex/link_sent.html" in [t.name for t in known.templates]
    assert "socex/link_sent.html" in [t.name for t in unknown.templates]
    assert [m.to for m in delivered()] == [["priya.shah@warwickshire.police.uk"]]


def test_change_to_full_session_keeps_old_seats(client, programme, agency, four_sessions):
    from tests.factories import DelegateFactory
    from workshops.services.booking import book_sessions

    register_and_confirm(client, agency)
    client.post("/booking/workshops/", choices(four_sessions))
    s = programme["sessions"]
    wanted = [s[(0, 1)], *four_sessions[1:]]
    # Someone else books in between: the page showed a place, the service finds none.
    page = client.get("/booking/workshops/")
    for _ in range(2):
        book_sessions(
            delegate=DelegateFactory(event=programme["event"]),
            sessions=[s[(0, 1)], s[(1, 5)], s[(2, 3)], s[(3, 7)]],
        )
    assert page.status_code == 200
    response = client.post("/booking/workshops/", choices(wanted))
    assert response.status_code == 200
    assert "is full in" in response.content.decode()
    delegate = Delegate.objects.get(email="priya.shah@warwickshire.police.uk")
    assert set(delegate.bookings.values_list("session_id", flat=True)) == {
        x.pk for x in four_sessions
    }


def test_cancel_frees_seats_and_signs_out(client, programme, agency, four_sessions):
    register_and_confirm(client, agency)
    client.post("/booking/workshops/", choices(four_sessions))
    assert client.get("/booking/cancel/").status_code == 200
    response = client.post("/booking/cancel/")
    assert "Your registration is cancelled" in response.content.decode()
    assert Booking.objects.count() == 0
    assert Delegate.objects.get().status == Delegate.Status.CANCELLED
    assert delivered()[-1].subject == "Strategic SOCEX 2019: registration cancelled"
    assert client.get("/booking/")["Location"] == "/booking/link/"


def test_changes_closed_after_deadline(client, programme, agency, four_sessions):
    from django.utils import timezone

    register_and_confirm(client, agency)
    event = programme["event"]
    event.changes_close_at = timezone.now()
    event.save()
    assert "Changes are closed" in client.get("/booking/").content.decode()
    response = client.post("/booking/workshops/", choices(four_sessions))
    assert "Changes are closed" in response.content.decode()
    assert "Changes are closed" in client.post("/booking/cancel/").content.decode()
    assert Booking.objects.count() == 0
    assert Delegate.objects.get().status == Delegate.Status.REGISTERED


def test_changes_closed_by_default_once_the_event_is_past(client, programme, agency, four_sessions):
    register_and_confirm(client, agency)
    # The event moves to 2019 with no deadlines set: changes closed a day before day two.
    event = programme["event"]
    event.starts_on, event.ends_on = datetime.date(2019, 5, 22), datetime.date(2019, 5, 23)
    event.save()
    assert "Changes are closed" in client.get("/booking/").content.decode()
    response = client.post("/booking/workshops/", choices(four_sessions))
    assert "Changes are closed" in response.content.decode()
    response = client.post(
        "/booking/waiting-list/join/", {"session": four_sessions[0].pk}, follow=True
    )
    assert "Changes are closed." in response.content.decode()
    assert "Changes are closed" in client.post("/booking/cancel/").content.decode()
    assert Booking.objects.count() == 0
    assert Delegate.objects.get().status == Delegate.Status.REGISTERED


def test_registration_closed_page(client, programme, agency):
    from django.utils import timezone

    event = programme["event"]
    event.registration_closes_at = timezone.now()
    event.save()
    response = register(client, agency)
    assert "Registration is closed" in response.content.decode()
    assert Delegate.objects.count() == 0


def test_calendar_download_lists_the_four_sessions(client, programme, agency, four_sessions):
    register_and_confirm(client, agency)
    client.post("/booking/workshops/", choices(four_sessions))
    response = client.get("/booking/calendar.ics")
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    body = response.content.decode()
    assert body.count("BEGIN:VEVENT") == 4
    first_start = four_sessions[0].time_slot.starts_at
    assert f"DTSTART:{first_start:%Y%m%dT%H%M%S}Z" in body


def test_choose_day_two_full_says_so_plainly(client, programme, agency):
    from tests.factories import DelegateFactory
    from workshops.services.booking import book_sessions

    s = programme["sessions"]
    patterns = [
        [s[(0, 0)], s[(1, 4)], s[(2, 2)], s[(3, 6)]],
        [s[(0, 1)], s[(1, 5)], s[(2, 3)], s[(3, 7)]],
        [s[(0, 2)], s[(1, 6)], s[(2, 4)], s[(3, 0)]],
        [s[(0, 3)], s[(1, 7)], s[(2, 5)], s[(3, 1)]],
    ]
    for pattern in patterns:
        for _ in range(2):
            book_sessions(delegate=DelegateFactory(event=programme["event"]), sessions=pattern)
    register(client, agency, attends_day_two="on")
    # Registration itself refuses day two when it is full; this delegate registered
    # for day one, then an organiser added day two.
    assert Delegate.objects.filter(email="priya.shah@warwickshire.police.uk").count() == 0
    register_and_confirm(client, agency, attends_day_two=None)
    Delegate.objects.filter(email="priya.shah@warwickshire.police.uk").update(attends_day_two=True)
    page = client.get("/booking/workshops/").content.decode()
    assert "Day two is full" in page
    assert "<fieldset" not in page


def test_manage_link_expired_refused(client, programme, agency):
    import datetime

    from django.utils import timezone

    from registration.models import ManageLink

    register_and_confirm(client, agency)
    path = LINK.search(delivered()[0].body).group(1)
    ManageLink.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    fresh = client.__class__()
    assert "no longer works" in fresh.post(path).content.decode()
    assert fresh.get("/booking/")["Location"] == "/booking/link/"


def test_choose_full_session_shown_full_and_disabled(client, programme, agency, four_sessions):
    from tests.factories import DelegateFactory
    from workshops.services.booking import book_sessions

    for _ in range(2):
        book_sessions(delegate=DelegateFactory(event=programme["event"]), sessions=four_sessions)
    register_and_confirm(client, agency)
    page = client.get("/booking/workshops/").content.decode()
    full = re.search(rf'<input[^>]*value="{four_sessions[0].pk}"[^>]*>', page).group(0)
    assert "disabled" in full
    assert page.count(">Full</span>") == 4
