import pytest
from django.core import mail
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from outbox.models import OutgoingEmail
from registration.models import Delegate
from tests.factories import AdminUserFactory, DelegateFactory
from tests.jobs import queued_jobs, run_queued_jobs
from workshops.models import Announcement, AnnouncementRecipient
from workshops.services.announcement import (
    AnnouncementError,
    announcement_recipients,
    send_announcement,
)
from workshops.services.booking import book_sessions, cancel_registration


@pytest.fixture
def audience(programme, four_sessions):
    """Two delegates on `four_sessions`, one on another set, one unbooked, one cancelled."""
    s = programme["sessions"]
    event = programme["event"]
    on_first = [DelegateFactory(event=event, last_name=n) for n in ("Adams", "Brown")]
    for delegate in on_first:
        book_sessions(delegate=delegate, sessions=four_sessions)
    other = DelegateFactory(event=event, last_name="Clark")
    book_sessions(delegate=other, sessions=[s[(0, 1)], s[(1, 5)], s[(2, 3)], s[(3, 7)]])
    DelegateFactory(event=event, last_name="Davies")
    gone = DelegateFactory(event=event, last_name="Evans")
    book_sessions(delegate=gone, sessions=[s[(0, 2)], s[(1, 6)], s[(2, 4)], s[(3, 0)]])
    cancel_registration(delegate=gone)
    OutgoingEmail.objects.all().delete()
    DBTaskResult.objects.all().delete()  # the jobs that would send their confirmations
    return programme


def names(announcement):
    return [d.last_name for d in announcement_recipients(announcement)]


def test_announcement_recipients_by_audience(audience, four_sessions):
    event = audience["event"]
    by_session = Announcement(event=event, audience="session", session=four_sessions[0])
    by_slot = Announcement(event=event, audience="time_slot", time_slot=audience["slots"][0])
    everyone = Announcement(event=event, audience="event")
    assert names(by_session) == ["Adams", "Brown"]
    assert names(by_slot) == ["Adams", "Brown", "Clark"]
    assert names(everyone) == ["Adams", "Brown", "Clark", "Davies"]


def test_send_announcement_queues_one_email_each_and_records_them(audience, four_sessions):
    organiser = AdminUserFactory()
    announcement = Announcement.objects.create(
        event=audience["event"],
        audience="session",
        session=four_sessions[0],
        subject="Room change for round 1",
        body="Your workshop moves to the Warwick Suite.",
        created_by=organiser,
    )
    send_announcement(announcement=announcement, actor=organiser)
    emails = OutgoingEmail.objects.order_by("to")
    assert [e.subject for e in emails] == ["Room change for round 1"] * 2
    assert all("Your workshop moves to the Warwick Suite." in e.body_text for e in emails)
    recorded = AnnouncementRecipient.objects.filter(announcement=announcement).order_by("email")
    assert [(r.email, r.outgoing_email_id) for r in recorded] == [(e.to, e.pk) for e in emails]
    announcement.refresh_from_db()
    assert announcement.sent_by == organiser
    assert announcement.sent_at is not None
    with pytest.raises(AnnouncementError) as caught:
        send_announcement(announcement=announcement, actor=organiser)
    assert "was already sent" in caught.value.message
    assert OutgoingEmail.objects.count() == 2


def test_send_announcement_queues_one_job_that_sends_all_together(
    audience, four_sessions, counting_backend
):
    organiser = AdminUserFactory()
    announcement = Announcement.objects.create(
        event=audience["event"],
        audience="event",
        subject="Parking",
        body="Use the north car park.",
        created_by=organiser,
    )
    send_announcement(announcement=announcement, actor=organiser)
    assert mail.outbox == []

    # One job for the whole audience: one connection to the mail server.
    assert len(queued_jobs()) == 1
    run_queued_jobs()
    assert counting_backend.made == 1
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        OutgoingEmail.objects.values_list("to", flat=True)
    )
    assert len(mail.outbox) == 4  # every registered delegate; not the cancelled one
    assert set(OutgoingEmail.objects.values_list("status", flat=True)) == {"sent"}


