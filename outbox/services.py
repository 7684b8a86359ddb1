"""Outgoing email, kept in the database until the mail server takes it: queueing it.

No request talks to the mail server. `queue_email` writes the message, and a
job to send it (`outbox.tasks.send_messages`), inside the caller's
transaction, so both commit with the change they report or neither does; a
worker then sends it. A failure leaves it pending with back-off, and the
periodic job `outbox.tasks.send_due_email` sends every message that is due,
retries and any whose job was lost alike, so a message is never lost.

Messages queued inside `sending_together()` (a ballot's timetables, an
announcement, the admin's bulk actions) get one job per `BATCH` messages, each
sent through one mail server connection. A worker's job that queues mail
inside `sending_here()` sends it itself once its transaction commits.
"""

import base64
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from outbox.models import OutgoingEmail
from outbox.sealing import seal
from outbox.sending import BATCH, send_emails, server_failed_lately
from outbox.tasks import send_messages
from socex.prepared import PreparedInsert
from worker.heartbeat import alive_workers

# The ids queued inside the innermost `sending_together()` block, if any.
_batch = ContextVar("outbox_batch", default=None)


def queue_email(
    *, to, subject, template, context, about="", secrets=None, attachment=None, reply_to=""
):
    """Store an email rendered from `<template>.txt` and `<template>.html`, and a job to send it.

    Side effects: inserts an `OutgoingEmail` and, in the same transaction, a
    sending job for the worker (inside `sending_together()`, one job per batch
    when the block ends). Opens no mail connection. `attachment` is an optional
    `(filename, content, mimetype)` tuple: text, or bytes for a file that is not
    text/* (stored as base64). `about` tags the message for the code that queued
    it (`OutgoingEmail.about`). `reply_to` is where a reply goes (empty: to the
    sender, `DEFAULT_FROM_EMAIL`). `secrets`
    (name -> text, such as a booking link) go into the context like the rest
    but are stored only encrypted (`outbox.sealing`) and forgotten once sent.
    """
    name, content, mimetype = attachment or ("", "", "")
    if isinstance(content, bytes):
        # A binary file (a PDF) is stored as base64 text; the sender decodes what is not text/*.
        content = base64.b64encode(content).decode("ascii")
    placeholders, sealed = seal(secrets or {})
    context = {**context, **placeholders}
    message = OutgoingEmail(
        to=to,
        reply_to=reply_to,
        subject=subject,
        body_text=render_to_string(f"{template}.txt", context),
        body_html=render_to_string(f"{template}.html", context),
        attachment_name=name,
        attachment_content=content,
        attachment_mimetype=mimetype,
        about=about,
        sealed=sealed,
    )
    _insert_message(message)
    batch = _batch.get()
    if batch is None:
        enqueue_sending(message_ids=[message.pk])
    else:
        batch.append(message.pk)
    return message


# Every email is one INSERT of the same shape: compiled once per connection.
_insert_message = PreparedInsert(OutgoingEmail)


def enqueue_sending(*, message_ids):
    """Enqueue jobs that send these messages, `BATCH` to a job. Side effects: inserts the jobs."""
    for start in range(0, len(message_ids), BATCH):
        send_messages.enqueue(message_ids=message_ids[start : start + BATCH])


@contextmanager
def _collecting(when_done):
    """Collect the ids of the messages `queue_email` queues inside the block.

    When the block ends, calls `when_done(batch, raised=...)` with those ids, if any.
    """
    batch = []
    token = _batch.set(batch)
    raised = True
    try:
        yield
        raised = False
    finally:
        _batch.reset(token)
        if batch:
            when_done(batch, raised=raised)


def sending_together():
    """Send the emails queued inside this block in batches, each through one connection.

    Side effects: when the block ends, enqueues one sending job per `BATCH`
    messages queued inside it (in the surrounding transaction, if any, so they
    commit with it). A block that raises inside a transaction enqueues nothing:
    the transaction, and its messages, roll back. Around several transactions
    (outside any), the messages of those that committed are sent even if the
    block ends with an error; any whose rows were rolled back are skipped.
    """
    return _collecting(_enqueue_what_may_commit)


def _enqueue_what_may_commit(batch, *, raised):
    if not (raised and transaction.get_connection().in_atomic_block):
        enqueue_sending(message_ids=batch)


def sending_here():
    """Send the emails queued inside this block from this process when it ends, with no job.

    For a worker's job that queues mail in a transaction of its own (a
    registration's code): the job, already running, sends its message itself
    instead of enqueueing a job that a worker then picks up, claims and
    records. Side effects: when the block ends outside any transaction (its
    work committed, or rolled back), sends the messages queued inside it
    through one connection (`send_emails`; any rolled back are skipped);
    ended inside a transaction not yet committed, enqueues them as
    `sending_together` does, unless the block raised. So that registrations
    never queue behind a silent mail server's timeouts, a process whose mail
    server failed within the last minute (`server_failed_lately`) enqueues
    them instead of sending, as `queue_email` alone would. A process that dies
    between the commit and the send leaves them pending and due, and the
    periodic `send_due_email` sends them within a minute.
    """
    return _collecting(_send_once_committed)


def _send_once_committed(batch, *, raised):
    if transaction.get_connection().in_atomic_block:
        if not raised:
            enqueue_sending(message_ids=batch)
    elif server_failed_lately():
        enqueue_sending(message_ids=batch)  # not worth a timeout in this job
    else:
        send_emails(message_ids=batch)


def count_waiting_email(*, now=None):
    """Return how many messages are pending and due: what `send_queued_email` would try."""
    now = now or timezone.now()
    return OutgoingEmail.objects.filter(
        status=OutgoingEmail.Status.PENDING, next_attempt_at__lte=now
    ).count()


def count_failing_email():
    """Return how many pending messages the mail server has failed at least once."""
    return OutgoingEmail.objects.filter(status=OutgoingEmail.Status.PENDING, attempts__gt=0).count()


def waiting_email_warning():
    """A sentence for organisers if queued email cannot go yet, else "".

    Either no worker is running (nothing sends), or the mail server has been
    failing (the workers keep retrying with back-off).
    """
    pending = OutgoingEmail.objects.filter(status=OutgoingEmail.Status.PENDING).count()
    if not pending:
        return ""
    if not alive_workers().exists():
        return (
            f"{pending} emails wait in the outbox and no background worker is running to send "
            "them: start one with manage.py run_worker (make run starts one)."
        )
    failing = count_failing_email()
    if failing:
        return (
            f"{failing} emails wait in the outbox because the mail server has not taken them; "
            "the workers keep retrying with back-off. Outgoing emails lists them."
        )
    return ""
