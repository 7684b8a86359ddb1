from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from registration.models import Delegate, Event


class Room(models.Model):
    name = models.CharField(max_length=100, unique=True)
    capacity = models.PositiveIntegerField()
    location = models.CharField(max_length=200, blank=True, help_text="How to find it.")

    class Meta:
        ordering = ["name"]
        constraints = [models.CheckConstraint(condition=Q(capacity__gte=1), name="room_capacity")]

    def __str__(self):
        return f"{self.name} ({self.capacity})"


class TimeSlot(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="time_slots")
    name = models.CharField(max_length=100, help_text="For example “Workshop round 1”.")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()

    class Meta:
        ordering = ["starts_at"]
        constraints = [
            models.UniqueConstraint(fields=["event", "starts_at"], name="timeslot_unique_start"),
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="timeslot_ends_after_start"
            ),
        ]

    def __str__(self):
        return f"{self.name}, {self.times}"

    @property
    def times(self):
        start = timezone.localtime(self.starts_at)
        end = timezone.localtime(self.ends_at)
        return f"{start:%H:%M}–{end:%H:%M}"


class Workshop(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="workshops")
    title = models.CharField(max_length=200)
    summary = models.TextField(help_text="A short description delegates read before choosing.")
    facilitator = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["title"]
        constraints = [
            models.UniqueConstraint(fields=["event", "title"], name="workshop_unique_title")
        ]

    def __str__(self):
        return self.title


class SessionQuerySet(models.QuerySet):
    def with_seats(self):
        """Annotate `seats_taken` and `places_left` with one query, however many sessions."""
        return self.annotate(
            seats_taken=Count("bookings", distinct=True),
            places_left=F("capacity") - Count("bookings", distinct=True),
        )

    def for_event(self, event):
        return self.filter(time_slot__event=event)

    def on_offer(self, event):
        """`event`'s sessions as choosers see them: seats counted, names loaded, in slot order."""
        return (
            self.for_event(event)
            .with_seats()
            .select_related("time_slot", "workshop", "room")
            .order_by("time_slot__starts_at", "workshop__title")
        )


class Session(models.Model):
    """One workshop, in one time slot, in one room."""

    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="sessions")
    time_slot = models.ForeignKey(TimeSlot, on_delete=models.CASCADE, related_name="sessions")
    room = models.ForeignKey(Room, on_delete=models.PROTECT, related_name="sessions")
    capacity = models.PositiveIntegerField(
        blank=True,
        help_text="Leave empty to use the room's capacity; it may be set lower, never higher.",
    )

    objects = SessionQuerySet.as_manager()

    class Meta:
        ordering = ["time_slot__starts_at", "room__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["time_slot", "room"], name="session_room_once_per_slot"
            ),
            models.UniqueConstraint(
                fields=["time_slot", "workshop"], name="session_workshop_once_per_slot"
            ),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="session_capacity"),
        ]
        permissions = [
            ("override_capacity", "Can move a delegate into a full session, over its capacity"),
        ]

    def __str__(self):
        return f"{self.workshop.title}: {self.time_slot.name}, {self.room.name}"

    def save(self, *args, **kwargs):
        if not self.capacity:
            self.capacity = self.room.capacity
        super().save(*args, **kwargs)

    def clean(self):
        if self.room_id and self.capacity and self.capacity > self.room.capacity:
            raise ValidationError(
                {"capacity": f"{self.room.name} holds {self.room.capacity}; set at most that."}
            )
        if (
            self.workshop_id
            and self.time_slot_id
            and self.workshop.event_id != self.time_slot.event_id
        ):
            raise ValidationError("The workshop and the time slot belong to different events.")


class BookingQuerySet(models.QuerySet):
    def timetable(self):
        """Seats with what a timetable shows (workshop, room, times), in slot order."""
        return self.select_related("session__workshop", "session__room", "time_slot").order_by(
            "time_slot__starts_at"
        )


class Booking(models.Model):
    """A delegate's seat in a session.

    `time_slot` and `workshop` copy the session's, so that the database itself
    refuses a second seat in one slot or a second seat in one workshop. A
    trigger (migration 0005) refuses a seat in a full session unless
    `beyond_capacity` says an organiser allowed it. Only `workshops.services`
    writes bookings.
    """

    delegate = models.ForeignKey(Delegate, on_delete=models.CASCADE, related_name="bookings")
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="bookings")
    time_slot = models.ForeignKey(TimeSlot, on_delete=models.CASCADE, related_name="+")
    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    beyond_capacity = models.BooleanField(
        default=False,
        db_default=False,  # raw inserts that do not name it get an ordinary seat
        help_text="Given over the session's capacity by an organiser's override.",
    )

    objects = BookingQuerySet.as_manager()

    class Meta:
        ordering = ["time_slot__starts_at"]
        constraints = [
            models.UniqueConstraint(fields=["delegate", "time_slot"], name="booking_one_per_slot"),
            models.UniqueConstraint(fields=["delegate", "workshop"], name="booking_workshop_once"),
        ]

    def __str__(self):
        return f"{self.delegate} → {self.session}"


