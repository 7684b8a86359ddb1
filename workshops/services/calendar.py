"""A delegate's day-two workshops as iCalendar: email attachments, the download and the feed.

Each event's UID names the delegate and the round (`round_uid`), never the
session, and its SEQUENCE is the round's `CalendarEntry.sequence`, which
rises with every change to the seat (`workshops.services.seat_changes`). So a
calendar app that has the entry replaces it when the delegate changes
workshop in that round, and removes it on a METHOD:CANCEL with the same UID.

- `update_ics`: METHOD:REQUEST for the rounds held (emails about a booking or a change);
- `cancel_ics`: METHOD:CANCEL for rounds given up (emails about a seat or registration lost);
- `timetable_ics`: METHOD:PUBLISH of every seat held (the download and the private feed);
- `raise_sequences`: one more SEQUENCE for rounds whose entry changed, before sending it.

Text (titles, names, rooms) is escaped by the `icalendar` library: a title
with a newline, comma or semicolon stays one property value. Its lines are
folded here (`ical_text`), exactly as the library folds them but a slice at a
time rather than a character at a time: the calendar file was a third of the
email a booking queues, inside the booking request.
"""

from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.utils import timezone
from icalendar import Calendar, Event, vCalAddress, vDuration

from workshops.models import CalendarEntry


def round_uid(*, delegate_id, time_slot_id):
    """The UID of a delegate's entry for one round, the same whatever workshop they hold in it."""
    return f"socex-delegate-{delegate_id}-round-{time_slot_id}@{_host()}"


def sequences(*, delegate):
    """The delegate's SEQUENCE per time slot id (one query); a round never changed is absent."""
    return dict(
        CalendarEntry.objects.filter(delegate=delegate).values_list("time_slot_id", "sequence")
    )


def update_ics(*, delegate, bookings, sequence_of=None):
    """METHOD:REQUEST for `bookings` (session, workshop, room and slot loaded): add or update."""
    sequence_of = sequences(delegate=delegate) if sequence_of is None else sequence_of
    calendar = _calendar(delegate=delegate, method="REQUEST")
    for booking in bookings:
        calendar.add_component(
            _entry(
                delegate=delegate,
                time_slot=booking.time_slot,
                session=booking.session,
                sequence=sequence_of.get(booking.time_slot_id, 0),
                invited=True,
            )
        )
    return ical_text(calendar)


def cancel_ics(*, delegate, sessions, sequence_of=None):
    """METHOD:CANCEL for the rounds of `sessions` given up (workshop, room and slot loaded)."""
    sequence_of = sequences(delegate=delegate) if sequence_of is None else sequence_of
    calendar = _calendar(delegate=delegate, method="CANCEL")
    for session in sessions:
        entry = _entry(
            delegate=delegate,
            time_slot=session.time_slot,
            session=session,
            sequence=sequence_of.get(session.time_slot_id, 0),
            invited=True,
        )
        entry.add("status", "CANCELLED")
        calendar.add_component(entry)
    return ical_text(calendar)


def timetable_ics(*, delegate, bookings, sequence_of=None):
    """METHOD:PUBLISH of `bookings`: the download, and the feed a calendar app subscribes to."""
    sequence_of = sequences(delegate=delegate) if sequence_of is None else sequence_of
    calendar = _calendar(delegate=delegate, method="PUBLISH")
    # Calendar apps poll a subscribed feed; this asks for about an hourly refresh.
    calendar.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", vDuration(timedelta(hours=1)))
    for booking in bookings:
        calendar.add_component(
            _entry(
                delegate=delegate,
                time_slot=booking.time_slot,
                session=booking.session,
                sequence=sequence_of.get(booking.time_slot_id, 0),
            )
        )
    return ical_text(calendar)


# RFC 5545 folds lines longer than 75 octets; icalendar ends each piece before its 75th.
FOLD_AT = 74
# icalendar never ends a piece on one of these (a TEXT or parameter escape would split).
ESCAPES = "\\^"


def ical_text(calendar):
    """`calendar.to_ical().decode()`, the same text, folding each line a slice at a time."""
    return "".join(_folded(line) + "\r\n" for line in calendar.content_lines() if line)


