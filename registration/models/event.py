"""The event and the settings organisers change in the admin."""

import datetime

from django.db import models
from django.db.models import Q
from django.utils import timezone

from registration.models.text_limits import text_length_check
from registration.validators import validate_no_bidi_controls, validate_single_line


class EventQuerySet(models.QuerySet):
    def current(self):
        """The event the public site serves: the newest one marked current."""
        return self.filter(is_current=True).order_by("-starts_on").first()

    def current_ids(self):
        """The ids of the events marked current, `current()`'s first (slice `[:1]`)."""
        return self.filter(is_current=True).order_by("-starts_on").values("pk")


class Event(models.Model):
    """The conference and the settings organisers change in the admin."""

    class BookingMode(models.TextChoices):
        LIVE = "live", "Live booking: first come, first served"
        BALLOT = "ballot", "Ballot: delegates rank workshops, seats allocated after it closes"

    name = models.CharField(max_length=200, validators=[validate_single_line])
    tagline = models.CharField(max_length=300, blank=True, validators=[validate_single_line])
    starts_on = models.DateField()
    ends_on = models.DateField()
    venue_name = models.CharField(max_length=200, validators=[validate_single_line])
    venue_address = models.CharField(max_length=300, validators=[validate_single_line])
    day_two_summary = models.TextField(
        max_length=2000,
        blank=True,
        validators=[validate_no_bidi_controls],
        help_text="Shown on the home page: how the day-two workshops work.",
    )
    choices_required = models.PositiveSmallIntegerField(
        default=4, help_text="How many workshop sessions each day-two delegate must hold."
    )
    registration_opens_at = models.DateTimeField(
        null=True, blank=True, help_text="Leave empty to open registration now."
    )
    registration_closes_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Leave empty to close registration when the event starts "
        "(00:00 on its first day).",
    )
    changes_close_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="After this, delegates can no longer change or cancel online. Leave empty "
        "to close changes a day before day two (00:00 on the day before it), so final "
        "rosters, sign-in sheets and badges can be printed; for a 22–23 May event, "
        "00:00 on 22 May.",
    )
    contact_email = models.EmailField(help_text="Shown to delegates who need help.")
    is_current = models.BooleanField(
        default=True, help_text="The public site serves the current event."
    )
    booking_mode = models.CharField(
        max_length=10,
        choices=BookingMode.choices,
        default=BookingMode.LIVE,
        help_text="Publishing a ballot's allocation switches the event to live booking.",
    )
    ballot_closes_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="In ballot mode: delegates can change their ranking until then; "
        "the allocation can be run only after it.",
    )
    no_show_release_minutes = models.PositiveSmallIntegerField(
        "release no-shows' seats after (minutes)",
        null=True,
        blank=True,
        default=15,
        help_text="On the day: this many minutes after a session starts, the seats of delegates "
        "who have not checked in anywhere that day may go to people on standby at its door. "
        "Leave empty never to release seats.",
    )

    objects = EventQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")),
                name="event_ends_after_start",
                violation_error_message="The event must end on or after the day it starts.",
            ),
            models.CheckConstraint(
                condition=Q(choices_required__gte=1),
                name="event_choices_min",
                violation_error_message="Each delegate must hold at least one session on day two.",
            ),
            text_length_check(
                name="event_text_lengths",
                limits={
                    "name": 200,
                    "tagline": 300,
                    "venue_name": 200,
                    "venue_address": 300,
                    "day_two_summary": 2000,
                    "contact_email": 254,
                },
            ),
        ]

    def __str__(self):
        return self.name

    def registration_is_open(self, now=None):
        now = now or timezone.now()
        if self.registration_opens_at and now < self.registration_opens_at:
            return False
        return now < self.registration_deadline

    @property
    def registration_deadline(self):
        """When registration closes: the organiser's time, or else when the event starts."""
        return self.registration_closes_at or _midnight_at_start_of(self.starts_on)

    @property
    def changes_deadline(self):
        """When online changes close: the organiser's time, or else a day before day two.

        Day two is the event's second day (its only day, for a one-day event).
        """
        day_two = min(self.starts_on + datetime.timedelta(days=1), self.ends_on)
        return self.changes_close_at or _midnight_at_start_of(day_two - datetime.timedelta(days=1))

    @property
    def is_ballot(self):
        return self.booking_mode == self.BookingMode.BALLOT

    def ballot_is_open(self, now=None):
        now = now or timezone.now()
        return self.is_ballot and not (self.ballot_closes_at and now >= self.ballot_closes_at)

    @property
    def days(self):
        """The event's days, in order."""
        return [
            self.starts_on + datetime.timedelta(days=n)
            for n in range((self.ends_on - self.starts_on).days + 1)
        ]

    def changes_are_open(self, now=None):
        now = now or timezone.now()
        return now < self.changes_deadline


def _midnight_at_start_of(day):
    """00:00 on `day`, in the site's time zone."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
