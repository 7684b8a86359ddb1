import datetime
import json
import logging

import pytest
from django.contrib.auth.models import Permission, User
from django.core.management import CommandError, call_command
from django.db.models import Count
from django.urls import reverse

from outbox.models import OutgoingEmail
from outbox.services import queue_email
from registration.models import Agency, Delegate, ManageLink
from registration.services.email import delegate_reference
from registration.services.link import issue_manage_link
from registration.services.privacy import (
    PRIVACY_NOTICE_VERSION,
    anonymise_delegate,
    anonymise_expired_delegates,
    erase_delegate,
    export_delegate_data,
)
from registration.views.access import SESSION_KEY
from tests.factories import AgencyFactory, DelegateFactory, EventFactory
from tests.jobs import run_queued_jobs
from workshops.models import Announcement, AnnouncementRecipient, Booking, BookingChange
from workshops.services.booking import book_sessions


def registration_post(agency, **overrides):
    data = {
        "first_name": "Priya",
        "last_name": "Shah",
        "email": "priya.shah@force.police.uk",
        "job_title": "Analyst",
        "phone": "",
        "agency": str(agency.pk),
        "attends_day_one": "on",
        "attends_day_two": "on",
        "dietary_requirements": "",
        "accessibility_needs": "",
        "badge_name": "",
        "privacy_accepted": "on",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def sign_in(client, delegate):
    session = client.session
    session[SESSION_KEY] = delegate.pk
    session.save()


def test_register_stores_privacy_notice_version(client, programme):
    agency = AgencyFactory()
    response = client.post(reverse("register"), registration_post(agency))
    assert response.status_code == 303
    run_queued_jobs()
    delegate = Delegate.objects.get()
    assert delegate.privacy_notice_version == PRIVACY_NOTICE_VERSION
    assert delegate.privacy_accepted_at is not None
    assert delegate.needs_consent_at is None


def test_register_with_needs_and_consent_stores_consent_time(client, programme):
    agency = AgencyFactory()
    response = client.post(
        reverse("register"),
        registration_post(agency, dietary_requirements="Vegan", needs_consent="on"),
    )
    assert response.status_code == 303
    run_queued_jobs()
    delegate = Delegate.objects.get()
    assert delegate.dietary_requirements == "Vegan"
    assert delegate.needs_consent_at == delegate.privacy_accepted_at


@pytest.mark.parametrize("field", ["dietary_requirements", "accessibility_needs"])
def test_register_with_needs_without_consent_is_refused(client, programme, field):
    agency = AgencyFactory()
    response = client.post(reverse("register"), registration_post(agency, **{field: "Wheelchair"}))
    assert response.status_code == 200
    assert response.context["form"].errors["needs_consent"] == [
        "Tick the box to let us use your dietary and accessibility answers, "
        "or leave both answers empty."
    ]
    assert Delegate.objects.count() == 0


def test_register_with_blank_needs_needs_no_consent(client, programme):
    agency = AgencyFactory()
    response = client.post(
        reverse("register"), registration_post(agency, dietary_requirements="   ")
    )
    assert response.status_code == 303
    run_queued_jobs()
    assert Delegate.objects.get().needs_consent_at is None


def test_privacy_page_shows_version_and_retention(client, event, settings):
    settings.RETENTION_DAYS = 45
    response = client.get(reverse("privacy"))
    assert response.status_code == 200
    assert f"Version {PRIVACY_NOTICE_VERSION}," in response.text
    assert "for 45 days after the event ends" in response.text


def test_export_delegate_data_holds_registration_seats_links_and_emails(programme, four_sessions):
    delegate = DelegateFactory(
        event=programme["event"], dietary_requirements="No nuts", phone="0123"
    )
    book_sessions(delegate=delegate, sessions=four_sessions)
    issue_manage_link(delegate=delegate)
    queue_email(
        to=delegate.email,
        subject="Hello",
        template="email/booking_link",
        context={"delegate": delegate, "event": delegate.event, "link": "x"},
        about=delegate_reference(delegate),
    )
    data = export_delegate_data(delegate=delegate)
    assert data["registration"]["email"] == delegate.email
    assert data["registration"]["dietary_requirements"] == "No nuts"
    assert data["registration"]["phone"] == "0123"
    assert data["registration"]["agency"] == delegate.agency.name
    assert [w["workshop"] for w in data["workshops"]] == [s.workshop.title for s in four_sessions]
    # Booking queued their confirmation, with a link of its own.
    assert len(data["booking_links"]) == 2
    assert "token_hash" not in json.dumps(data)
    assert sorted(e["subject"] for e in data["emails"]) == [
        "Hello",
        "Strategic SOCEX 2019: your workshops are booked",
    ]
    json.dumps(data)  # JSON-ready as it is


def test_export_delegate_data_holds_only_that_delegate(programme, four_sessions):
    delegate = DelegateFactory(event=programme["event"])
    other = DelegateFactory(event=programme["event"])
    book_sessions(delegate=other, sessions=four_sessions)
    issue_manage_link(delegate=other)
    data = export_delegate_data(delegate=delegate)
    assert data["workshops"] == []
    assert data["booking_links"] == []
    assert other.email not in json.dumps(data)


def test_my_data_downloads_json_for_signed_in_delegate(client, programme):
    delegate = DelegateFactory(event=programme["event"], accessibility_needs="Step-free access")
    sign_in(client, delegate)
    response = client.get(reverse("my_data"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="socex-my-data.json"'
    data = json.loads(response.content)
    assert data["registration"]["accessibility_needs"] == "Step-free access"
    assert data["registration"]["email"] == delegate.email


def test_my_data_without_session_redirects_to_link_request(client, programme):
    DelegateFactory(event=programme["event"])
    response = client.get(reverse("my_data"))
    assert response.status_code == 302
    assert response["Location"] == reverse("registration:request_link")


def test_manage_page_links_to_download_and_erase(client, programme):
    sign_in(client, DelegateFactory(event=programme["event"]))
    response = client.get(reverse("workshops:manage"))
    assert reverse("my_data") in response.text
    assert reverse("erase") in response.text


def assert_erased(delegate):
    delegate.refresh_from_db()
    assert delegate.status == Delegate.Status.ERASED
    assert delegate.first_name == "Erased"
    assert delegate.last_name == f"delegate {delegate.pk}"
    assert delegate.email == f"erased-{delegate.pk}@erased.invalid"
    assert delegate.job_title == ""
    assert delegate.phone == ""
    assert delegate.dietary_requirements == ""
    assert delegate.accessibility_needs == ""
    assert delegate.badge_name == "Erased"
    assert delegate.needs_consent_at is None
    assert delegate.anonymised_at is not None
    assert delegate.bookings.count() == 0
    assert delegate.manage_links.count() == 0


def test_erase_delegate_releases_seats_and_anonymises(programme, four_sessions):
    delegate = DelegateFactory(
        event=programme["event"], dietary_requirements="Halal", phone="07000 000000"
    )
    agency_id = delegate.agency_id
    book_sessions(delegate=delegate, sessions=four_sessions)
    issue_manage_link(delegate=delegate)
    queue_email(
        to=delegate.email,
        subject="Hi",
        template="email/booking_link",
        context={"delegate": delegate, "event": delegate.event, "link": "x"},
        about=delegate_reference(delegate),
    )
    erase_delegate(delegate=delegate)
    assert_erased(delegate)
    assert delegate.agency_id == agency_id
    assert (delegate.attends_day_one, delegate.attends_day_two) == (True, True)
    assert Booking.objects.count() == 0
    assert OutgoingEmail.objects.count() == 0


def test_erase_delegate_twice_changes_nothing(programme):
    delegate = DelegateFactory(event=programme["event"])
    first = erase_delegate(delegate=delegate).anonymised_at
    erase_delegate(delegate=delegate)
    delegate.refresh_from_db()
    assert delegate.anonymised_at == first


def test_erased_delegate_is_not_active_and_frees_email(programme):
    delegate = DelegateFactory(event=programme["event"], email="again@force.police.uk")
    erase_delegate(delegate=delegate)
    assert Delegate.objects.active().count() == 0
    again = DelegateFactory(event=programme["event"], email="again@force.police.uk")
    assert again.pk != delegate.pk


def test_erased_delegate_still_counted_by_agency_and_day(programme):
    agency = AgencyFactory()
    DelegateFactory(event=programme["event"], agency=agency)
    erase_delegate(delegate=DelegateFactory(event=programme["event"], agency=agency))
    counts = dict(
        Delegate.objects.filter(agency=agency).values_list("status").annotate(n=Count("pk"))
    )
    assert counts == {"registered": 1, "erased": 1}


def test_erase_page_confirms_before_erasing(client, programme):
    delegate = DelegateFactory(event=programme["event"])
    sign_in(client, delegate)
    response = client.get(reverse("erase"))
    assert response.status_code == 200
    assert "Yes, erase my data" in response.text
    delegate.refresh_from_db()
    assert delegate.status == Delegate.Status.REGISTERED


def test_erase_post_erases_and_signs_out(client, programme, four_sessions):
    delegate = DelegateFactory(event=programme["event"])
    book_sessions(delegate=delegate, sessions=four_sessions)
    sign_in(client, delegate)
    response = client.post(reverse("erase"))
    assert response.status_code == 200
    assert "Your data has been erased" in response.text
    assert_erased(delegate)
    assert SESSION_KEY not in client.session
    assert client.get(reverse("workshops:manage")).status_code == 302


def test_erase_post_without_session_erases_nothing(client, programme):
    delegate = DelegateFactory(event=programme["event"])
    response = client.post(reverse("erase"))
    assert response.status_code == 302
    delegate.refresh_from_db()
    assert delegate.status == Delegate.Status.REGISTERED


def organiser(client, *, can_delete=True):
    user = User.objects.create_user("organiser", password="pw", is_staff=True)
    codenames = ["view_delegate", "change_delegate"] + (["delete_delegate"] if can_delete else [])
    user.user_permissions.set(Permission.objects.filter(codename__in=codenames))
    client.force_login(user)
    return user


def test_admin_erase_action_asks_for_confirmation(client, programme):
    organiser(client)
    delegate = DelegateFactory(event=programme["event"])
    url = reverse("admin:registration_delegate_changelist")
    response = client.post(url, {"action": "erase_delegates", "_selected_action": [delegate.pk]})
    assert response.status_code == 200
    assert "Yes, erase 1 delegate" in response.text
    delegate.refresh_from_db()
    assert delegate.status == Delegate.Status.REGISTERED


def test_admin_erase_action_erases_after_confirmation(client, programme, four_sessions):
    organiser(client)
    delegate = DelegateFactory(event=programme["event"])
    keep = DelegateFactory(event=programme["event"])
    book_sessions(delegate=delegate, sessions=four_sessions)
    url = reverse("admin:registration_delegate_changelist")
    response = client.post(
        url,
        {"action": "erase_delegates", "_selected_action": [delegate.pk], "confirm_erase": "yes"},
    )
    assert response.status_code == 302
    assert_erased(delegate)
    keep.refresh_from_db()
    assert keep.status == Delegate.Status.REGISTERED


def test_admin_erase_action_needs_delete_permission(client, programme):
    organiser(client, can_delete=False)
    delegate = DelegateFactory(event=programme["event"])
    url = reverse("admin:registration_delegate_changelist")
    response = client.post(
        url,
        {"action": "erase_delegates", "_selected_action": [delegate.pk], "confirm_erase": "yes"},
    )
    assert response.status_code == 302  # back to the list: no such action for this user
    delegate.refresh_from_db()
    assert delegate.status == Delegate.Status.REGISTERED


def test_anonymise_delegate_keeps_status_and_seats(programme, four_sessions):
    delegate = DelegateFactory(event=programme["event"], accessibility_needs="Hearing loop")
    book_sessions(delegate=delegate, sessions=four_sessions)
    issue_manage_link(delegate=delegate)
    anonymise_delegate(delegate=delegate)
    delegate.refresh_from_db()
    assert delegate.status == Delegate.Status.REGISTERED
    assert delegate.bookings.count() == 4
    assert delegate.first_name == "Erased"
    assert delegate.accessibility_needs == ""
    assert delegate.anonymised_at is not None
    assert ManageLink.objects.count() == 0


def ended_event(days_ago, today):
    end = today - datetime.timedelta(days=days_ago)
    return EventFactory(
        name=f"Ended {days_ago} days ago",
        starts_on=end - datetime.timedelta(days=1),
        ends_on=end,
        is_current=False,
    )


def test_anonymise_expired_delegates_only_past_retention(db, settings):
    settings.RETENTION_DAYS = 90
    today = datetime.date(2019, 9, 1)
    old, recent = ended_event(90, today), ended_event(89, today)
    old_delegates = [DelegateFactory(event=old) for _ in range(2)]
    kept = DelegateFactory(event=recent)
    done = anonymise_expired_delegates(today=today)
    assert [(event.pk, count) for event, count in done] == [(old.pk, 2)]
    for delegate in old_delegates:
        delegate.refresh_from_db()
        assert delegate.first_name == "Erased"
    kept.refresh_from_db()
    assert kept.anonymised_at is None


def test_anonymise_expired_delegates_is_idempotent(db, settings):
    settings.RETENTION_DAYS = 30
    today = datetime.date(2019, 9, 1)
    event = ended_event(31, today)
    delegate = DelegateFactory(event=event)
    anonymise_expired_delegates(today=today)
    delegate.refresh_from_db()
    first = (delegate.anonymised_at, delegate.updated_at)
    assert anonymise_expired_delegates(today=today) == []
    delegate.refresh_from_db()
    assert (delegate.anonymised_at, delegate.updated_at) == first


def test_apply_retention_command_logs_and_reports(db, settings, capsys, caplog):
    settings.RETENTION_DAYS = 90
    event = EventFactory(
        name="SOCEX 2019", starts_on=datetime.date(2019, 5, 22), ends_on=datetime.date(2019, 5, 23)
    )
    DelegateFactory(event=event)
    with caplog.at_level(logging.INFO, logger="registration.privacy"):
        call_command("apply_retention")
    assert capsys.readouterr().out == "Anonymised 1 delegates of SOCEX 2019 (ended 2019-05-23).\n"
    assert caplog.messages[-1].startswith("Retention: anonymised 1 delegates of SOCEX 2019")
    call_command("apply_retention")
    assert capsys.readouterr().out.startswith("Nothing to anonymise")


def test_apply_retention_command_days_override(db, settings, capsys):
    settings.RETENTION_DAYS = 100_000
    event = EventFactory(
        name="SOCEX 2019", starts_on=datetime.date(2019, 5, 22), ends_on=datetime.date(2019, 5, 23)
    )
    DelegateFactory(event=event)
    call_command("apply_retention", "--days", "0")
    assert Delegate.objects.get().anonymised_at is not None


def test_apply_retention_command_refuses_negative_days(db):
    with pytest.raises(CommandError, match="--days must be 0 or more"):
        call_command("apply_retention", "--days", "-1")


def test_unconfirmed_agency_survives_erasure(programme):
    agency = Agency.objects.create(name="Typed In Unit", is_confirmed=False)
    delegate = DelegateFactory(event=programme["event"], agency=agency)
    erase_delegate(delegate=delegate)
    assert Agency.objects.filter(pk=agency.pk).exists()


def test_erase_delegate_strips_history_reasons_and_announcement_addresses(programme, four_sessions):
    delegate = DelegateFactory(event=programme["event"], email="leaving@force.police.uk")
    book_sessions(delegate=delegate, sessions=four_sessions)
    BookingChange.objects.filter(delegate=delegate).update(reason="Needs step-free access")
    announcement = Announcement.objects.create(
        event=programme["event"], audience=Announcement.Audience.EVENT, subject="Hi", body="x"
    )
    AnnouncementRecipient.objects.create(
        announcement=announcement, delegate=delegate, email="leaving@force.police.uk"
    )
    erase_delegate(delegate=delegate)
    delegate.refresh_from_db()
    history = BookingChange.objects.filter(delegate=delegate)
    assert history.count() == 8  # four booked, four released: the counts stay
    assert set(history.values_list("reason", flat=True)) == {""}
    assert list(AnnouncementRecipient.objects.values_list("email", flat=True)) == [delegate.email]


def test_export_delegate_data_includes_history_and_announcements(programme, four_sessions):
    delegate = DelegateFactory(event=programme["event"])
    book_sessions(delegate=delegate, sessions=four_sessions)
    announcement = Announcement.objects.create(
        event=programme["event"], audience=Announcement.Audience.EVENT, subject="Hi", body="x"
    )
    AnnouncementRecipient.objects.create(
        announcement=announcement, delegate=delegate, email=delegate.email
    )
    data = export_delegate_data(delegate=delegate)
    assert [row["action"] for row in data["booking_history"]] == ["booked"] * 4
    assert [row["email"] for row in data["announcement_recipients"]] == [delegate.email]
