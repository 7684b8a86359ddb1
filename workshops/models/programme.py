"""The programme: rooms, time slots, workshops and their sessions."""

import datetime

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, F, Func, IntegerField, OuterRef, Q, Subquery
from django.utils import dateformat, timezone
from django.utils.functional import cached_property

from registration.models.event import Event
from registration.models.text_limits import text_length_check
from registration.validators import validate_no_bidi_controls, validate_single_line
from socex.prepared import PreparedQuery

# The ballot's models live in their own module; importing them here registers them.
from workshops.models.ballot import AllocationRun, Preference  # noqa: F401


class Room(models.Model):
    name = models.CharField(max_length=100, unique=True, validators=[validate_single_line])
    capacity = models.PositiveIntegerField()
    location = models.CharField(
        max_length=200, blank=True, validators=[validate_single_line], help_text="How to find it."
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(capacity__gte=1),
                name="room_capacity",
                violation_error_message="A room must hold at least 1 seat.",
            ),
            text_length_check(name="room_text_lengths", limits={"name": 100, "location": 200}),
        ]

    def __str__(self):
        return f"{self.name} ({self.capacity})"


def event_bounds(*, starts_on, ends_on):
    """From 00:00 on `starts_on` to 00:00 after `ends_on`, in the site's time zone."""
    start = datetime.datetime.combine(starts_on, datetime.time.min)
    end = datetime.datetime.combine(ends_on + datetime.timedelta(days=1), datetime.time.min)
    return timezone.make_aware(start), timezone.make_aware(end)


class TimeSlotQuerySet(models.QuerySet):
    def outside(self, *, starts_on, ends_on):
        """Time slots not wholly within the days `starts_on` to `ends_on`."""
        start, end = event_bounds(starts_on=starts_on, ends_on=ends_on)
        return self.filter(Q(starts_at__lt=start) | Q(ends_at__gt=end))

    def overlapping(self, *, starts_at, ends_at):
        """Time slots sharing any moment of `starts_at` to `ends_at` (touching is not sharing)."""
        return self.filter(starts_at__lt=ends_at, ends_at__gt=starts_at)


class TimeSlot(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="time_slots")
    name = models.CharField(
        max_length=100,
        validators=[validate_single_line],
        help_text="For example “Workshop round 1”.",
    )
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()

    objects = TimeSlotQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at"]
        constraints = [
            models.UniqueConstraint(fields=["event", "starts_at"], name="timeslot_unique_start"),
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")),
                name="timeslot_ends_after_start",
                violation_error_message="A time slot must end after it starts.",
            ),
            text_length_check(name="timeslot_text_lengths", limits={"name": 100}),
        ]

    def __str__(self):
        return f"{self.name}, {self.times}"

    @property
    def times(self):
        """Its local start and end times, "10:15–11:15", as `{start:%H:%M}` would write them.

        The zone looked up once and the digits formatted as numbers: half the time of
        `localtime` twice and strftime, on every choose page, timetable and email.
        """
        zone = timezone.get_current_timezone()
        start = timezone.localtime(self.starts_at, zone)
        end = timezone.localtime(self.ends_at, zone)
        return f"{start.hour:02}:{start.minute:02}–{end.hour:02}:{end.minute:02}"

    @property
    def when(self):
        """Its day and times, as an organiser reads them: "Thu 4 Feb 11:00–12:00"."""
        return f"{dateformat.format(timezone.localtime(self.starts_at), 'D j M')} {self.times}"

    def clean(self):
        if not (self.event_id and self.starts_at and self.ends_at):
            return
        event = self.event
        start, end = event_bounds(starts_on=event.starts_on, ends_on=event.ends_on)
        if self.starts_at < start or self.ends_at > end:
            raise ValidationError(
                f"{event.name} runs {_days(event)}: a time slot must lie within those days "
                "(or change the event's dates first)."
            )
        others = TimeSlot.objects.filter(event=event).exclude(pk=self.pk)
        clash = others.overlapping(starts_at=self.starts_at, ends_at=self.ends_at).first()
        if clash is not None:
            raise ValidationError(
                f"It overlaps {clash.name} ({clash.when}): an event's time slots may not "
                "overlap, since a delegate holds one seat in each."
            )


def _days(event):
    if event.starts_on == event.ends_on:
        return dateformat.format(event.starts_on, "D j M Y")
    return (
        f"{dateformat.format(event.starts_on, 'D j M')} to "
        f"{dateformat.format(event.ends_on, 'D j M Y')}"
    )


