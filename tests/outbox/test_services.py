import datetime
import email
from email.header import decode_header
from email.parser import Parser

import environ
import pytest
from django.core import mail
from django.db import connections, transaction
from django.utils import timezone

from outbox.models import OutgoingEmail
from outbox.sending import BATCH, MAX_ATTEMPTS, _claim, send_emails, send_queued_email
from outbox.services import count_waiting_email, queue_email, sending_here, sending_together
from registration.models import Delegate
from registration.services.registration import register_delegate
from tests.factories import AgencyFactory
from tests.jobs import queued_jobs, run_queued_jobs
from tests.mail_backends import CountingBackend

SEND = "outbox.tasks.send_messages"


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


def test_queue_email_queues_a_job_by_id_and_opens_no_connection(event, counting_backend):
    message = queue_email(
        to="a@b.police.uk",
        subject="Hello",
        template="email/cancelled",
        context={"delegate": {"first_name": "A"}, "event": event},
    )
    assert counting_backend.made == 0
    assert mail.outbox == []
    [job] = queued_jobs()
    # The job names the message by id: the address stays in the outbox.
    assert (job.task_path, job.args_kwargs) == (
        SEND,
        {"args": [], "kwargs": {"message_ids": [message.pk]}},
    )

    run_queued_jobs()
    assert [m.subject for m in mail.outbox] == ["Hello"]
    assert OutgoingEmail.objects.get().status == OutgoingEmail.Status.SENT


def test_a_reply_goes_where_the_queuer_said_and_by_default_to_the_sender(event):
    for reply_to in ["events@socex.example", ""]:
        queue_email(
            to="a@b.police.uk",
            subject=f"To {reply_to or 'nobody'}",
            template="email/cancelled",
            context={"delegate": {"first_name": "A"}, "event": event},
            reply_to=reply_to,
        )
    run_queued_jobs()
    assert {m.subject: m.reply_to for m in mail.outbox} == {
        "To events@socex.example": ["events@socex.example"],
        "To nobody": [],
    }
    assert "Reply-To: events@socex.example" in mail.outbox[0].message().as_string()


def test_an_encoded_word_typed_into_a_subject_reads_as_typed_not_as_what_it_hides(event):
    hidden = "=?utf-8?b?4oCuZXhlLnBkZg==?="  # decodes to U+202E (right-to-left override) exe.pdf
    for subject in [f"{hidden} Smith offers you a place", "Plain = ? subject"]:
        queue_email(
            to="a@b.police.uk",
            subject=subject,
            template="email/cancelled",
            context={"delegate": {"first_name": "A"}, "event": event},
        )
    run_queued_jobs()

    headers = [Parser().parsestr(m.message().as_string()) for m in mail.outbox]
    decoded = [
        "".join(
            part.decode(charset or "ascii") if isinstance(part, bytes) else part
            for part, charset in decode_header(h["Subject"])
        )
        for h in headers
    ]
    assert sorted(decoded) == sorted([f"{hidden} Smith offers you a place", "Plain = ? subject"])
    assert all("\u202e" not in text for text in decoded)


def test_an_email_to_a_delegate_is_answered_by_the_events_organisers(event):
    register_delegate(event=event, details=details(), agency_id=AgencyFactory().pk)
    run_queued_jobs()
    assert [m.reply_to for m in mail.outbox] == [[event.contact_email]]


def test_queue_email_rolled_back_leaves_no_message_and_no_job(event):
    with pytest.raises(RuntimeError), transaction.atomic():
        queue_three(event)
        raise RuntimeError("the change failed")
    assert OutgoingEmail.objects.count() == 0
    assert queued_jobs() == []


def test_send_messages_job_run_twice_sends_once(event):
    queue_three(event)
    [first, *_] = queued_jobs()
    run_queued_jobs()
    again = first.task.enqueue(**first.args_kwargs["kwargs"])
    run_queued_jobs()
    again.refresh()
    assert again.return_value == {"sent": 0}
    assert len(mail.outbox) == 3


