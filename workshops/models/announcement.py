"""Organisers' announcements and who each went to."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from registration.models.delegate import Delegate
from registration.models.event import Event
from registration.models.text_limits import text_length_check
from registration.validators import BIDI_CONTROLS, BIDI_MESSAGE

# The ballot's models live in their own module; importing them here registers them.
from workshops.models.ballot import AllocationRun, Preference  # noqa: F401
from workshops.models.programme import Session, TimeSlot


class Announcement(models.Model):
    """An email from the organisers to everyone booked on a session, a slot or the event.

    Saved as a draft, previewed, then sent once by `workshops.services.announcement`.
    """

    class Audience(models.TextChoices):
        SESSION = "session", "Everyone booked on one session"
        TIME_SLOT = "time_slot", "Everyone booked in one time slot"
        EVENT = "event", "Every registered delegate of the event"
        ATTENDED = "attended", "Everyone checked in at one session"

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="announcements")
    audience = models.CharField(max_length=10, choices=Audience.choices)
    session = models.ForeignKey(
        Session, null=True, blank=True, on_delete=models.SET_NULL, related_name="announcements"
    )
    time_slot = models.ForeignKey(
        TimeSlot, null=True, blank=True, on_delete=models.SET_NULL, related_name="announcements"
    )
    subject = models.CharField(max_length=200)
    body = models.TextField(
        max_length=10_000, help_text="Plain text. Each delegate's greeting is added for you."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    sent_at = models.DateTimeField(null=True, blank=True)
    facilitator = models.ForeignKey(
        "workshops.Facilitator",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="announcements",
        help_text="The facilitator who wrote and sent it to their session, if one did.",
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            text_length_check(
                name="announcement_text_lengths", limits={"subject": 200, "body": 10_000}
            ),
        ]

    def __str__(self):
        return self.subject

    def clean(self):
        if "\n" in self.subject or "\r" in self.subject:
            raise ValidationError({"subject": "Keep the subject on one line."})
        for field in ("subject", "body"):
            # Delegates' own answers refuse these too (`registration.validators`).
            if not BIDI_CONTROLS.isdisjoint(getattr(self, field)):
                raise ValidationError({field: BIDI_MESSAGE})
        if self.audience in (self.Audience.SESSION, self.Audience.ATTENDED) and not self.session_id:
            raise ValidationError({"session": "Choose the session whose delegates to email."})
        if self.audience == self.Audience.TIME_SLOT and not self.time_slot_id:
            raise ValidationError({"time_slot": "Choose the time slot whose delegates to email."})
        if self.session_id and self.session.time_slot.event_id != self.event_id:
            raise ValidationError({"session": "That session belongs to another event."})
        if self.time_slot_id and self.time_slot.event_id != self.event_id:
            raise ValidationError({"time_slot": "That time slot belongs to another event."})

    @property
    def audience_label(self):
        if self.audience == self.Audience.SESSION and self.session_id:
            return f"everyone booked on {self.session}"
        if self.audience == self.Audience.ATTENDED and self.session_id:
            return f"everyone checked in at {self.session}"
        if self.audience == self.Audience.TIME_SLOT and self.time_slot_id:
            return f"everyone booked in {self.time_slot.name}"
        return f"every registered delegate of {self.event}"


class AnnouncementRecipient(models.Model):
    """Who an announcement went to, and the queued email that carries it."""

    announcement = models.ForeignKey(
        Announcement, on_delete=models.CASCADE, related_name="recipients"
    )
    delegate = models.ForeignKey(Delegate, null=True, on_delete=models.SET_NULL, related_name="+")
    email = models.EmailField()
    outgoing_email = models.ForeignKey(
        "outbox.OutgoingEmail", null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["email"]

    def __str__(self):
        return self.email
