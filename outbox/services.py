"""Outgoing email, kept in the database until the mail server takes it.

`queue_email` writes the message inside the caller's transaction and tries to
send it once that transaction commits; a failure leaves it pending for
`send_queued_email` (run it from cron or a timer) to retry with back-off.

Code that queues many messages at once (publishing a ballot, an announcement,
the admin's bulk actions) wraps them in `sending_together()`: after the commit
they go through one mail server connection, for at most
`OUTBOX_SEND_AFTER_COMMIT_SECONDS`, so an organiser's request returns before the
web server's timeout however slow the mail server; whatever is left stays
pending for `send_queued_email`.
"""

import logging
import time
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone

from outbox.models import OutgoingEmail
from outbox.sealing import seal, unseal

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
# How long a sender may hold a message before another may try it.
LEASE = timedelta(minutes=5)

# The ids queued inside the innermost `sending_together()` block, if any.
_batch = ContextVar("outbox_batch", default=None)


def queue_email(*, to, subject, template, context, about="", secrets=None, attachment=None):
    """Store an email rendered from `<template>.txt` and `<template>.html`.

    Side effects: inserts an `OutgoingEmail` and, after the surrounding
    transaction commits, tries to send it. `attachment` is an optional
    `(filename, content, mimetype)` tuple of text content; `about` tags the
    message for the code that queued it (`OutgoingEmail.about`). `secrets`
    (name -> text, such as a booking link) go into the context like the rest
    but are stored only encrypted (`outbox.sealing`) and forgotten once sent.
    """
    name, content, mimetype = attachment or ("", "", "")
    placeholders, sealed = seal(secrets or {})
    context = {**context, **placeholders}
    message = OutgoingEmail.objects.create(
        to=to,
        subject=subject,
        body_text=render_to_string(f"{template}.txt", context),
        body_html=render_to_string(f"{template}.html", context),
        attachment_name=name,
        attachment_content=content,
        attachment_mimetype=mimetype,
        about=about,
        sealed=sealed,
    )
    batch = _batch.get()
    if batch is None:
        transaction.on_commit(lambda: send_email(message_id=message.pk))
    else:
        batch.append(message.pk)
    return message


@contextmanager
def sending_together():
    """Send the emails queued inside this block together once the transaction commits.

    Side effects: registers one on-commit callback that sends them through one
    connection, within `OUTBOX_SEND_AFTER_COMMIT_SECONDS` (at least one is always
    tried); the rest stay pending for `send_queued_email`. Inside a transaction
    they go when it commits, and not at all if it rolls back. Around several
    transactions (outside any), they go when the block ends, even if it ends with
    an error: the messages of transactions that committed are real; any whose rows
    were rolled back are skipped.
    """
    batch = []
    token = _batch.set(batch)
    try:
        yield
    finally:
        _batch.reset(token)
        if batch:
            budget = settings.OUTBOX_SEND_AFTER_COMMIT_SECONDS
            transaction.on_commit(partial(send_emails, message_ids=batch, budget_seconds=budget))


def send_emails(*, message_ids, now=None, budget_seconds=None):
    """Try to send these messages through one connection; return how many were sent.

    Stops trying once `budget_seconds` have passed (None: no limit); untried
    messages stay pending with their due time unchanged. Never raises: if the
    connection cannot be opened, each message is tried on its own and records
    its failure.
    """
    started = time.monotonic()
    connection = get_connection()
    try:
        connection.open()
    except Exception as error:  # the mail server is down: each message records it
        logger.warning("Mail connection not opened: %s", error)
        connection = None
    sent = 0
    try:
        for position, message_id in enumerate(message_ids):
            spent = time.monotonic() - started
            if budget_seconds is not None and position and spent >= budget_seconds:
                logger.info("%s emails left for send_queued_email", len(message_ids) - position)
                break
            sent += send_email(message_id=message_id, now=now, connection=connection)
    finally:
        if connection is not None:
            try:
                connection.close()
            except Exception as error:  # what was sent is recorded; nothing to undo
                logger.warning("Mail connection not closed cleanly: %s", error)
    return sent


def count_waiting_email(*, now=None):
    """Return how many messages are pending and due: what `send_queued_email` would try."""
    now = now or timezone.now()
    return OutgoingEmail.objects.filter(
        status=OutgoingEmail.Status.PENDING, next_attempt_at__lte=now
    ).count()


def send_email(*, message_id, now=None, connection=None):
    """Try to send one queued message now; record the outcome, never raise.

    Side effects: sends mail through Django's backend and updates the row.
    The row is claimed with a conditional UPDATE (a lease) rather than held
    locked, so a slow mail server never blocks other writers. `connection` is
    an open mail connection to reuse (None: the backend opens its own).
    Returns True when this call sent the message.
    """
    now = now or timezone.now()
    claimed = OutgoingEmail.objects.filter(
        pk=message_id, status=OutgoingEmail.Status.PENDING, next_attempt_at__lte=now
    ).update(next_attempt_at=now + LEASE, attempts=F("attempts") + 1)
    if not claimed:
        return False
    message = OutgoingEmail.objects.get(pk=message_id)
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=unseal(message.body_text, message.sealed),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[message.to],
        connection=connection,
    )
    if message.body_html:
        email.attach_alternative(unseal(message.body_html, message.sealed), "text/html")
    if message.attachment_name:
        email.attach(
            message.attachment_name, message.attachment_content, message.attachment_mimetype
        )
    try:
        email.send()
    except Exception as error:  # any transport failure: keep the message, retry later
        logger.warning("Email %s not sent (attempt %s): %s", message.pk, message.attempts, error)
        message.last_error = f"{type(error).__name__}: {error}"[:2000]
        if message.attempts >= MAX_ATTEMPTS:
            message.status = OutgoingEmail.Status.FAILED
            message.sealed = {}  # given up: nothing will need the secrets again
        message.next_attempt_at = now + timedelta(minutes=2**message.attempts)
        message.save(update_fields=["last_error", "status", "next_attempt_at", "sealed"])
        return False
    message.status = OutgoingEmail.Status.SENT
    message.sent_at = timezone.now()
    message.last_error = ""
    message.sealed = {}
    message.save(update_fields=["last_error", "status", "sent_at", "sealed"])
    return True


def send_queued_email(*, now=None, limit=200):
    """Retry every pending message that is due; return (sent, still pending).

    Side effects: sends mail through one connection and updates the rows, one
    transaction per message.
    """
    now = now or timezone.now()
    due = list(
        OutgoingEmail.objects.filter(status=OutgoingEmail.Status.PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    sent = send_emails(message_ids=due, now=now)
    return sent, len(due) - sent
