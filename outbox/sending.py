"""Sending queued email: what the worker does (`outbox.tasks`), never a request.

Each message is claimed with a conditional UPDATE (a lease), sent, and marked
sent or backed off. See "The outbox" in docs/architecture.md.
"""

import base64
import logging
import secrets
import smtplib
import time
from datetime import timedelta
from email.header import Header

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import connections, router
from django.utils import timezone

from outbox.models import OutgoingEmail
from outbox.sealing import unseal
from socex.prepared import update_returning_row

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
# Messages per job (`outbox.services.enqueue_sending`) and per connection.
BATCH = 100
# Answers from a mail server that is up but refuses this one message (a bad address, say):
# the message records it and the batch goes on. Any other failure (no connection, silence,
# a hang-up) stops the batch, so a silent server costs one EMAIL_TIMEOUT, not one per message.
REFUSED_BY_SERVER = (smtplib.SMTPRecipientsRefused, smtplib.SMTPResponseException)
# How long this process remembers that the mail server itself failed (`server_failed_lately`).
SERVER_FAILURE_MEMORY_SECONDS = 60.0
_server_failed_at = None


def send_emails(*, message_ids, now=None):
    """Send these messages through one connection, if still pending and due; return how many.

    Side effects: sends mail and updates each row it claims. Stops at the first
    failure of the mail server itself (unreachable, silent, hanging up): that
    message records the failure and backs off, the rest stay due for
    `send_queued_email`. A message the server refuses records its failure and
    the rest go on. Never raises for a mail failure.
    """
    connection = get_connection()
    opened = False
    sent = 0
    try:
        for message_id in message_ids:
            message = _claim(message_id, now=now)
            if message is None:
                continue  # sent, given up, backing off, or another worker holds it
            try:
                if not opened:
                    connection.open()
                    opened = True
                _deliver(message, connection)
            except Exception as error:  # any transport failure: keep the message, retry later
                _record_failure(message, error, now=now)
                if isinstance(error, REFUSED_BY_SERVER):
                    continue
                _note_server_failure()
                break
            _record_sent(message)
            _note_server_answered()
            sent += 1
    finally:
        if opened:
            try:
                connection.close()
            except Exception as error:  # what was sent is recorded; nothing to undo
                logger.warning("Mail connection not closed cleanly: %s", error)
    return sent


def _note_server_failure():
    global _server_failed_at
    _server_failed_at = time.monotonic()


def _note_server_answered():
    global _server_failed_at
    _server_failed_at = None


def server_failed_lately():
    """True if, in this process, the mail server itself failed within the last minute.

    Unreachable, silent or hanging up (not refusing one address): a caller that
    would wait on it inline (`outbox.services.sending_here`) leaves the message
    to a job instead.
    """
    return (
        _server_failed_at is not None
        and time.monotonic() - _server_failed_at < SERVER_FAILURE_MEMORY_SECONDS
    )


def send_email(*, message_id, now=None):
    """Try to send one queued message now; return True if this call sent it. Never raises."""
    return send_emails(message_ids=[message_id], now=now) == 1


def _claim(message_id, *, now=None):
    """Take the message for one sending attempt; return it, or None if it is not ours to send.

    The row is claimed with a conditional UPDATE (a lease of
    `OUTBOX_LEASE_SECONDS`) rather than held locked, so a slow mail server
    never blocks other writers, and a worker that dies mid-send leaves the
    message to be tried again once the lease ends.
    """
    now = now or timezone.now()
    connection = connections[router.db_for_write(OutgoingEmail)]
    ops = connection.ops
    # One UPDATE ... RETURNING (PostgreSQL, SQLite 3.35+) rather than an UPDATE and a SELECT.
    return update_returning_row(
        OutgoingEmail,
        f'UPDATE "{OutgoingEmail._meta.db_table}" '
        'SET "next_attempt_at" = %s, "attempts" = "attempts" + 1 '
        'WHERE "id" = %s AND "status" = %s AND "next_attempt_at" <= %s',
        [
            ops.adapt_datetimefield_value(now + timedelta(seconds=settings.OUTBOX_LEASE_SECONDS)),
            message_id,
            OutgoingEmail.Status.PENDING,
            ops.adapt_datetimefield_value(now),
        ],
        using=connection.alias,
    )