class BookingChange(models.Model):
    """One seat gained, given up or moved, by the delegate or by an organiser.

    Written by `workshops.services` in the same transaction as the booking it
    describes. Labels copy the session's name at the time, so the history still
    reads after a session is deleted.
    """

    class Action(models.TextChoices):
        BOOKED = "booked", "Booked"
        RELEASED = "released", "Released"
        MOVED = "moved", "Moved"

    delegate = models.ForeignKey(Delegate, on_delete=models.CASCADE, related_name="booking_changes")
    action = models.CharField(max_length=10, choices=Action.choices)
    session = models.ForeignKey(
        Session,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Gained or given up.",
    )
    session_label = models.CharField(max_length=300)
    from_session = models.ForeignKey(
        Session, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    from_session_label = models.CharField(max_length=300, blank=True)
    # Empty actor and actor_name: the delegate did it themselves.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_name = models.CharField(max_length=150, blank=True)
    capacity_override = models.PositiveSmallIntegerField(
        default=0, help_text="Seats beyond capacity the organiser allowed for this move."
    )
    reason = models.TextField(blank=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name_plural = "booking history"

    def __str__(self):
        return f"{self.delegate_id} {self.action} {self.session_label}"

    @property
    def by(self):
        return self.actor_name or "the delegate"


class Announcement(models.Model):
    """An email from the organisers to everyone booked on a session, a slot or the event.

    Saved as a draft, previewed, then sent once by `workshops.announcements`.
    """

    class Audience(models.TextChoices):
        SESSION = "session", "Everyone booked on one session"
        TIME_SLOT = "time_slot", "Everyone booked in one time slot"
        EVENT = "event", "Every registered delegate of the event"

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="announcements")
    audience = models.CharField(max_length=10, choices=Audience.choices)
    session = models.ForeignKey(
        Session, null=True, blank=True, on_delete=models.SET_NULL, related_name="announcements"
    )
    time_slot = models.ForeignKey(
        TimeSlot, null=True, blank=True, on_delete=models.SET_NULL, related_name="announcements"
    )
    subject = models.CharField(max_length=200)
    body = models.TextField(help_text="Plain text. Each delegate's greeting is added for you.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return self.subject

    def clean(self):
        if "\n" in self.subject or "\r" in self.subject:
            raise ValidationError({"subject": "Keep the subject on one line."})
        if self.audience == self.Audience.SESSION and not self.session_id:
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
        "registration.OutgoingEmail", null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["email"]

    def __str__(self):
        return self.email


class WaitlistEntryQuerySet(models.QuerySet):
    def in_order(self):
        """Who is served first: lowest `position`, then whoever joined first."""
        return self.order_by("session_id", "position", "pk")

    def with_place(self):
        """Annotate `place`, 1 for the next person served in that session, in one query.

        A correlated count rather than a window function, so that filtering the
        queryset (to one delegate, say) does not change anyone's place.
        """
        ahead = (
            WaitlistEntry.objects.filter(session_id=OuterRef("session_id"))
            .filter(
                Q(position__lt=OuterRef("position"))
                | Q(position=OuterRef("position"), pk__lt=OuterRef("pk"))
            )
            .order_by()
            .values("session_id")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return self.annotate(place=Coalesce(Subquery(ahead), 0) + 1)


class WaitlistEntry(models.Model):
    """A delegate waiting for a place in a full session, keeping their seat in that slot.

    `time_slot` copies the session's so the database allows one entry per
    delegate per slot. Only `workshops.services` and `workshops.waitlist` write entries.
    """

    delegate = models.ForeignKey(Delegate, on_delete=models.CASCADE, related_name="waitlist")
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="waitlist")
    time_slot = models.ForeignKey(TimeSlot, on_delete=models.CASCADE, related_name="+")
    position = models.PositiveIntegerField(
        help_text="Lower numbers are served first; change it to reorder the list."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = WaitlistEntryQuerySet.as_manager()

    class Meta:
        ordering = ["session", "position", "pk"]
        verbose_name = "waiting-list entry"
        verbose_name_plural = "waiting lists"
        constraints = [
            models.UniqueConstraint(fields=["delegate", "time_slot"], name="waitlist_one_per_slot"),
        ]
        indexes = [models.Index(fields=["session", "position"])]

    def __str__(self):
        return f"{self.delegate} waiting for {self.session_id}"


# The ballot's models live in their own module; importing them here registers them.
from .ballot_models import AllocationRun, Preference  # noqa: E402, F401
