"""Check-in at the event entrance and at every session's door.

A scan says "reference X at door D at time T", sent by a phone with a UUID of
its own making. `record_scan` answers it once: it locks the delegate (level 5
of `registration.services.locking`), so two phones scanning one badge at once
run one after the other, looks for the UUID again under the lock (a scan sent
twice, because the connection dropped before the answer came, gets its first
answer back), decides, and records one `CheckIn` row whatever the outcome.

At the entrance on day D: registered and confirmed for D → let in; already let
in that day → told when and by whom. At a session's door: a seat there → let
in; a seat elsewhere that round → told where to go; no seat that round → a
free place is booked through the seat writer (`booking.seat_walk_in`), or, when
full, the person joins the door's standby queue (`workshops.services.standby`).
Standby is served in order from free places at any time, and from no-shows'
seats once the event's release time after the start has passed
(`seat_standby`, through `booking.serve_standby`).

`DoorStaff` is who scans: a signed-in account with `workshops.check_in`, or a
device link (`workshops.services.checkin_devices`), which the history names.
"""

import uuid
from dataclasses import dataclass
from datetime import date

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from registration.errors import UserFacingError
from registration.models import Delegate, Event
from registration.services.locking import lock_delegate
from workshops.models import Booking, CheckIn, CheckinDevice, NoShowRelease, Session
from workshops.services.booking import (
    BookingError,
    SessionFull,
    SystemActor,
    release_bookings,
    seat_walk_in,
    serve_standby,
)
from workshops.services.standby import (
    day_bounds,
    day_of,
    join_standby,
    leave_standby,
    no_show_ids,
    place_in_line,
    release_time,
    waiting_entries,
    waiting_entry,
)

PERMISSION = "workshops.check_in"
ENTRANCE = "entrance"
SESSION = "session"
SEARCH_MIN_LENGTH = 2
SEARCH_LIMIT = 8
Outcome = CheckIn.Outcome
TONES = {
    Outcome.ADMITTED: "green",
    Outcome.WALK_IN: "green",
    Outcome.FROM_STANDBY: "green",
    Outcome.ALREADY: "amber",
    Outcome.STANDBY: "amber",
}


class CheckinError(UserFacingError):
    """A check-in request cannot be done; `message` says why, to the person holding the phone."""


@dataclass(frozen=True)
class DoorStaff:
    """Who is scanning: an account holding `workshops.check_in`, a device link, or the system."""

    user: object = None
    device: CheckinDevice | None = None
    system: str = ""

    @property
    def name(self):
        if self.device is not None:
            return self.device.label
        return self.system or self.user.get_username()

    @property
    def actor(self):
        """The booking history's actor for seats this door books or releases."""
        if self.user is not None:
            return self.user
        return SystemActor(f"check-in: {self.name}")

    def event(self):
        return self.device.event if self.device is not None else Event.objects.current()

    def days(self, event):
        return [self.device.day] if self.device is not None else event.days

    def sessions(self, event):
        """The sessions whose doors this staff may work, with what a door's name needs."""
        sessions = Session.objects.for_event(event).select_related("time_slot", "workshop", "room")
        if self.device is not None:
            start, end = day_bounds(self.device.day)
            sessions = sessions.filter(
                room__in=self.device.rooms.all(),
                time_slot__starts_at__gte=start,
                time_slot__starts_at__lt=end,
            )
        return sessions.order_by("time_slot__starts_at", "room__name")

    def may_use_entrance(self):
        return self.device is None or self.device.entrance


@dataclass(frozen=True)
class Door:
    """The entrance on `day`, or `session`'s room."""

    event: Event
    day: date
    session: Session | None = None

    @property
    def key(self):
        return f"{SESSION}:{self.session.pk}" if self.session else f"{ENTRANCE}:{self.day:%Y-%m-%d}"

    @property
    def label(self):
        if self.session is None:
            return f"Entrance, {self.day:%A %-d %B}"
        session = self.session
        return (
            f"{session.room.name}: {session.workshop.title} "
            f"({session.time_slot.name}, {session.time_slot.times})"
        )


