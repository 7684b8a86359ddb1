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

Doors and who works them (`Door`, `DoorStaff`) are in `workshops.services.doors`.
"""

import uuid
from dataclasses import dataclass
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from registration.models import Delegate, name_begins, name_order
from registration.services.locking import lock_delegate
from workshops.models import Booking, CheckIn, NoShowRelease, Session
from workshops.services.booking import (
    BookingError,
    SessionFull,
    release_bookings,
    seat_walk_in,
    serve_standby,
)
from workshops.services.doors import (
    ENTRANCE,
    SESSION,
    CheckinError,
    Door,
    DoorStaff,
)
from workshops.services.standby import (
    day_bounds,
    join_standby,
    leave_standby,
    no_show_ids,
    place_in_line,
    release_time,
    waiting_entries,
    waiting_entry,
)

SEARCH_MIN_LENGTH = 2
# How far outside its door's day a phone's clock may place a scan (offline queues, time zones).
SCAN_CLOCK_MARGIN = timedelta(days=1)
SEARCH_LIMIT = 8
Outcome = CheckIn.Outcome
TONES = {
    Outcome.ADMITTED: "green",
    Outcome.WALK_IN: "green",
    Outcome.FROM_STANDBY: "green",
    Outcome.ALREADY: "amber",
    Outcome.STANDBY: "amber",
}


def check_door_is_open(door, *, scanned_at, now):
    """Raise `CheckinError` unless the scan was made on the door's day.

    Before the day (a volunteer trying the page, a phone with a wrong date) and
    after it (yesterday's door still chosen on a phone) a scan must not become
    attendance. The server's clock says whether the day has come; when the scan
    was made says whether it has gone (`scanned_at`, the phone's time where it is
    believable), so a scan queued offline on the day and sent after midnight
    still counts, until the end of the next day (`SCAN_CLOCK_MARGIN`): a phone's
    time cannot be checked, so a scan dated on the day but sent later than that
    is refused rather than trusted to add attendance after the event.
    """
    if timezone.localdate(now) < door.day:
        raise CheckinError(
            f"This door opens on {door.day:%A %-d %B %Y}: nobody can be checked in before then."
        )
    if now >= day_bounds(door.day)[1] + SCAN_CLOCK_MARGIN:
        raise CheckinError(
            f"This door closed on {door.day:%A %-d %B %Y}: scans sent after the next day "
            "are not recorded. An organiser can record attendance in the admin."
        )
    if timezone.localdate(scanned_at) > door.day:
        raise CheckinError(
            f"This door was for {door.day:%A %-d %B}: choose today's door from the list."
        )


def record_scan(*, scan_id, door, reference, by, scanned_at=None, now=None):
    """Check in whoever carries `reference` at `door`; return `(check_in, replayed)`.

    `scan_id` is the device's UUID for this scan: a scan already recorded is
    answered with its first `CheckIn` and `replayed` True, and changes nothing.
    Side effects: locks the delegate; inserts one `CheckIn` (an unknown badge
    too); at a session's door, may book a walk-in's seat (`seat_walk_in`,
    recorded in the booking history as done by the door) or put them on the
    door's standby queue. `scanned_at` is the device's clock, kept as told
    when it is believable (see `believable_scan_time`), otherwise replaced by now.
    Raises `CheckinError` for a scan made before or after the door's day
    (`check_door_is_open`), recording nothing.
    """
    now = now or timezone.now()
    scanned_at = believable_scan_time(scanned_at, day=door.day, now=now)
    try:
        check_door_is_open(door, scanned_at=scanned_at, now=now)
    except CheckinError:
        # A scan recorded on its day whose answer was lost is answered again, whenever it comes.
        found = _recorded(scan_id, by)
        if found is None:
            raise
        return found, True
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
        "facilitator": by.facilitator,
        "by_name": by.name[:150],
    }
    try:
        with transaction.atomic():
            if delegate_id is None:
                return _save(record, Outcome.UNKNOWN, "Send them to the registration desk."), False
            delegate = lock_delegate(delegate_id, related=["event", "agency"])
            # Under the lock: a scan sent twice at once waits here, then finds the first.
            found = _recorded(scan_id, by)
            if found is not None:
                return found, True
            record["delegate"] = delegate
            return _check_in(delegate=delegate, door=door, record=record, by=by), False
    except IntegrityError:
        # The same scan, sent twice at once, with nobody to lock (an unknown badge).
        found = _recorded(scan_id, by)
        if found is None:
            raise
        return found, True


def believable_scan_time(scanned_at, *, day, now):
    """`scanned_at` if a phone could have read the badge then for a door on `day`, else `now`.

    A phone's offline queue may be hours old, so any time from the day before
    the door's day to the day after it is kept (never later than `now`). A time
    outside that window is a phone whose clock is wrong (a reset to 1970, a
    typo'd year 1): the scan still counts, recorded as read when it arrived.
    """
    if scanned_at is None:
        return now
    start, end = day_bounds(day)
    if not start - SCAN_CLOCK_MARGIN <= scanned_at <= end + SCAN_CLOCK_MARGIN:
        return now
    return min(scanned_at, now)


def _recorded(scan_id, by):
    """The check-in `by` already recorded for `scan_id`, or None.

    A scan id another phone or person used is refused rather than answered: the
    answer names the delegate, and a scan id is all a replay would need.
    """
    found = CheckIn.objects.filter(scan_id=scan_id).select_related("delegate__agency").first()
    if found is not None and not _may_see(by, found):
        raise CheckinError("This scan was sent before from another phone: scan the badge again.")
    return found


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
    if by.facilitator is not None:
        return checkin.facilitator_id == by.facilitator.pk
    return by.user is not None and checkin.actor_id == by.user.pk


def search_attendees(*, door, text, booked_here=False):
    """Up to eight people expected on the door's day whose names begin with the words typed.

    Only what the door needs: badge name, name, agency and the reference to
    check them in with; with `booked_here` (a facilitator's search), only people
    booked on the door's session, so nobody else's name is listed to them.
    Raises `CheckinError` for fewer than two letters.
    """
    words = (text or "").split()[:3]
    if sum(len(w) for w in words) < SEARCH_MIN_LENGTH:
        raise CheckinError(f"Type at least {SEARCH_MIN_LENGTH} letters of a name.")
    people = Delegate.objects.attending_on(event=door.event, day=door.day)
    if booked_here:
        people = people.filter(bookings__session=door.session)
    words = [word[:100] for word in words]
    # Each word begins a name (or is the badge reference)...
    every_word = Q()
    for word in words:
        every_word &= name_begins(word) | Q(checkin_reference=word)
    # ... or the words run together begin one: "mary kate" finds "Mary-Kate".
    together = name_begins("".join(words)) if len(words) > 1 else Q(pk__in=[])
    people = people.filter(every_word | together)
    return list(
        people.order_by(*name_order()).values(
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
                facilitator=by.facilitator,
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