def test_register_mail_server_down_keeps_registration_and_retries(
    event, mail_server_down, settings
):
    delegate = register_delegate(event=event, details=details(), agency_id=AgencyFactory().pk)
    run_queued_jobs()
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


def test_sending_together_queues_one_job_sent_through_one_connection(event, counting_backend):
    with transaction.atomic(), sending_together():
        queue_three(event)
    [job] = queued_jobs()
    assert len(job.args_kwargs["kwargs"]["message_ids"]) == 3
    assert counting_backend.made == 0  # nothing is sent by the code that queued them

    run_queued_jobs()
    assert [m.subject for m in mail.outbox] == ["Timetable 0", "Timetable 1", "Timetable 2"]
    assert counting_backend.made == 1
    assert set(OutgoingEmail.objects.values_list("status", flat=True)) == {"sent"}


def test_sending_together_makes_one_job_per_batch(event):
    with sending_together():
        for n in range(BATCH + 1):
            queue_email(
                to=f"d{n}@kent.police.uk",
                subject="S",
                template="email/cancelled",
                context={"delegate": {"first_name": "A"}, "event": event},
            )
    sizes = [len(job.args_kwargs["kwargs"]["message_ids"]) for job in queued_jobs()]
    assert sorted(sizes) == [1, BATCH]


def test_queue_email_outside_a_batch_queues_a_job_each(event, counting_backend):
    queue_three(event)
    assert len(queued_jobs(SEND)) == 3
    run_queued_jobs()
    assert len(mail.outbox) == 3
    assert counting_backend.made == 3


def test_sending_together_that_raises_rolls_back_and_queues_nothing(event):
    with pytest.raises(RuntimeError), transaction.atomic(), sending_together():
        queue_three(event)
        raise RuntimeError("booking failed")

    assert OutgoingEmail.objects.count() == 0
    assert queued_jobs() == []
    assert mail.outbox == []


def test_send_emails_unreachable_server_stops_at_the_first_message(event, settings):
    settings.EMAIL_BACKEND = "tests.mail_backends.UnreachableBackend"
    queue_three(event)
    first, *rest = OutgoingEmail.objects.order_by("pk")

    assert send_emails(message_ids=[first.pk, *(m.pk for m in rest)]) == 0

    first.refresh_from_db()
    assert (first.status, first.attempts) == ("pending", 1)
    assert first.last_error == "ConnectionRefusedError: Connection refused"
    # Not tried: a server that is down costs one attempt per batch, not one per message.
    for message in OutgoingEmail.objects.filter(pk__in=[m.pk for m in rest]):
        assert (message.status, message.attempts, message.last_error) == ("pending", 0, "")
    assert count_waiting_email() == 2  # due now, for the next sweep


def test_send_emails_a_refused_address_does_not_stop_the_batch(event, settings):
    settings.EMAIL_BACKEND = "tests.mail_backends.RefusesSomeRecipientsBackend"
    queue_email(
        to="refused@kent.police.uk",
        subject="Bounces",
        template="email/cancelled",
        context={"delegate": {"first_name": "A"}, "event": event},
    )
    queue_three(event)
    ids = list(OutgoingEmail.objects.order_by("pk").values_list("pk", flat=True))

    assert send_emails(message_ids=ids) == 3
    refused = OutgoingEmail.objects.get(to="refused@kent.police.uk")
    assert (refused.status, refused.attempts) == ("pending", 1)
    assert refused.last_error.startswith("SMTPRecipientsRefused")
    assert len(mail.outbox) == 3


