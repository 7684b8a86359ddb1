"""A delegate changes their own details from their booking page."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from outbox.models import OutgoingEmail
from registration.models import Delegate, DetailChange
from registration.views.access import SESSION_KEY
from tests.factories import DelegateFactory, PreferenceFactory
from workshops.models import Booking, BookingChange, WaitlistEntry
from workshops.services.booking import book_sessions
from workshops.services.waitlist import join_waitlist

pytestmark = pytest.mark.django_db

URL = reverse("registration:edit_details")


def form_data(delegate, **changes):
    data = {
        "badge_name": delegate.badge_name,
        "job_title": delegate.job_title,
        "phone": delegate.phone,
        "dietary_requirements": delegate.dietary_requirements,
        "accessibility_needs": delegate.accessibility_needs,
    }
    if delegate.attends_day_one:
        data["attends_day_one"] = "on"
    if delegate.attends_day_two:
        data["attends_day_two"] = "on"
    if delegate.needs_consent_at:
        data["needs_consent"] = "on"
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def emails_to(delegate):
    return list(OutgoingEmail.objects.filter(to=delegate.email, subject__contains="details"))


def test_a_delegate_changes_their_badge_and_job_title_and_is_emailed(client, sign_in, event):
    delegate = DelegateFactory(event=event, badge_name="Sam", job_title="DS")
    sign_in(delegate)

    response = client.post(URL, form_data(delegate, badge_name="Sam T", job_title="DI"))

    assert response.status_code == 302
    assert response.url == reverse("workshops:manage")
    delegate.refresh_from_db()
    assert (delegate.badge_name, delegate.job_title) == ("Sam T", "DI")
    change = DetailChange.objects.get(delegate=delegate)
    assert change.changed == "badge name, job title"
    assert change.actor is None
    [email] = emails_to(delegate)
    assert "You have changed these details" in email.body_text
    assert "badge name, job title" in email.body_text


def test_saving_without_a_change_records_and_sends_nothing(client, sign_in, event):
    delegate = DelegateFactory(event=event)
    sign_in(delegate)

    response = client.post(URL, form_data(delegate), follow=True)

    assert "Nothing changed" in response.content.decode()
    assert not DetailChange.objects.exists()
    assert not emails_to(delegate)


def test_history_keeps_which_details_changed_never_their_values(client, sign_in, event):
    delegate = DelegateFactory(event=event)
    sign_in(delegate)

    client.post(
        URL,
        form_data(delegate, accessibility_needs="Wheelchair user", needs_consent="on"),
    )

    delegate.refresh_from_db()
    assert delegate.accessibility_needs == "Wheelchair user"
    assert delegate.needs_consent_at is not None
    [change] = DetailChange.objects.filter(delegate=delegate)
    assert "accessibility needs" in change.changed
    assert "Wheelchair" not in change.changed
    assert "Wheelchair" not in emails_to(delegate)[0].body_text
    assert "accessibility needs" in client.get(URL).content.decode()


def test_needs_without_consent_are_refused_and_nothing_changes(client, sign_in, event):
    delegate = DelegateFactory(event=event)
    sign_in(delegate)

    response = client.post(URL, form_data(delegate, dietary_requirements="Halal"))

    assert response.status_code == 200
    assert "Tick the box to let us use your dietary" in response.content.decode()
    delegate.refresh_from_db()
    assert delegate.dietary_requirements == ""
    assert not DetailChange.objects.exists()


def test_emptying_the_needs_withdraws_the_consent(client, sign_in, event):
    delegate = DelegateFactory(event=event, dietary_requirements="Vegan")
    sign_in(delegate)

    client.post(URL, form_data(delegate, dietary_requirements="", needs_consent=None))

    delegate.refresh_from_db()
    assert delegate.dietary_requirements == ""
    assert delegate.needs_consent_at is None


def test_a_too_long_answer_is_refused_with_a_message(client, sign_in, event):
    delegate = DelegateFactory(event=event)
    sign_in(delegate)

    response = client.post(URL, form_data(delegate, job_title="x" * 151))

    assert response.status_code == 200
    assert "at most 150 characters" in response.content.decode()
    delegate.refresh_from_db()
    assert delegate.job_title == "Detective Inspector"


def test_leaving_day_two_gives_up_seats_waiting_lists_and_rankings(
    client, sign_in, programme, four_sessions
):
    event, sessions = programme["event"], programme["sessions"]
    delegate = DelegateFactory(event=event)
    book_sessions(delegate=delegate, sessions=four_sessions)
    set_a = [sessions[key] for key in ((0, 1), (1, 5), (2, 3), (3, 7))]
    set_b = [sessions[key] for key in ((0, 0), (1, 7), (2, 4), (3, 1))]
    for _ in range(2):  # rooms of 2: set A full
        book_sessions(delegate=DelegateFactory(event=event), sessions=set_a)
    book_sessions(delegate=DelegateFactory(event=event), sessions=set_b)  # (0, 0) full now
    join_waitlist(delegate=delegate, session=set_a[0])
    PreferenceFactory(delegate=delegate, workshop=programme["workshops"][7], rank=1)
    waiting = DelegateFactory(event=event)
    book_sessions(
        delegate=waiting, sessions=[sessions[key] for key in ((0, 2), (1, 6), (2, 5), (3, 1))]
    )
    join_waitlist(delegate=waiting, session=four_sessions[0])  # next for the seat freed
    sign_in(delegate)

    client.post(URL, form_data(delegate, attends_day_two=None))

    delegate.refresh_from_db()
    assert not delegate.attends_day_two
    assert not Booking.objects.filter(delegate=delegate).exists()
    assert not WaitlistEntry.objects.filter(delegate=delegate).exists()
    assert not delegate.preferences.exists()
    released = BookingChange.objects.filter(delegate=delegate, action=BookingChange.Action.RELEASED)
    assert released.count() == 4
    assert Booking.objects.filter(delegate=waiting, session=four_sessions[0]).exists()
    assert "workshop seats, waiting-list places and rankings" in emails_to(delegate)[0].body_text
    # The seat writer tells them and whoever took their seat, each with a calendar file.
    (seats,) = OutgoingEmail.objects.filter(
        to=delegate.email, subject__endswith="your workshops have changed"
    )
    assert "You are no longer attending day two" in seats.body_text
    assert "METHOD:CANCEL" in seats.attachment_content
    (promoted,) = OutgoingEmail.objects.filter(to=waiting.email, subject__contains="a place in")
    assert "METHOD:REQUEST" in promoted.attachment_content


def test_joining_day_two_when_no_full_set_is_left_is_refused(client, sign_in, stranded_programme):
    event = stranded_programme["event"]
    # Leave no full set: the stranded programme has one seat a round but no valid set.
    delegate = DelegateFactory(event=event, attends_day_two=False)
    sign_in(delegate)

    response = client.post(URL, form_data(delegate, attends_day_two="on"))

    assert "Day two is full" in response.content.decode()
    delegate.refresh_from_db()
    assert not delegate.attends_day_two


def test_joining_day_two_with_places_left_is_saved(client, sign_in, programme):
    delegate = DelegateFactory(event=programme["event"], attends_day_two=False)
    sign_in(delegate)

    client.post(URL, form_data(delegate, attends_day_two="on"))

    delegate.refresh_from_db()
    assert delegate.attends_day_two


def test_no_day_at_all_is_refused(client, sign_in, event):
    delegate = DelegateFactory(event=event, attends_day_two=False)
    sign_in(delegate)

    response = client.post(URL, form_data(delegate, attends_day_one=None))

    assert "Choose at least one day" in response.content.decode()
    assert Delegate.objects.get(pk=delegate.pk).attends_day_one


def test_after_the_changes_deadline_the_page_says_changes_are_closed(client, sign_in, event):
    delegate = DelegateFactory(event=event, badge_name="Sam")
    sign_in(delegate)
    event.changes_close_at = timezone.now() - datetime.timedelta(minutes=1)
    event.save()

    response = client.post(URL, form_data(delegate, badge_name="Other"))

    assert "Changes are closed" in response.content.decode()
    assert Delegate.objects.get(pk=delegate.pk).badge_name == "Sam"


def test_the_page_needs_a_signed_in_delegate(client):
    response = client.get(URL)

    assert response.status_code == 302
    assert response.url == reverse("registration:request_link")


def test_an_unconfirmed_delegate_is_asked_to_confirm_first(client, event):
    # Opening a link confirms the address; only a browser signed in before addresses
    # were confirmed can be here.
    delegate = DelegateFactory(event=event, unconfirmed=True, badge_name="Sam")
    session = client.session
    session[SESSION_KEY] = delegate.pk
    session.save()

    response = client.post(URL, form_data(delegate, badge_name="Other"))

    assert "confirm" in response.content.decode().lower()
    assert Delegate.objects.get(pk=delegate.pk).badge_name == "Sam"


def test_the_organiser_sees_the_history_on_the_delegate_page(admin_client, event):
    delegate = DelegateFactory(event=event)
    DetailChange.objects.create(delegate=delegate, changed="badge name")

    response = admin_client.get(reverse("admin:registration_delegate_change", args=[delegate.pk]))

    assert "changes of details" in response.content.decode().lower()
    assert "badge name" in response.content.decode()