def doors_for(*, staff, event):
    """Every door `staff` may work at `event`, entrances first (two queries)."""
    doors = (
        [Door(event=event, day=day) for day in staff.days(event)]
        if staff.may_use_entrance()
        else []
    )
    doors += [
        Door(event=event, day=day_of(session), session=session) for session in staff.sessions(event)
    ]
    return doors


def find_door(*, staff, key):
    """The door named `key` ("entrance:2019-05-23" or "session:12"), if `staff` may work it.

    Raises `CheckinError` otherwise.
    """
    event = staff.event()
    kind, _, value = (key or "").partition(":")
    refused = CheckinError("Choose one of your doors from the list.")
    if event is None:
        raise CheckinError("There is no current event.")
    if kind == ENTRANCE and staff.may_use_entrance():
        try:
            day = date.fromisoformat(value)
        except ValueError:
            raise refused from None
        if day in staff.days(event):
            return Door(event=event, day=day)
    elif kind == SESSION and value.isascii() and value.isdigit() and len(value) < 19:
        session = staff.sessions(event).filter(pk=int(value)).first()
        if session is not None:
            return Door(event=event, day=day_of(session), session=session)
    raise refused


def record_scan(*, scan_id, door, reference, by, scanned_at=None, now=None):
    """Check in whoever carries `reference` at `door`; return `(check_in, replayed)`.

    `scan_id` is the device's UUID for this scan: a scan already recorded is
    answered with its first `CheckIn` and `replayed` True, and changes nothing.
    Side effects: locks the delegate; inserts one `CheckIn` (an unknown badge
    too); at a session's door, may book a walk-in's seat (`seat_walk_in`,
    recorded in the booking history as done by the door) or put them on the
    door's standby queue. `scanned_at` is the device's clock, kept as told
    unless it is in the future.
    """
    now = now or timezone.now()
    scanned_at = min(scanned_at or now, now)
    delegate_id = (
        Delegate.objects.filter(event=door.event, checkin_reference=reference)
        .values_list("pk", flat=True)
        .first()
        if reference
        else None
    )
    record = {
        "scan_id": scan_id,
        "event": door.event,
        "day": door.day,
        "door": SESSION if door.session else ENTRANCE,
        "session": door.session,
        "door_label": door.label[:300],
        "scanned_at": scanned_at,
        "at": now,
        "actor": by.user,
        "device": by.device,
        "by_name": by.name[:150],
    }
    try:
        with transaction.atomic():
            if delegate_id is None:
                return _save(record, Outcome.UNKNOWN, "Send them to the registration desk."), False
            delegate = lock_delegate(delegate_id, related=["event", "agency"])
            # Under the lock: a scan sent twice at once waits here, then finds the first.
            found = _recorded(scan_id)
            if found is not None:
                return found, True
            record["delegate"] = delegate
            return _check_in(delegate=delegate, door=door, record=record, by=by), False
    except IntegrityError:
        # The same scan, sent twice at once, with nobody to lock (an unknown badge).
        found = _recorded(scan_id)
        if found is None:
            raise
        return found, True


def _recorded(scan_id):
    return CheckIn.objects.filter(scan_id=scan_id).select_related("delegate__agency").first()


def _save(record, outcome, message=""):
    return CheckIn.objects.create(
        **record, outcome=outcome, message=message, admitted=outcome in CheckIn.ADMITTING
    )


def _refusal(delegate, day):
    """The outcome and message refusing `delegate` on `day`, or None if they may come."""
    if not delegate.is_active:
        return Outcome.CANCELLED, "This registration was cancelled."
    if delegate.is_pending or not delegate.email_is_confirmed:
        return Outcome.INCOMPLETE, "Send them to the registration desk."
    if not delegate.attends_on(day):
        return Outcome.NOT_TODAY, "Their registration is for the other day."
    return None


def _already(prior):
    at = timezone.localtime(prior.at)
    return Outcome.ALREADY, f"Already checked in at {at:%H:%M} by {prior.by_name}."