class Workshop(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="workshops")
    title = models.CharField(max_length=200, validators=[validate_single_line])
    summary = models.TextField(
        max_length=2000,
        validators=[validate_no_bidi_controls],
        help_text="A short description delegates read before choosing.",
    )
    facilitator = models.CharField(max_length=200, blank=True, validators=[validate_single_line])

    class Meta:
        ordering = ["title"]
        constraints = [
            models.UniqueConstraint(fields=["event", "title"], name="workshop_unique_title"),
            text_length_check(
                name="workshop_text_lengths",
                limits={"title": 200, "summary": 2000, "facilitator": 200},
            ),
        ]

    def __str__(self):
        return self.title


class SessionQuerySet(models.QuerySet):
    def with_seats(self):
        """Annotate `seats_taken` with one query, however many sessions; `places_left` follows.

        Each session's seats are counted by a subquery on the bookings' session index.
        A join with GROUP BY and COUNT(DISTINCT) sorted every booking of the event
        instead, and grouped by every column `select_related` adds. `places_left` is
        worked out from `seats_taken` in Python: annotated too, the subquery ran twice.
        """
        return self.annotate(seats_taken=self._seats_taken())

    def with_places_left(self):
        """`with_seats()`, with `places_left` in SQL as well, to filter or order by (the admin)."""
        taken = self._seats_taken()
        return self.annotate(seats_taken=taken, places_left=F("capacity") - taken)

    def _seats_taken(self):
        # COUNT(*) as a plain function, not Django's aggregate: the subquery then has no
        # GROUP BY (which made SQLite build a grouping per session and PostgreSQL
        # plan one) and always gives one row, 0 for no bookings. SQLite counts the
        # 30,000 seats of 10,000 delegates in half the time (1.9 -> 1.0 ms).
        booking = self.model._meta.get_field("bookings").related_model
        return Subquery(
            booking.objects.filter(session=OuterRef("pk"))
            .order_by()
            .annotate(n=Func(template="COUNT(*)", output_field=IntegerField()))
            .values("n")
        )

    def with_held_by(self, delegate):
        """Annotate `held`: whether `delegate` holds a seat in the session (a subquery)."""
        booking = self.model._meta.get_field("bookings").related_model
        theirs = booking.objects.filter(delegate=delegate, session=OuterRef("pk")).order_by()
        return self.annotate(held=Exists(theirs))

    def with_waiting_of(self, delegate):
        """Annotate `waiting`: whether `delegate` is on the session's waiting list (a subquery)."""
        entry = self.model._meta.get_field("waitlist").related_model
        theirs = entry.objects.filter(delegate=delegate, session=OuterRef("pk")).order_by()
        return self.annotate(waiting=Exists(theirs))

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
            models.CheckConstraint(
                condition=Q(capacity__gte=1),
                name="session_capacity",
                violation_error_message="A capacity must be at least 1 seat.",
            ),
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

    @cached_property
    def places_left(self):
        """Seats not taken, from `seats_taken` (`with_seats()`); below zero if overbooked."""
        return self.capacity - self.seats_taken

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
        if self.pk and (self.bookings.exists() or self.waitlist.exists()):
            # Seats and waiting-list entries copy the session's round and workshop: moving
            # it would leave them behind (two seats in one round, none in another).
            before = Session.objects.filter(pk=self.pk).values("time_slot_id", "workshop_id")
            if before and before[0] != {
                "time_slot_id": self.time_slot_id,
                "workshop_id": self.workshop_id,
            }:
                raise ValidationError(
                    "Delegates are booked on, or waiting for, this session: it keeps its time "
                    "slot and workshop. Change the time slot's times, or its room, instead, "
                    "or move its delegates to another session first."
                )


_on_offer_with_held_by = PreparedQuery(
    Session,
    lambda event, delegate: (
        Session.objects.on_offer(event).with_held_by(delegate).with_waiting_of(delegate)
    ),
    share_related=True,
    event=int,
    delegate=int,
)


def sessions_on_offer_held_by(*, event, delegate):
    """The chooser's sessions, as a list: `on_offer(event)`, `with_held_by` and
    `with_waiting_of(delegate)`.

    Its SQL is prepared once per connection (`socex.prepared`): building and
    compiling the queryset took about 2 ms of every choose page, the database
    a tenth of that. Seats are counted afresh on every call. Sessions in one time
    slot share its instance, as do those of one workshop or room (`share_related`):
    read them, do not change them.
    """
    return _on_offer_with_held_by(event=event.pk, delegate=delegate.pk)
