"""Standby queues at full session doors, and who counts as a no-show.

A delegate with no seat in a round who turns up at a full session's door joins
its standby queue. When a place frees, or a set time after the session starts
a no-show's seat is released, the people on standby are seated in order of
arrival. This module decides *who* (the queue, the no-shows) and writes only
standby entries; the seats themselves are written by
`workshops.services.booking` (`serve_standby`), which imports this module and
never the other way round, as with the waiting lists.

A no-show is a delegate holding a seat in the session who has not been let in
at any door that day (the entrance or any session): someone who skipped the
entrance and was scanned at a room has arrived.
"""

from datetime import datetime, time, timedelta

from django.utils import timezone

from workshops.models import Booking, CheckIn, StandbyEntry
from workshops.services.locking import lock_sessions


def day_of(session):
    """The local date a session runs on."""
    return timezone.localdate(session.time_slot.starts_at)


def day_bounds(day):
    """The first instant of `day` and of the next, in the site's time zone."""
    start = timezone.make_aware(datetime.combine(day, time.min))
    return start, timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))


def release_time(session):
    """When no-shows' seats in `session` may be released, or None if the event never releases."""
    minutes = session.time_slot.event.no_show_release_minutes
    if minutes is None:
        return None
    return session.time_slot.starts_at + timedelta(minutes=minutes)


def arrived_ids(*, event, day):
    """A queryset of the ids of delegates let in at any door of `event` on `day`."""
    return CheckIn.objects.filter(event=event, day=day, admitted=True).values("delegate_id")


def no_show_ids(*, session):
    """Ids of the delegates holding a seat in `session` who have not arrived that day (one query).

    Most recently booked first: whoever booked earliest keeps their seat longest.
    """
    return list(
        Booking.objects.filter(session=session)
        .exclude(delegate_id__in=arrived_ids(event=session.time_slot.event, day=day_of(session)))
        .order_by("-created_at", "-pk")
        .values_list("delegate_id", flat=True)
    )


def waiting_entries(*, session):
    """The people on `session`'s standby queue, in order, with their delegates (one query)."""
    return list(
        StandbyEntry.objects.waiting()
        .filter(session=session)
        .select_related("delegate__event")
        .in_order()
    )


def place_in_line(entry):
    """1 for the next person seated at that door (one query)."""
    ahead = StandbyEntry.objects.waiting().filter(session_id=entry.session_id)
    return (
        ahead.filter(joined_at__lt=entry.joined_at).count()
        + ahead.filter(joined_at=entry.joined_at, pk__lt=entry.pk).count()
        + 1
    )


def waiting_entry(*, delegate, time_slot_id):
    """The delegate's place on standby in that round, if any."""
    return (
        StandbyEntry.objects.waiting()
        .filter(delegate=delegate, time_slot_id=time_slot_id)
        .select_related("session__workshop", "session__room")
        .first()
    )


def join_standby(*, delegate, session, scan, now=None):
    """Put `delegate` at the end of `session`'s standby queue (leaving any other door's that round).

    The caller holds the delegate's lock; this takes the session's (after it, as
    every writer does), so people joining one door's queue at once join it one
    after another and `place_in_line` tells each their own place. Side effects:
    marks their entry at another door of the round as left, inserts the entry.
    Returns it.
    """
    lock_sessions([session.pk])
    now = now or timezone.now()
    StandbyEntry.objects.waiting().filter(
        delegate=delegate, time_slot_id=session.time_slot_id
    ).update(left_at=now)
    return StandbyEntry.objects.create(
        delegate=delegate, session=session, time_slot_id=session.time_slot_id, scan=scan
    )


def leave_standby(*, scan, now=None):
    """Take the person off the queue the scan `scan` put them on; return whether they were on it.

    The caller holds the delegate's lock. Side effects: marks the entry as left.
    """
    return bool(
        StandbyEntry.objects.waiting().filter(scan=scan).update(left_at=now or timezone.now())
    )


def mark_seated(*, entry, now=None):
    """Side effects: marks the entry as served (the caller has just given them the seat)."""
    entry.seated_at = now or timezone.now()
    entry.save(update_fields=["seated_at"])


def standby_seat_problem(*, delegate, session, held):
    """Why `delegate` (holding `held` bookings) cannot take a seat in `session` now, or ''."""
    if not delegate.is_active or delegate.is_pending or not delegate.email_is_confirmed:
        return "Their registration is not active."
    if not delegate.attends_on(day_of(session)):
        return "They are not registered for that day."
    for booking in held:
        if booking.time_slot_id == session.time_slot_id:
            return "They already hold a seat in that round."
        if booking.workshop_id == session.workshop_id:
            return f"They are already booked on “{session.workshop.title}” in another round."
    return ""
