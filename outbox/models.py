"""An email kept in the database until the mail server takes it."""

from django.db import models
from django.utils import timezone


class OutgoingEmail(models.Model):
    """An email waiting to be sent, kept until the mail server accepts it.

    Written in the same transaction as the change it reports, so a mail server
    that is down delays the message and never loses or rolls back the change.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Gave up"

    to = models.EmailField()
    # Where a reply goes (the event's organisers), if not to DEFAULT_FROM_EMAIL.
    reply_to = models.EmailField(blank=True)
    subject = models.CharField(max_length=250)
    body_text = models.TextField()
    body_html = models.TextField(blank=True)
    attachment_name = models.CharField(max_length=100, blank=True)
    attachment_content = models.TextField(blank=True)
    attachment_mimetype = models.CharField(max_length=100, blank=True)
    # What the message is about, in the sender's words (say "delegate:42"): the code that
    # queued it finds or forgets its messages by this, and the outbox knows no one.
    about = models.CharField(max_length=100, blank=True, db_index=True)
    # Placeholder -> encrypted secret (outbox.sealing); emptied once the message is sent.
    sealed = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self):
        return f"{self.subject} → {self.to}"
