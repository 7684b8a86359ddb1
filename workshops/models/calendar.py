"""Calendars: each delegate's entry per round (its SEQUENCE) and their private feed."""

import hashlib
import secrets

from django.db import models
from django.utils import timezone

from registration.models.delegate import Delegate
from workshops.models.programme import TimeSlot


class CalendarEntry(models.Model):
    """A delegate's calendar entry for one round: one UID, and how often it has changed.

    Its UID names the delegate and the round, never the session, so a calendar
    app updates the same entry when the delegate changes workshop in that round;
    `sequence` rises with every change (iCalendar's SEQUENCE), so the app takes
    the newest. Written by `workshops.services.seat_changes`, in the transaction
    that changes the seat.
    """

    delegate = models.ForeignKey(Delegate, on_delete=models.CASCADE, related_name="+")
    time_slot = models.ForeignKey(TimeSlot, on_delete=models.CASCADE, related_name="+")
    sequence = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name_plural = "calendar entries"
        constraints = [
            models.UniqueConstraint(
                fields=["delegate", "time_slot"], name="calendar_entry_one_per_round"
            )
        ]

    def __str__(self):
        return f"{self.delegate} · {self.time_slot} · {self.sequence}"


def hash_feed_token(raw_token):
    return hashlib.sha256(raw_token.encode()).hexdigest()


class CalendarFeed(models.Model):
    """A delegate's private calendar feed: only the hash of its URL's token is stored.

    One per delegate; a new one replaces it (the old URL stops working). The
    token in the URL is the only credential: nothing stored here can be turned
    back into it.
    """

    delegate = models.OneToOneField(Delegate, on_delete=models.CASCADE, related_name="+")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"Calendar feed of {self.delegate}"

    @staticmethod
    def new_token():
        return secrets.token_urlsafe(32)
