"""A delegate's day-two timetable as an iCalendar file."""

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event


def timetable_ics(*, delegate, bookings):
    """Return the .ics text for `bookings` (with session, workshop, room and slot loaded)."""
    event = delegate.event
    calendar = Calendar()
    calendar.add("prodid", "-//SOCEX registration//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", f"{event.name}: my workshops")
    stamp = timezone.now()
    for booking in bookings:
        session = booking.session
        entry = Event()
        entry.add("uid", f"socex-session-{session.pk}-delegate-{delegate.pk}@{_host()}")
        entry.add("dtstamp", stamp)
        entry.add("dtstart", booking.time_slot.starts_at)
        entry.add("dtend", booking.time_slot.ends_at)
        entry.add("summary", session.workshop.title)
        entry.add("location", f"{session.room.name}, {event.venue_name}, {event.venue_address}")
        entry.add("description", session.workshop.summary)
        calendar.add_component(entry)
    return calendar.to_ical().decode()


def _host():
    return settings.SITE_URL.split("://", 1)[-1].split("/", 1)[0] or "socex"