def _check_in(*, delegate, door, record, by):
    refusal = _refusal(delegate, door.day)
    if refusal:
        return _save(record, *refusal)
    admitted = CheckIn.objects.filter(delegate=delegate, admitted=True)
    if door.session is None:
        prior = admitted.filter(door=ENTRANCE, day=door.day).first()
        return _save(record, *_already(prior)) if prior else _save(record, Outcome.ADMITTED)

    session = door.session
    prior = admitted.filter(door=SESSION, session=session).first()
    if prior:
        return _save(record, *_already(prior))
    seat = (
        delegate.bookings.filter(time_slot_id=session.time_slot_id)
        .select_related("session__workshop", "session__room")
        .first()
    )
    if seat and seat.session_id == session.pk:
        return _save(record, Outcome.ADMITTED)
    if seat:
        other = seat.session
        return _save(
            record, Outcome.ELSEWHERE, f"Go to {other.room.name}: “{other.workshop.title}”."
        )
    entry = waiting_entry(delegate=delegate, time_slot_id=session.time_slot_id)
    if entry and entry.session_id == session.pk:
        return _save(record, Outcome.ALREADY, f"On standby here: {_ordinal(place_in_line(entry))}.")
    try:
        with transaction.atomic():
            seat_walk_in(delegate=delegate, session=session, actor=by.actor)
    except SessionFull:
        scan = _save(record, Outcome.STANDBY)
        entry = join_standby(delegate=delegate, session=session, scan=scan)
        scan.message = f"{_ordinal(place_in_line(entry))} on standby at this door."
        scan.save(update_fields=["message"])
        return scan
    except BookingError as error:
        return _save(record, Outcome.NO_SEAT, error.message[:300])
    return _save(record, Outcome.WALK_IN, "Walk-in: a free place was booked for them.")


def _ordinal(n):
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix} in line"


@transaction.atomic
def undo_scan(*, scan_id, by, now=None):
    """Undo a mistaken scan that let someone in or put them on standby; return the `CheckIn`.

    Side effects: locks the delegate; marks the check-in undone (by `by`, now);
    a walk-in's seat is released through the seat writer (recorded as done by
    the door, handed to anyone waiting); a standby place is given up. Undoing
    twice changes nothing more. Raises `CheckinError` for a scan this staff
    never made at one of their doors, or one that let nobody in.
    """
    now = now or timezone.now()
    checkin = CheckIn.objects.filter(scan_id=scan_id).first()
    if checkin is None or not _may_see(by, checkin):
        raise CheckinError("That scan has not reached the server: there is nothing to undo.")
    if checkin.delegate_id:
        lock_delegate(checkin.delegate_id)
        checkin.refresh_from_db()
    if checkin.undone_at is not None:
        return checkin
    if checkin.outcome not in (Outcome.ADMITTED, Outcome.WALK_IN, Outcome.STANDBY):
        raise CheckinError("Nothing to undo: that scan let nobody in.")
    if checkin.outcome == Outcome.WALK_IN and checkin.session_id:
        seats = Booking.objects.filter(
            delegate_id=checkin.delegate_id, session_id=checkin.session_id
        )
        release_bookings(bookings=list(seats), actor=by.actor)
    if checkin.outcome == Outcome.STANDBY:
        leave_standby(scan=checkin, now=now)
    checkin.admitted = False
    checkin.undone_at = now
    checkin.undone_by_name = by.name[:150]
    checkin.save(update_fields=["admitted", "undone_at", "undone_by_name"])
    return checkin


def _may_see(by, checkin):
    if by.device is not None:
        return checkin.device_id == by.device.pk
    return by.user is not None and checkin.actor_id == by.user.pk


