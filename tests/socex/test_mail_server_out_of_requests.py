"""No request talks to the mail server: with it silent or refusing, every page just queues.

A real SMTP backend points at a listener that accepts connections and never
answers (each attempt would wait `EMAIL_TIMEOUT`), or at a port where nothing
listens. Registering, asking for a link or a new code, changing workshops,
cancelling, an announcement, a bulk action and publishing a ballot each answer
with the mail server never contacted, and leave the message queued with a job;
the worker then meets the failure and the message waits, backing off.
"""

import pytest
from django.core.mail import send_mail
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.urls import reverse
from django.utils import timezone

from bench.mail_servers import SilentServer, refused_port
from outbox.models import OutgoingEmail
from registration.models import Delegate
from tests.factories import AdminUserFactory, AgencyFactory, DelegateFactory, rank_workshops
from tests.jobs import queued_jobs, run_queued_jobs
from workshops.models import Announcement, Booking, Workshop
from workshops.services.ballot_runs import run_allocation


@pytest.fixture(params=["silent", "refusing"])
def mail_server(request, settings):
    """The site's mail server: one that never answers, or nothing at all on its port."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 1
    if request.param == "silent":
        server = SilentServer().start()
        settings.EMAIL_PORT = server.port
        yield server
        server.stop()
    else:
        settings.EMAIL_PORT = refused_port()
        yield None


def assert_only_queued(mail_server, *, messages):
    """The requests reached no mail server; `messages` wait, untried, each with a job."""
    if mail_server is not None:
        assert mail_server.connections == 0
    waiting = OutgoingEmail.objects.filter(status="pending", attempts=0)
    assert waiting.count() == OutgoingEmail.objects.count() == messages
    queued = {
        message_id
        for job in queued_jobs("outbox.tasks.send_messages")
        for message_id in job.args_kwargs["kwargs"]["message_ids"]
    }
    assert queued == set(waiting.values_list("pk", flat=True))


def test_registering_and_asking_for_links_and_codes_only_queue(mail_server, client, programme):
    agency = AgencyFactory(name="Warwickshire Police")
    DelegateFactory(event=programme["event"], email="known@warwickshire.police.uk")
    response = client.post(
        "/register/",
        {
            "first_name": "Priya",
            "last_name": "Shah",
            "email": "priya@warwickshire.police.uk",
            "agency": str(agency.pk),
            "job_title": "DS",
            "attends_day_two": "on",
            "privacy_accepted": "on",
        },
    )
    assert response.status_code == 303
    assert client.post("/booking/confirm/new-code/").status_code == 303
    assert (
        client.post("/booking/link/", {"email": "known@warwickshire.police.uk"}).status_code == 200
    )
    # The requests only queued their jobs; the look-ups and emails are the worker's.
    if mail_server is not None:
        assert mail_server.connections == 0
    assert OutgoingEmail.objects.count() == 0
    assert len(queued_jobs()) == 3

    run_queued_jobs()
    assert Delegate.objects.filter(email="priya@warwickshire.police.uk").exists()
    # Three emails (a code, a new code, a link), all waiting. The first job tried the
    # server and found it failing; the worker then left the other two to the periodic
    # retry rather than wait on it again (one EMAIL_TIMEOUT in all, not three).
    assert OutgoingEmail.objects.filter(status="pending").count() == 3
    tried = OutgoingEmail.objects.filter(attempts=1)
    assert tried.count() == 1
    expected = (
        "SMTPServerDisconnected: Connection unexpectedly closed: timed out"
        if mail_server
        else "ConnectionRefusedError: [Errno 111] Connection refused"
    )
    assert {message.last_error for message in tried} == {expected}
    untried = OutgoingEmail.objects.filter(attempts=0)
    assert untried.count() == 2
    assert all(message.next_attempt_at <= timezone.now() for message in untried)  # due
    if mail_server is not None:
        assert mail_server.connections == 1  # the worker tried once


def test_changing_and_cancelling_only_queue(mail_server, client, sign_in, programme, four_sessions):
    delegate = DelegateFactory(event=programme["event"])
    sign_in(delegate)
    OutgoingEmail.objects.all().delete()
    choose = {f"slot_{s.time_slot_id}": str(s.pk) for s in four_sessions}
    assert client.post(reverse("workshops:choose"), choose).status_code == 302
    assert Booking.objects.filter(delegate=delegate).count() == 4
    assert client.post(reverse("workshops:cancel")).status_code == 200
    assert_only_queued(mail_server, messages=2)


def test_organisers_bulk_actions_announcements_and_publishing_only_queue(
    mail_server, client, ballot_event, close_ballot
):
    client.force_login(AdminUserFactory(is_superuser=True))
    people = [DelegateFactory(event=ballot_event) for _ in range(4)]
    workshops = list(Workshop.objects.filter(event=ballot_event).order_by("pk"))
    for person in people:
        rank_workshops(person, workshops)
    close_ballot(ballot_event)

    response = client.post(
        "/admin/registration/delegate/",
        {"action": "resend_confirmations", "_selected_action": [p.pk for p in people]},
    )
    assert response.status_code == 302
    announcement = Announcement.objects.create(
        event=ballot_event, audience="event", subject="Parking", body="North car park."
    )
    response = client.post(reverse("admin:workshops_announcement_preview", args=[announcement.pk]))
    assert response.status_code == 302
    run = run_allocation(event=ballot_event, seed=1, actor=None)
    response = client.post(f"/admin/workshops/allocationrun/{run.pk}/publish/")
    assert response.status_code == 302
    assert_only_queued(mail_server, messages=12)


def test_every_test_fails_if_a_request_sends_email():
    """The suite's default mail backend (tests/conftest.py) catches a request that sends."""
    # As Django's test client does: keep the test's database connection through the signals.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        request_started.send(sender=None)
        with pytest.raises(AssertionError, match="a request sent email: only the worker may"):
            send_mail("Hi", "Body", "from@socex.invalid", ["to@kent.police.uk"])
    finally:
        request_finished.send(sender=None)
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    assert send_mail("Hi", "Body", "from@socex.invalid", ["to@kent.police.uk"]) == 1
