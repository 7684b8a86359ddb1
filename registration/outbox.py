"""Outgoing email, kept in the database until the mail server takes it.

`queue_email` writes the message inside the caller's transaction and tries to
send it once that transaction commits; a failure leaves it pending for
`send_queued_email` (run it from cron or a timer) to retry with back-off.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone

from .models import OutgoingEmail

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
# How long a sender may hold a message before another may try it.
LEASE = timedelta(minutes=5)


def queue_email(*, to, subject, template, context, delegate=None, attachment=None):
    """Store an email rendered from `<template>.txt` and `<template>.html`.

    Side effects: inserts an `OutgoingEmail` and, after the surrounding
    transaction commits, tries to send it. `attachment` is an optional
    `(filename, content, mimetype)` tuple of text content.
    """
    name, content, mimetype = attachment or ("", "", "")
    message = OutgoingEmail.objects.create(
        to=to,
        subject=subject,
        body_text=render_to_string(f"{template}.txt", context),
        body_html=render_to_string(f"{template}.html", context),
        attachment_name=name,
        attachment_content=content,
        attachment_mimetype=mimetype,
        delegate=delegate,
    )
    transaction.on_commit(lambda: send_email(message_id=message.pk))
    return message


def send_email(*, message_id, now=None):
    """Try to send one queued message now; record the outcome, never raise.

    Side effects: sends mail through Django's backend and updates the row.
    The row is claimed with a conditional UPDATE (a lease) rather than held
    locked, so a slow mail server never blocks other writers. Returns True
    when this call sent the message.
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
        body=message.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[message.to],
    )
    if message.body_html:
        email.attach_alternative(message.body_html, "text/html")
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
        message.next_attempt_at = now + timedelta(minutes=2**message.attempts)
        message.save(update_fields=["last_error", "status", "next_attempt_at"])
        return False
    message.status = OutgoingEmail.Status.SENT
    message.sent_at = timezone.now()
    message.last_error = ""
    message.save(update_fields=["last_error", "status", "sent_at"])
    return True


def send_queued_email(*, now=None, limit=200):
    """Retry every pending message that is due; return (sent, still pending).

    Side effects: sends mail and updates the rows, one transaction per message.
    """
    now = now or timezone.now()
    due = list(
        OutgoingEmail.objects.filter(status=OutgoingEmail.Status.PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    sent = sum(send_email(message_id=pk, now=now) for pk in due)
    return sent, len(due) - sent