def test_send_queued_email_sends_every_due_message_in_batches(event, counting_backend):
    for n in range(BATCH + 5):
        OutgoingEmail.objects.create(to=f"d{n}@kent.police.uk", subject="S", body_text="B")
    assert send_queued_email() == (BATCH + 5, 0)
    assert counting_backend.made == 2


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

    run_queued_jobs()
    # The three that committed go, through one connection; the rolled-back one never existed.
    assert [m.subject for m in mail.outbox] == ["Timetable 0", "Timetable 1", "Timetable 2"]
    assert counting_backend.made == 1
    assert OutgoingEmail.objects.filter(status="sent").count() == 3
    assert not OutgoingEmail.objects.filter(subject="Rolled back").exists()


@pytest.mark.django_db(transaction=True)
def test_sending_here_sends_once_the_work_commits_with_no_job(
    event, counting_backend, forget_server_failures
):
    with sending_here(), transaction.atomic():
        queue_three(event)
        assert mail.outbox == []  # not before the commit
    assert [m.subject for m in mail.outbox] == ["Timetable 0", "Timetable 1", "Timetable 2"]
    assert counting_backend.made == 1
    assert set(OutgoingEmail.objects.values_list("status", flat=True)) == {"sent"}
    assert queued_jobs(SEND) == []


@pytest.mark.django_db(transaction=True)
def test_sending_here_sends_nothing_that_rolled_back(event, forget_server_failures):
    with pytest.raises(RuntimeError), sending_here(), transaction.atomic():
        queue_three(event)
        raise RuntimeError("registration failed")
    assert mail.outbox == []
    assert OutgoingEmail.objects.count() == 0
    assert queued_jobs() == []


@pytest.fixture
def forget_server_failures(monkeypatch):
    monkeypatch.setattr("outbox.sending._server_failed_at", None)


@pytest.mark.django_db(transaction=True)
def test_sending_here_leaves_mail_the_server_failed_to_the_retries_then_stops_trying(
    event, mail_server_down, forget_server_failures
):
    with sending_here():
        queue_three(event)
    assert queued_jobs(SEND) == []
    pending = OutgoingEmail.objects.filter(status="pending")
    assert pending.count() == 3
    assert count_waiting_email(now=timezone.now() + datetime.timedelta(hours=1)) == 3
    assert list(pending.order_by("pk").values_list("attempts", flat=True)) == [1, 0, 0]

    # The server just failed: the next job does not wait on it, it leaves a sending job.
    with sending_here():
        queue_three(event)
    assert len(queued_jobs(SEND)) == 1
    assert OutgoingEmail.objects.filter(attempts__gt=0).count() == 1


def test_sending_here_inside_an_open_transaction_queues_a_job_instead(event):
    with transaction.atomic(), sending_here():
        queue_three(event)
    assert mail.outbox == []  # the work has not committed: nothing may go yet
    [job] = queued_jobs(SEND)
    assert len(job.args_kwargs["kwargs"]["message_ids"]) == 3
    run_queued_jobs()
    assert len(mail.outbox) == 3


def test_send_emails_claims_and_records_each_message_in_two_statements(
    event, django_assert_max_num_queries
):
    queue_three(event)
    ids = list(OutgoingEmail.objects.order_by("pk").values_list("pk", flat=True))
    with django_assert_max_num_queries(2 * len(ids)):  # claim (UPDATE ... RETURNING), sent
        assert send_emails(message_ids=ids) == 3
    for message in OutgoingEmail.objects.all():
        assert (message.status, message.attempts, message.sealed) == ("sent", 1, {})
    assert sorted(m.to[0] for m in mail.outbox) == [f"delegate{n}@kent.police.uk" for n in range(3)]
    # Claimed already: a second run claims nothing and sends nothing more.
    assert send_emails(message_ids=ids) == 0
    assert len(mail.outbox) == 3


