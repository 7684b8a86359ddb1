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

The files are written here line by line, exactly as the `icalendar` library
writes the same calendar (its property order, TEXT escaping, parameter quoting
and line folding; tests compare the two on hostile text): building the
library's components and serialising them took 0.9 ms of the 7.5 ms a booking
request costs, and every change email in the worker pays it too. Text (titles,
names, rooms) is escaped as the library escapes it, so a title with a newline,
comma or semicolon stays one property value; a parameter value (a name) goes
through the library's own quoting (`param_value`). Lines are folded
(`_folded`) exactly as the library folds them but a slice at a time.
"""

from datetime import UTC

from django.conf import settings
from django.db import connection
from django.utils import timezone
from icalendar.parser import Contentline
from icalendar.parser.parameter import param_value

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
    now = timezone.now()
    return _calendar_text(
        delegate=delegate,
        method="REQUEST",
        entries=[
            _entry(
                delegate=delegate,
                time_slot=booking.time_slot,
                session=booking.session,
                sequence=sequence_of.get(booking.time_slot_id, 0),
                now=now,
                invited=True,
            )
            for booking in bookings
        ],
    )


def cancel_ics(*, delegate, sessions, sequence_of=None):
    """METHOD:CANCEL for the rounds of `sessions` given up (workshop, room and slot loaded)."""
    sequence_of = sequences(delegate=delegate) if sequence_of is None else sequence_of
    now = timezone.now()
    return _calendar_text(
        delegate=delegate,
        method="CANCEL",
        entries=[
            _entry(
                delegate=delegate,
                time_slot=session.time_slot,
                session=session,
                sequence=sequence_of.get(session.time_slot_id, 0),
                now=now,
                invited=True,
                status="CANCELLED",
            )
            for session in sessions
        ],
    )


def timetable_ics(*, delegate, bookings, sequence_of=None):
    """METHOD:PUBLISH of `bookings`: the download, and the feed a calendar app subscribes to."""
    sequence_of = sequences(delegate=delegate) if sequence_of is None else sequence_of
    now = timezone.now()
    return _calendar_text(
        delegate=delegate,
        method="PUBLISH",
        # Calendar apps poll a subscribed feed; this asks for about an hourly refresh.
        extra=["REFRESH-INTERVAL;VALUE=DURATION:PT1H", "X-PUBLISHED-TTL:PT1H"],
        entries=[
            _entry(
                delegate=delegate,
                time_slot=booking.time_slot,
                session=booking.session,
                sequence=sequence_of.get(booking.time_slot_id, 0),
                now=now,
            )
            for booking in bookings
        ],
    )


# RFC 5545 folds lines longer than 75 octets; icalendar ends each piece before its 75th.
FOLD_AT = 74
# icalendar never ends a piece on one of these (a TEXT or parameter escape would split).
ESCAPES = "\\^"


def ical_text(calendar):
    """`calendar.to_ical().decode()` of an `icalendar.Calendar`, folding a slice at a time."""
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
        return Contentline(line).to_ical().decode()
    pieces, start = [], 0
    while len(line) - start > FOLD_AT:
        end = start + FOLD_AT
        if line[end - 1] in ESCAPES and end - start > 1:
            end -= 1
        pieces.append(line[start:end])
        start = end
    pieces.append(line[start:])
    return "\r\n ".join(pieces)


def _calendar_text(*, delegate, method, entries, extra=()):
    # The library's order: VCALENDAR's canonical properties, the rest alphabetically,
    # then the events.
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//SOCEX registration//EN",
        f"METHOD:{method}",
        f"X-WR-CALNAME:{_text(f'{delegate.event.name}: my workshops')}",
        *extra,
    ]
    for entry in entries:
        lines.extend(entry)
    lines.append("END:VCALENDAR")
    return "".join(_folded(line) + "\r\n" for line in lines)


def _entry(*, delegate, time_slot, session, sequence, now, invited=False, status=None):
    """A VEVENT's lines, in the library's order: SUMMARY ... SEQUENCE, then alphabetically."""
    event = delegate.event
    uid = round_uid(delegate_id=delegate.pk, time_slot_id=time_slot.pk)
    lines = [
        "BEGIN:VEVENT",
        f"SUMMARY:{_text(session.workshop.title)}",
        f"DTSTART:{_utc(time_slot.starts_at)}",
        f"DTEND:{_utc(time_slot.ends_at)}",
        f"DTSTAMP:{_utc(now)}",
        f"UID:{_text(uid)}",
        f"SEQUENCE:{int(sequence)}",
    ]
    if invited:
        # A REQUEST or CANCEL names who sends it and to whom (RFC 5546); nobody is asked to reply.
        lines.append(
            f"ATTENDEE;CN={_name(delegate.full_name)};PARTSTAT=ACCEPTED;RSVP=FALSE"
            f":mailto:{delegate.email}"
        )
    lines.append(f"DESCRIPTION:{_text(session.workshop.summary)}")
    location = f"{session.room.name}, {event.venue_name}, {event.venue_address}"
    lines.append(f"LOCATION:{_text(location)}")
    if invited:
        lines.append(f"ORGANIZER;CN={_name(event.name)}:mailto:{event.contact_email}")
    if status:
        lines.append(f"STATUS:{status}")
    lines.append("END:VEVENT")
    return lines


def _text(value):
    """A TEXT value escaped as icalendar escapes it (RFC 5545 3.3.11), in its order."""
    return (
        value.replace(r"\N", "\n")
        .replace("\\", "\\\\")
        .replace(";", r"\;")
        .replace(",", r"\,")
        .replace("\r\n", r"\n")
        .replace("\n", r"\n")
        .replace("\r", r"\n")
    )


def _utc(moment):
    """A DATE-TIME in UTC, as icalendar writes an aware UTC datetime: 20190522T090000Z."""
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _name(text):
    """A CN parameter value: quoted as icalendar quotes a CN (also for a space or an apostrophe)."""
    value = _parameter(text)
    return param_value(value, always_quote=any(c in value for c in " '"))


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