def test_send_announcement_with_nobody_to_receive_it_sends_nothing(audience):
    s = audience["sessions"]
    announcement = Announcement.objects.create(
        event=audience["event"], audience="session", session=s[(1, 7)], subject="Hi", body="Hi"
    )
    with pytest.raises(AnnouncementError):
        send_announcement(announcement=announcement, actor=AdminUserFactory())
    announcement.refresh_from_db()
    assert announcement.sent_at is None
    assert OutgoingEmail.objects.count() == 0


def test_admin_announcement_draft_preview_then_send(client, audience):
    organiser = AdminUserFactory(username="ops", is_superuser=True)
    client.force_login(organiser)
    slot = audience["slots"][0]
    response = client.post(
        reverse("admin:workshops_announcement_add"),
        {
            "event": audience["event"].pk,
            "audience": "time_slot",
            "time_slot": slot.pk,
            "subject": "Round 1 starts late",
            "body": "Round 1 starts at 10:15 today.",
        },
    )
    announcement = Announcement.objects.get()
    preview_url = reverse("admin:workshops_announcement_preview", args=[announcement.pk])
    assert response.status_code == 302
    assert response.url == preview_url
    assert announcement.created_by == organiser

    preview = client.get(preview_url).content.decode()
    assert "3 delegates" in preview
    assert "Dear Alex" in preview
    assert "Round 1 starts at 10:15 today." in preview
    assert "Davies" not in preview
    assert OutgoingEmail.objects.count() == 0

    response = client.post(preview_url)
    assert response.status_code == 302
    last_names = dict(Delegate.objects.values_list("email", "last_name"))
    assert sorted(last_names[e.to] for e in OutgoingEmail.objects.all()) == [
        "Adams",
        "Brown",
        "Clark",
    ]
    record = client.get(reverse("admin:workshops_announcement_change", args=[announcement.pk]))
    page = record.content.decode()
    for email in AnnouncementRecipient.objects.values_list("email", flat=True):
        assert email in page

    # Sending again does nothing: the preview sends you back to the record.
    assert client.post(preview_url).status_code == 302
    assert OutgoingEmail.objects.count() == 3


def test_admin_announcement_for_session_without_session_is_refused(client, audience):
    client.force_login(AdminUserFactory(is_superuser=True))
    response = client.post(
        reverse("admin:workshops_announcement_add"),
        {"event": audience["event"].pk, "audience": "session", "subject": "Hi", "body": "Hi"},
    )
    assert response.status_code == 200
    assert "Choose the session whose delegates to email." in response.content.decode()
    assert Announcement.objects.count() == 0


def test_admin_announcement_view_only_staff_cannot_send(client, audience, four_sessions):
    announcement = Announcement.objects.create(
        event=audience["event"],
        audience="session",
        session=four_sessions[0],
        subject="Hello",
        body="Hello",
    )
    client.force_login(AdminUserFactory(permissions=["workshops.view_announcement"]))
    preview_url = reverse("admin:workshops_announcement_preview", args=[announcement.pk])
    assert "Send to" not in client.get(preview_url).content.decode()
    assert client.post(preview_url).status_code == 403
    assert OutgoingEmail.objects.count() == 0


def test_session_page_links_to_a_prefilled_announcement(client, audience, four_sessions):
    client.force_login(AdminUserFactory(is_superuser=True))
    session = four_sessions[0]
    page = client.get(reverse("admin:workshops_session_change", args=[session.pk]))
    add_url = (
        f"{reverse('admin:workshops_announcement_add')}?audience=session&amp;"
        f"session={session.pk}&amp;event={audience['event'].pk}"
    )
    assert add_url in page.content.decode()
    form = client.get(add_url.replace("&amp;", "&")).context["adminform"].form
    assert (form.initial["audience"], str(form.initial["session"])) == ("session", str(session.pk))


def test_announcement_goes_only_to_confirmed_addresses(event):
    confirmed = DelegateFactory(event=event)
    DelegateFactory(event=event, unconfirmed=True)
    announcement = Announcement.objects.create(
        event=event, audience=Announcement.Audience.EVENT, subject="Parking", body="Car park B."
    )
    assert list(announcement_recipients(announcement)) == [confirmed]
