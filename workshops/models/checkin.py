"""Check-in on the day: device links, every scan at a door, standby queues and no-show releases.

A door is the event's entrance on one day, or one session's room. Every scan
is one `CheckIn` row whatever its outcome (as pretix keeps failed scans too):
the device names each scan with a UUID (`scan_id`), so a scan sent twice (the
connection dropped before the answer came) is recorded once and answered with
its first outcome. Only `workshops.services.checkin` writes these rows, holding
the delegate's lock.
"""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from registration.models import Delegate, Event, hash_token
from registration.models.text_limits import text_length_check
from workshops.models.programme import Room, Session, TimeSlot


class CheckinDeviceQuerySet(models.QuerySet):
    def usable(self, now=None):
        now = now or timezone.now()
        return self.filter(revoked_at__isnull=True, expires_at__gt=now)


class CheckinDevice(models.Model):
    """A check-in link for a door staff's phone: one event day, some doors, revocable.

    Opening the link signs the browser in to the check-in page only, for that day
    and those doors, until the day ends or an organiser revokes it. Only the
    token's hash is stored; the link itself is shown once, as a QR code.
    """

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="checkin_devices")
    label = models.CharField(
        max_length=60, help_text="Who or where, as results will name it: “Door 2”, “Room A”."
    )
    day = models.DateField(help_text="The event day the link works on; it expires at midnight.")
    entrance = models.BooleanField(
        "event entrance", default=True, help_text="May check people in at the event's entrance."
    )
    rooms = models.ManyToManyField(
        Room,
        blank=True,
        related_name="+",
        help_text="May check people in at the doors of these rooms' sessions that day.",
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    expires_at = models.DateTimeField(editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = CheckinDeviceQuerySet.as_manager()

    class Meta:
        ordering = ["-day", "label"]
        verbose_name = "check-in link"
        constraints = [text_length_check(name="checkindevice_text_lengths", limits={"label": 60})]

    def __str__(self):
        return f"{self.label} ({self.day:%-d %B %Y})"

    @staticmethod
    def new_token():
        return secrets.token_urlsafe(32)

    def is_usable(self, now=None):
        return self.revoked_at is None and self.expires_at > (now or timezone.now())

    def matches(self, raw_token):
        return secrets.compare_digest(self.token_hash, hash_token(raw_token))


class CheckIn(models.Model):
    """One scan at a door, whatever it found, and whether it was undone."""

    class Door(models.TextChoices):
        ENTRANCE = "entrance", "Event entrance"
        SESSION = "session", "Session"

    class Outcome(models.TextChoices):
        ADMITTED = "admitted", "Checked in"
        WALK_IN = "walk_in", "Walk-in: seat booked"
        FROM_STANDBY = "from_standby", "Seated from standby"
        ALREADY = "already", "Already checked in"
        STANDBY = "standby", "Full: on standby"
        ELSEWHERE = "elsewhere", "Booked in another room"
        NO_SEAT = "no_seat", "Cannot take a seat here"
        NOT_TODAY = "not_today", "Not registered for today"
        CANCELLED = "cancelled", "Cancelled"
        INCOMPLETE = "incomplete", "Registration not complete"
        UNKNOWN = "unknown", "Badge not recognised"

    ADMITTING = (Outcome.ADMITTED, Outcome.WALK_IN, Outcome.FROM_STANDBY)

    scan_id = models.UUIDField(unique=True, help_text="Made by the device for each scan.")
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    door = models.CharField(max_length=10, choices=Door.choices)
    session = models.ForeignKey(
        Session, null=True, blank=True, on_delete=models.SET_NULL, related_name="checkins"
    )
    door_label = models.CharField(max_length=300, help_text="The door's name at the time.")
    delegate = models.ForeignKey(
        Delegate, null=True, blank=True, on_delete=models.CASCADE, related_name="checkins"
    )
    outcome = models.CharField(max_length=15, choices=Outcome.choices)
    admitted = models.BooleanField(default=False, help_text="Let in, and not undone since.")
    message = models.CharField(max_length=300, blank=True)
    scanned_at = models.DateTimeField(
        help_text="When the phone scanned it (it may have been offline)."
    )
    at = models.DateTimeField(default=timezone.now, help_text="When the server recorded it.")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    device = models.ForeignKey(
        CheckinDevice, null=True, blank=True, on_delete=models.SET_NULL, related_name="checkins"
    )
    facilitator = models.ForeignKey(
        "workshops.Facilitator",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="checkins",
        help_text="The facilitator who scanned it at their own session's door, if one did.",
    )
    by_name = models.CharField(
        max_length=150, help_text="The door staff's account or link, or the facilitator."
    )
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by_name = models.CharField(max_length=150, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = "check-in"
        constraints = [
            # One live admission per delegate per door: the entrance once a day, a session once.
            models.UniqueConstraint(
                fields=["delegate", "day"],
                condition=Q(door="entrance", admitted=True),
                name="checkin_entrance_once_a_day",
                violation_error_message="This delegate is already checked in at the entrance "
                "today.",
            ),
            models.UniqueConstraint(
                fields=["delegate", "session"],
                condition=Q(door="session", admitted=True),
                name="checkin_session_once",
                violation_error_message="This delegate is already checked in to this session.",
            ),
        ]
        indexes = [
            models.Index(fields=["event", "day", "admitted"]),
            models.Index(fields=["session", "admitted"]),
        ]
        permissions = [("check_in", "Can check delegates in at the doors")]

    def __str__(self):
        return f"{self.get_outcome_display()}: {self.door_label}"

    @property
    def undoable(self):
        return self.undone_at is None and self.outcome in (
            *self.ADMITTING,
            self.Outcome.STANDBY,
        )


class StandbyEntryQuerySet(models.QuerySet):
    def waiting(self):
        return self.filter(seated_at__isnull=True, left_at__isnull=True)

    def in_order(self):
        return self.order_by("joined_at", "pk")


class StandbyEntry(models.Model):
    """A delegate without a seat that round, waiting at a full session's door.

    Served in order of arrival when a no-show's seat is released. Written only by
    `workshops.services.standby`, holding the delegate's lock.
    """

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="standby")
    time_slot = models.ForeignKey(TimeSlot, on_delete=models.CASCADE, related_name="+")
    delegate = models.ForeignKey(Delegate, on_delete=models.CASCADE, related_name="standby")
    scan = models.OneToOneField(CheckIn, null=True, on_delete=models.SET_NULL, related_name="+")
    joined_at = models.DateTimeField(default=timezone.now)
    seated_at = models.DateTimeField(null=True, blank=True)
    left_at = models.DateTimeField(null=True, blank=True)

    objects = StandbyEntryQuerySet.as_manager()

    class Meta:
        ordering = ["session", "joined_at", "pk"]
        verbose_name = "standby entry"
        verbose_name_plural = "standby queues"
        constraints = [
            models.UniqueConstraint(
                fields=["delegate", "time_slot"],
                condition=Q(seated_at__isnull=True, left_at__isnull=True),
                name="standby_one_door_per_slot",
                violation_error_message="This delegate is already on standby at a door in this "
                "round.",
            )
        ]

    def __str__(self):
        return f"{self.delegate} on standby for {self.session_id}"


class NoShowRelease(models.Model):
    """A no-show's seat given to the next person on standby at that door."""

    session = models.ForeignKey(Session, null=True, on_delete=models.SET_NULL, related_name="+")
    session_label = models.CharField(max_length=300)
    released = models.ForeignKey(Delegate, on_delete=models.CASCADE, related_name="+")
    seated = models.ForeignKey(Delegate, on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    device = models.ForeignKey(
        CheckinDevice, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    by_name = models.CharField(max_length=150)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = "no-show release"

    def __str__(self):
        return f"{self.session_label}: {self.released_id} → {self.seated_id}"
