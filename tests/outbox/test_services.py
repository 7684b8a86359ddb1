import datetime

import environ
import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone

from outbox.models import OutgoingEmail
from outbox.services import (
    MAX_ATTEMPTS,
    count_waiting_email,
    queue_email,
    send_emails,
    send_queued_email,
    sending_together,
)
from registration.models import Delegate
from registration.services.registration import register_delegate
from tests.factories import AgencyFactory


@pytest.fixture
def mail_server_down(settings):
    settings.EMAIL_BACKEND = "tests.mail_backends.RefusingBackend"


def queue_three(event):
    for n in range(3):
        queue_email(
            to=f"delegate{n}@kent.police.uk",
            subject=f"Timetable {n}",
            template="email/cancelled",
            context={"delegate": {"first_name": "A"}, "event": event},
        )


def details(**changes):
    return {
        "first_name": "Priya",
        "last_name": "Shah",
        "email": "priya@warwickshire.police.uk",
        "job_title": "DS",
        "attends_day_one": True,
        "attends_day_two": True,
        **changes,
    }


def test_queue_email_sends_when_transaction_commits(event, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        queue_email(
            to="a@b.police.uk",
            subject="Hello",
            template="email/cancelled",
            context={"delegate": {"first_name": "A"}, "event": event},
        )
    assert [m.subject for m in mail.outbox] == ["Hello"]
    assert OutgoingEmail.objects.get().status == OutgoingEmail.Status.SENT


def test_register_mail_server_down_keeps_registration_and_retries(
    event, mail_server_down, settings, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        delegate = register_delegate(event=event, details=details(), agency_id=AgencyFactory().pk)
    assert Delegate.objects.filter(pk=delegate.pk).exists()
    message = OutgoingEmail.objects.get()
    assert (message.status, message.attempts) == (OutgoingEmail.Status.PENDING, 1)
    assert "SMTPServerDisconnected" in message.last_error
    assert mail.outbox == []

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert send_queued_email() == (0, 0)  # backing off: not due yet
    later = timezone.now() + datetime.timedelta(hours=1)
    assert send_queued_email(now=later) == (1, 0)
    assert [m.to for m in mail.outbox] == [["priya@warwickshire.police.uk"]]
    message.refresh_from_db()
    assert (message.status, message.attempts, message.last_error) == ("sent", 2, "")


def test_send_queued_email_gives_up_after_max_attempts(event, mail_server_down):
    OutgoingEmail.objects.create(to="a@b.police.uk", subject="S", body_text="B")
    when = timezone.now()
    for _ in range(MAX_ATTEMPTS):
        when += datetime.timedelta(days=2)
        send_queued_email(now=when)
    message = OutgoingEmail.objects.get()
    assert (message.status, message.attempts) == (OutgoingEmail.Status.FAILED, MAX_ATTEMPTS)
    assert send_queued_email(now=when + datetime.timedelta(days=30)) == (0, 0)


def test_send_queued_email_sends_each_message_once(event):
    OutgoingEmail.objects.create(to="a@b.police.uk", subject="S", body_text="B")
    assert send_queued_email() == (1, 0)
    assert send_queued_email(now=timezone.now() + datetime.timedelta(days=1)) == (0, 0)
    assert len(mail.outbox) == 1


@pytest.mark.parametrize(
    ("url", "backend", "setting", "value"),
    [
        ("consolemail://", "django.core.mail.backends.console.EmailBackend", None, None),
        (
            "filemail:////tmp/socex-mail",
            "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH",
            "/tmp/socex-mail",
        ),
        (
            "smtp+tls://user:secret@smtp.example.org:587",
            "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST",
            "smtp.example.org",
        ),
    ],
)
def test_email_url_configures_backend(url, backend, setting, value):
    config = environ.Env.email_url_config(url)
    assert config["EMAIL_BACKEND"] == backend
    if setting:
        assert config[setting] == value


def test_filemail_backend_writes_the_message(event, settings, tmp_path):
    # Four slashes: django-environ reads three as a relative path.
    config = environ.Env.email_url_config(f"filemail:///{tmp_path}")
    settings.EMAIL_BACKEND = config["EMAIL_BACKEND"]
    settings.EMAIL_FILE_PATH = config["EMAIL_FILE_PATH"]
    OutgoingEmail.objects.create(to="a@b.police.uk", subject="Filed", body_text="Body")
    assert send_queued_email() == (1, 0)
    written = "".join(p.read_text() for p in tmp_path.iterdir())
    assert "Subject: Filed" in written


def test_sending_together_sends_after_commit_through_one_connection(
    event, counting_backend, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with sending_together():
            queue_three(event)
        assert mail.outbox == []  # nothing goes before the commit

    assert len(callbacks) == 1
    assert [m.subject for m in mail.outbox] == ["Timetable 0", "Timetable 1", "Timetable 2"]
    assert counting_backend.made == 1
    assert set(OutgoingEmail.objects.values_list("status", flat=True)) == {"sent"}


def test_queue_email_outside_a_batch_sends_each_on_its_own(
    event, counting_backend, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        queue_three(event)

    assert len(callbacks) == 3
    assert len(mail.outbox) == 3
    assert counting_backend.made == 3


def test_sending_together_leaves_the_rest_for_send_queued_email_after_its_budget(
    event, settings, django_capture_on_commit_callbacks
):
    settings.OUTBOX_SEND_AFTER_COMMIT_SECONDS = 0
    with django_capture_on_commit_callbacks(execute=True), sending_together():
        queue_three(event)

    # The first is always tried; the others wait, due now, for the cron job.
    assert [m.subject for m in mail.outbox] == ["Timetable 0"]
    assert count_waiting_email() == 2
    waiting = OutgoingEmail.objects.filter(status="pending")
    assert all(m.attempts == 0 and m.last_error == "" for m in waiting)
    assert send_queued_email() == (2, 0)
    assert count_waiting_email() == 0
    assert len(mail.outbox) == 3


def test_sending_together_that_raises_rolls_back_and_sends_nothing(
    event, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
        sending_together(),
    ):
        queue_three(event)
        raise RuntimeError("booking failed")

    assert callbacks == []
    assert OutgoingEmail.objects.count() == 0
    assert mail.outbox == []


def test_send_emails_unreachable_server_records_each_failure(event, settings):
    settings.EMAIL_BACKEND = "tests.mail_backends.UnreachableBackend"
    queue_three(event)
    ids = list(OutgoingEmail.objects.order_by("pk").values_list("pk", flat=True))

    assert send_emails(message_ids=ids) == 0

    for message in OutgoingEmail.objects.all():
        assert (message.status, message.attempts) == ("pending", 1)
        assert message.last_error == "ConnectionRefusedError: Connection refused"
    assert count_waiting_email() == 0  # backing off


@pytest.mark.django_db(transaction=True)
def test_sending_together_around_several_transactions_sends_what_committed(event, counting_backend):
    with pytest.raises(RuntimeError), sending_together():
        with transaction.atomic():
            queue_three(event)
        with transaction.atomic():
            queue_email(
                to="never@kent.police.uk",
                subject="Rolled back",
                template="email/cancelled",
                context={"delegate": {"first_name": "A"}, "event": event},
            )
            raise RuntimeError("the fourth failed")

    # The three that committed go, through one connection; the rolled-back one never existed.
    assert [m.subject for m in mail.outbox] == ["Timetable 0", "Timetable 1", "Timetable 2"]
    assert counting_backend.made == 1
    assert OutgoingEmail.objects.filter(status="sent").count() == 3
    assert not OutgoingEmail.objects.filter(subject="Rolled back").exists()