def _folded(line):
    """`line` folded as icalendar's `Contentline.to_ical` folds it.

    A line of ASCII is cut every `FOLD_AT` characters, one earlier where a
    piece would end on an escape character; anything else (a multi-byte
    character counts by its octets) goes through the library itself.
    """
    if len(line) <= FOLD_AT and line.isascii():
        return str(line)
    if not line.isascii():
        return line.to_ical().decode()
    pieces, start = [], 0
    while len(line) - start > FOLD_AT:
        end = start + FOLD_AT
        if line[end - 1] in ESCAPES and end - start > 1:
            end -= 1
        pieces.append(line[start:end])
        start = end
    pieces.append(line[start:])
    return "\r\n ".join(pieces)


def _calendar(*, delegate, method):
    calendar = Calendar()
    calendar.add("prodid", "-//SOCEX registration//EN")
    calendar.add("version", "2.0")
    calendar.add("method", method)
    calendar.add("x-wr-calname", f"{delegate.event.name}: my workshops")
    return calendar


def _entry(*, delegate, time_slot, session, sequence, invited=False):
    event = delegate.event
    entry = Event()
    entry.add("uid", round_uid(delegate_id=delegate.pk, time_slot_id=time_slot.pk))
    entry.add("sequence", sequence)
    entry.add("dtstamp", timezone.now())
    entry.add("dtstart", time_slot.starts_at)
    entry.add("dtend", time_slot.ends_at)
    entry.add("summary", session.workshop.title)
    entry.add("location", f"{session.room.name}, {event.venue_name}, {event.venue_address}")
    entry.add("description", session.workshop.summary)
    if invited:
        # A REQUEST or CANCEL names who sends it and to whom (RFC 5546); nobody is asked to reply.
        organiser = vCalAddress(f"mailto:{event.contact_email}")
        organiser.params["cn"] = _parameter(event.name)
        entry.add("organizer", organiser)
        attendee = vCalAddress(f"mailto:{delegate.email}")
        attendee.params["cn"] = _parameter(delegate.full_name)
        attendee.params["partstat"] = "ACCEPTED"
        attendee.params["rsvp"] = "FALSE"
        entry.add("attendee", attendee)
    return entry


def _parameter(text):
    """A name fit for a parameter value: iCalendar cannot escape a quote or a line break there."""
    return " ".join(text.replace('"', "'").split())


def _host():
    return settings.SITE_URL.split("://", 1)[-1].split("/", 1)[0] or "socex"


def raise_sequences(*, delegate, time_slot_ids):
    """Add one to the SEQUENCE of each round (a new round starts at 0); return them by slot id.

    One statement: an insert of each round at 0 that, where the delegate has
    an entry for the round already, adds one to it instead (an upsert, which
    PostgreSQL and SQLite spell alike). Only the rounds in `time_slot_ids` are
    returned: the emails about a change carry only the rounds it changed.
    """
    table = CalendarEntry._meta.db_table
    quote = connection.ops.quote_name
    delegate_id, time_slot_id, sequence = (
        quote(CalendarEntry._meta.get_field(name).column)
        for name in ("delegate", "time_slot", "sequence")
    )
    slots = sorted(set(time_slot_ids))
    if not slots:
        return {}
    sql = (
        f"INSERT INTO {quote(table)} ({delegate_id}, {time_slot_id}, {sequence}) "
        f"VALUES {', '.join(['(%s, %s, 0)'] * len(slots))} "
        f"ON CONFLICT ({delegate_id}, {time_slot_id}) "
        f"DO UPDATE SET {sequence} = {quote(table)}.{sequence} + 1"
    )
    params = [value for slot in slots for value in (delegate.pk, slot)]
    returning = connection.features.can_return_rows_from_bulk_insert
    with connection.cursor() as cursor:
        cursor.execute(f"{sql} RETURNING {time_slot_id}, {sequence}" if returning else sql, params)
        if returning:
            return dict(cursor.fetchall())
    # An SQLite older than 3.35 has no RETURNING.
    return dict(
        CalendarEntry.objects.filter(delegate=delegate, time_slot_id__in=slots).values_list(
            "time_slot_id", "sequence"
        )
    )