def test_the_claim_leases_a_message_and_counts_the_attempt(event, settings):
    settings.EMAIL_BACKEND = "tests.mail_backends.UnreachableBackend"
    queue_three(event)
    first = OutgoingEmail.objects.order_by("pk").first()
    now = timezone.now()
    assert send_emails(message_ids=[first.pk], now=now) == 0
    first.refresh_from_db()
    assert first.attempts == 1
    # Backed off after the failure, and not claimable again before then.
    assert first.next_attempt_at == now + datetime.timedelta(minutes=2)
    assert send_emails(message_ids=[first.pk], now=now + datetime.timedelta(minutes=1)) == 0
    first.refresh_from_db()
    assert first.attempts == 1


@pytest.mark.django_db(transaction=True)
def test_a_worker_whose_mail_server_just_failed_defers_sending_jobs_to_the_retries(
    event, settings, forget_server_failures
):
    """A silent server would hold the worker for EMAIL_TIMEOUT per job, and registrations
    queue behind it: after one failure, sending jobs leave their mail to the periodic retry."""
    from outbox.tasks import send_due_email

    settings.EMAIL_BACKEND = "tests.mail_backends.UnreachableBackend"
    queue_three(event)  # one sending job
    run_queued_jobs()
    assert OutgoingEmail.objects.filter(attempts=1).count() == 1  # it tried, and failed

    # The server is back, but this worker does not know yet: the next jobs do not connect.
    settings.EMAIL_BACKEND = "tests.mail_backends.CountingBackend"
    CountingBackend.made = 0
    queue_three(event)
    run_queued_jobs()
    assert CountingBackend.made == 0
    assert mail.outbox == []
    deferred = OutgoingEmail.objects.filter(status="pending", attempts=0)
    assert deferred.count() == 5
    assert all(m.next_attempt_at <= timezone.now() for m in deferred)  # due for the retry

    # The periodic retry always tries; its success ends the deferral for later jobs too.
    send_due_email.call()
    assert len(mail.outbox) == 5
    queue_three(event)
    run_queued_jobs()
    assert len(mail.outbox) == 8
    assert CountingBackend.made >= 2


def test_sent_messages_each_have_their_own_boundaries_and_parse_back(event):
    for n in range(2):
        queue_email(
            to=f"delegate{n}@kent.police.uk",
            subject="Your timetable",
            template="email/cancelled",
            context={"delegate": {"first_name": "A"}, "event": event},
            attachment=("timetable.ics", "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", "text/calendar"),
        )
    run_queued_jobs()

    boundaries = []
    for sent in mail.outbox:
        parsed = email.message_from_bytes(sent.message().as_bytes(linesep="\r\n"))
        [alternatives, calendar] = parsed.get_payload()
        assert [part.get_content_type() for part in alternatives.get_payload()] == [
            "text/plain",
            "text/html",
        ]
        assert calendar.get_filename() == "timetable.ics"
        assert calendar.get_payload(decode=True) == b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"
        boundaries += [parsed.get_boundary(), alternatives.get_boundary()]
    assert len(set(boundaries)) == 4


def test_the_claim_returns_the_row_as_the_orm_reads_it(event):
    """The claim builds the message from its UPDATE's row itself, prepared once per connection."""
    message = queue_email(
        to="a@b.police.uk",
        subject="Hello",
        template="email/cancelled",
        context={"delegate": {"first_name": "A"}, "event": event},
        secrets={"code": "123456"},
        attachment=("a.pdf", b"%PDF-1.4", "application/pdf"),
        reply_to="events@socex.example",
        about="delegate:7",
    )
    now = timezone.now()
    claimed = _claim(message.pk, now=now)
    stored = OutgoingEmail.objects.get(pk=message.pk)
    fields = [field.attname for field in OutgoingEmail._meta.concrete_fields]
    assert [getattr(claimed, name) for name in fields] == [getattr(stored, name) for name in fields]
    assert (claimed.attempts, claimed.sealed.keys()) == (1, stored.sealed.keys())
    assert claimed._state.adding is False
    assert OutgoingEmail in connections["default"].__dict__["socex_returning"]
    assert _claim(message.pk, now=now) is None  # leased