def literal_subject(subject):
    """`subject` as a header that mail programs show exactly as typed.

    An ASCII subject goes out as it is, so one holding an RFC 2047 "encoded word"
    (`=?utf-8?b?4oCu...?=`, plain ASCII typed into a name) would be decoded by the
    reader's mail program into whatever it hides, a text-direction override say.
    Such a subject is sent encoded itself, so it decodes back to what was typed.
    """
    # Encoded words in a row, space-separated, read as one text (RFC 2047, 6.2).
    return Header(subject, "utf-8").encode(linesep=" ") if "=?" in subject else subject


class _BoundedEmail(EmailMultiAlternatives):
    """Django's email, its multipart boundaries chosen when the message is built.

    Left unset, Python's generator makes each boundary from the `random` module and
    compiles a regular expression (never reused) to make sure the text holds no line
    like it: about 0.07 ms of CPU per boundary, two per message with an attachment.
    128 bits from `secrets`, drawn after the text exists, cannot be in it.
    """

    def message(self):
        message = super().message()
        _choose_boundaries(message)
        return message


def _choose_boundaries(part):
    if part.get_content_maintype() == "multipart":
        part.set_boundary(f"==============={secrets.token_hex(16)}==")
        for inner in part.get_payload():
            _choose_boundaries(inner)


def _deliver(message, connection):
    email = _BoundedEmail(
        subject=literal_subject(message.subject),
        body=unseal(message.body_text, message.sealed),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[message.to],
        reply_to=[message.reply_to] if message.reply_to else None,
        connection=connection,
    )
    if message.body_html:
        email.attach_alternative(unseal(message.body_html, message.sealed), "text/html")
    if message.attachment_name:
        content = message.attachment_content
        if not message.attachment_mimetype.startswith("text/"):
            content = base64.b64decode(content)  # stored as base64 text (queue_email)
        email.attach(message.attachment_name, content, message.attachment_mimetype)
    email.send()


def _record_failure(message, error, *, now=None):
    now = now or timezone.now()
    logger.warning("Email %s not sent (attempt %s): %s", message.pk, message.attempts, error)
    message.last_error = f"{type(error).__name__}: {error}"[:2000]
    if message.attempts >= MAX_ATTEMPTS:
        message.status = OutgoingEmail.Status.FAILED
        message.sealed = {}  # given up: nothing will need the secrets again
    message.next_attempt_at = now + timedelta(minutes=2**message.attempts)
    message.save(update_fields=["last_error", "status", "next_attempt_at", "sealed"])


def _record_sent(message):
    # The one window for a duplicate: the server has the message and this UPDATE has not
    # run yet. A worker killed here leaves it pending; it is sent again after the lease.
    message.status = OutgoingEmail.Status.SENT
    message.sent_at = timezone.now()
    message.last_error = ""
    message.sealed = {}
    # The same UPDATE as save(update_fields=...) would run, without its per-call set-up.
    connection = connections[router.db_for_write(OutgoingEmail)]
    with connection.cursor() as cursor:
        cursor.execute(
            f'UPDATE "{OutgoingEmail._meta.db_table}" SET "status" = %s, "sent_at" = %s, '
            '"last_error" = %s, "sealed" = %s WHERE "id" = %s',
            [
                message.status,
                connection.ops.adapt_datetimefield_value(message.sent_at),
                message.last_error,
                OutgoingEmail._meta.get_field("sealed").get_db_prep_save({}, connection),
                message.pk,
            ],
        )


def send_queued_email(*, now=None, budget_seconds=50.0):
    """Send every pending message that is due, `BATCH` per connection; return (sent, still due).

    Stops when none is due, when the mail server fails (the rest wait for the
    next run), or after `budget_seconds` (None: no limit), so the periodic job
    that calls it every minute never piles up. Side effects: as `send_emails`.
    """
    started = time.monotonic()
    sent = 0
    tried = set()
    while budget_seconds is None or time.monotonic() - started < budget_seconds:
        due = list(
            OutgoingEmail.objects.filter(
                status=OutgoingEmail.Status.PENDING, next_attempt_at__lte=now or timezone.now()
            )
            .exclude(pk__in=tried)
            .order_by("next_attempt_at", "pk")
            .values_list("pk", flat=True)[:BATCH]
        )
        if not due:
            break
        tried.update(due)
        batch_sent = send_emails(message_ids=due, now=now)
        sent += batch_sent
        if batch_sent < len(due):
            break  # the server failed or refused: the rest wait for the next run
    still_due = OutgoingEmail.objects.filter(
        status=OutgoingEmail.Status.PENDING, next_attempt_at__lte=now or timezone.now()
    ).count()
    return sent, still_due