def search_attendees(*, door, text):
    """Up to eight people expected on the door's day whose names begin with the words typed.

    Only what the door needs: badge name, name, agency and the reference to
    check them in with. Raises `CheckinError` for fewer than two letters.
    """
    words = (text or "").split()[:3]
    if sum(len(w) for w in words) < SEARCH_MIN_LENGTH:
        raise CheckinError(f"Type at least {SEARCH_MIN_LENGTH} letters of a name.")
    people = Delegate.objects.attending_on(event=door.event, day=door.day)
    for word in words:
        word = word[:100]
        people = people.filter(
            Q(first_name__istartswith=word)
            | Q(last_name__istartswith=word)
            | Q(badge_name__istartswith=word)
            | Q(checkin_reference=word)
        )
    return list(
        people.order_by("last_name", "first_name", "pk").values(
            "checkin_reference",
            "badge_name",
            "first_name",
            "last_name",
            agency_name=F("agency__name"),
        )[:SEARCH_LIMIT]
    )


def sessions_on(*, delegate, day):
    """The delegate's seats on `day`, in time order (one query)."""
    start, end = day_bounds(day)
    return list(
        delegate.bookings.timetable().filter(
            time_slot__starts_at__gte=start, time_slot__starts_at__lt=end
        )
    )


def seat_standby(*, door, by, now=None):
    """Seat the people on standby at a session's door; return `(seated, released)` pairs.

    Free places go to them at any time; no-shows' seats only once the event's
    release time after the start has passed. Side effects: those of
    `booking.serve_standby`, plus a `CheckIn` letting each seated person in at
    that door and a `NoShowRelease` for each seat released. Raises
    `CheckinError` at the entrance.
    """
    now = now or timezone.now()
    if door.session is None:
        raise CheckinError("Standby queues are at session doors.")
    session = door.session
    due = release_time(session)
    with transaction.atomic():
        seated = serve_standby(
            session=session, actor=by.actor, release_no_shows=due is not None and now >= due
        )
        for delegate, released in seated:
            CheckIn.objects.create(
                scan_id=uuid.uuid4(),
                event=door.event,
                day=door.day,
                door=SESSION,
                session=session,
                door_label=door.label[:300],
                delegate=delegate,
                outcome=Outcome.FROM_STANDBY,
                admitted=True,
                message="Seated from standby."
                if released is None
                else "Seated from standby in a no-show's seat.",
                scanned_at=now,
                at=now,
                actor=by.user,
                device=by.device,
                by_name=by.name[:150],
            )
            if released is not None:
                NoShowRelease.objects.create(
                    session=session,
                    session_label=door.label[:300],
                    released=released,
                    seated=delegate,
                    at=now,
                    actor=by.user,
                    device=by.device,
                    by_name=by.name[:150],
                )
    return seated


def seat_standby_everywhere(*, event, now=None):
    """For the scheduler and `manage.py release_no_shows`: serve every queue of today's sessions.

    Side effects: those of `seat_standby`, done by "no-show release". Returns
    how many people were seated.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    start, end = day_bounds(today)
    staff = DoorStaff(system="no-show release")
    sessions = (
        Session.objects.for_event(event)
        .filter(
            time_slot__starts_at__gte=start,
            time_slot__starts_at__lt=end,
            standby__seated_at__isnull=True,
            standby__left_at__isnull=True,
        )
        .select_related("time_slot__event", "workshop", "room")
        .distinct()
        .order_by("pk")
    )
    seated = 0
    for session in sessions:
        door = Door(event=event, day=today, session=session)
        seated += len(seat_standby(door=door, by=staff, now=now))
    return seated


@dataclass
class DoorFigures:
    expected: int
    arrived: int
    standby: list
    release_at: object = None
    no_shows: int = 0


def door_figures(*, door, now=None):
    """What the door's panel shows: expected, arrived, the standby queue, no-shows."""
    now = now or timezone.now()
    if door.session is None:
        return DoorFigures(
            expected=Delegate.objects.attending_on(event=door.event, day=door.day).count(),
            arrived=CheckIn.objects.filter(
                event=door.event, day=door.day, door=ENTRANCE, admitted=True
            ).count(),
            standby=[],
        )
    session = door.session
    due = release_time(session)
    return DoorFigures(
        expected=Booking.objects.filter(session=session).count(),
        arrived=CheckIn.objects.filter(session=session, admitted=True).count(),
        standby=waiting_entries(session=session),
        release_at=due,
        no_shows=len(no_show_ids(session=session)) if due and now >= due else 0,
    )
