"""Seats (a delegate in a session) and the history of every change to them."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from registration.models.delegate import Delegate
from registration.models.event import Event
from registration.models.text_limits import text_length_check

# The ballot's models live in their own module; importing them here registers them.
from workshops.models.ballot import AllocationRun, Preference  # noqa: F401
from workshops.models.programme import Session, TimeSlot, Workshop


class BookingQuerySet(models.QuerySet):
    def timetable(self):
        """Seats with what a timetable shows (workshop, room, times), in slot order."""
        return self.select_related("session__workshop", "session__room", "time_slot").order_by(
            "time_slot__starts_at"
        )

    def in_rounds_or_sessions(self, *, time_slot_ids=(), session_ids=()):
        """Seats in any of these time slots or sessions (ids)."""
        return self.filter(
            models.Q(time_slot_id__in=list(time_slot_ids))
            | models.Q(session_id__in=list(session_ids))
        )


class Booking(models.Model):
    """A delegate's seat in a session.

    `time_slot` and `workshop` copy the session's, so that the database itself
    refuses a second seat in one slot or a second seat in one workshop. A
    trigger (migration 0005) refuses a seat in a full session unless
    `beyond_capacity` says an organiser allowed it. Only
    `workshops.services.booking` writes bookings.
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


class SeatTally(models.Model):
    """A delegate's seats held, and whether day two keeps a full set for them: read, never written.

    Database triggers (migration 0021) keep one row per delegate: a delegate's
    insert adds it, a change of their event, status, day two or confirmed
    address updates `counts`, and every booking inserted, deleted or given to
    another delegate moves `held`, in the same statement, so the row is exact in
    every transaction's view, whoever writes (the services, bulk inserts, admin
    deletes and their cascades, raw SQL). `workshops.services.availability` counts
    those owed a set, `counts` and fewer than the required seats, from the partial
    index below: a few index entries, where grouping every booking read them all.

    A workshops table kept by triggers on registration's delegates, so that
    registration need not know seats exist. SQLite loses triggers when Django
    rebuilds a table: a later migration that alters `workshops_booking` or
    `registration_delegate` must create them again
    (`tests/workshops/migrations/test_seat_tally.py` fails if it does not).
    """

    delegate = models.OneToOneField(
        Delegate, primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="+")
    counts = models.BooleanField(
        help_text="Active, attending day two and address confirmed: counted for day-two places."
    )
    held = models.PositiveIntegerField(help_text="Seats held now, on any day.")

    class Meta:
        verbose_name_plural = "seat tallies"
        indexes = [
            models.Index(
                fields=["event", "held"], condition=models.Q(counts=True), name="seattally_counted"
            )
        ]

    def __str__(self):
        return f"seats held by delegate {self.delegate_id}: {self.held}"


class BookingChange(models.Model):
    """One seat gained, given up or moved, by the delegate, an organiser or the system.

    Written by `workshops.services.booking` in the same transaction as the seat
    it describes; a system actor (the waiting list, the ballot) leaves `actor`
    empty and names itself in `actor_name`. Labels copy the session's name at
    the time, so the history still reads after a session is deleted.
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
    reason = models.TextField(max_length=1000, blank=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)

    # Organisers' reasons can speak of a delegate's health: the admin hides them, and
    # refuses searches and URL lookups on them, for everyone else.
    protected_fields = {"reason": "workshops.view_move_reasons"}

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name_plural = "booking history"
        constraints = [
            text_length_check(name="bookingchange_text_lengths", limits={"reason": 1000})
        ]
        permissions = [("view_move_reasons", "Can see organisers' reasons for moving delegates")]

    def __str__(self):
        return f"{self.delegate_id} {self.action} {self.session_label}"

    @property
    def by(self):
        return self.actor_name or "the delegate"
