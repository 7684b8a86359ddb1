"""Calendar files: hostile text stays inside its property, escaped."""

import re
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

from hypothesis import given, settings
from hypothesis import strategies as st
from icalendar import Calendar, Event, vCalAddress, vDuration, vText

from tests.factories import DelegateFactory
from workshops.services.booking import book_sessions
from workshops.services.calendar import (
    cancel_ics,
    ical_text,
    round_uid,
    timetable_ics,
    update_ics,
)

HOSTILE_TITLE = "Cyber; crime, and\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nSUMMARY:injected"


def test_hostile_titles_and_names_are_escaped(programme, four_sessions):
    workshop = four_sessions[0].workshop
    workshop.title = HOSTILE_TITLE
    workshop.summary = "Line one\nLine two; with, punctuation \\ and a backslash"
    workshop.save()
    delegate = DelegateFactory(
        event=programme["event"], first_name='Ann "Nan"\nORGANIZER', last_name="O'Neil; Jr, QPM"
    )
    book_sessions(delegate=delegate, sessions=four_sessions)
    bookings = list(delegate.bookings.timetable())

    for text in (
        update_ics(delegate=delegate, bookings=bookings),
        timetable_ics(delegate=delegate, bookings=bookings),
        cancel_ics(delegate=delegate, sessions=[b.session for b in bookings]),
    ):
        assert "\nSUMMARY:injected" not in text
        assert "\nEND:VEVENT\r\nBEGIN:VEVENT\r\nSUMMARY:injected" not in text
        calendar = Calendar.from_ical(text)
        events = calendar.walk("VEVENT")
        assert len(events) == 4
        # iCalendar has one line break, \n: the title keeps its words and its breaks.
        title = HOSTILE_TITLE.replace("\r\n", "\n")
        first = next(e for e in events if str(e["SUMMARY"]) == title)
        assert str(first["DESCRIPTION"]) == workshop.summary
        if "ATTENDEE" in first:
            assert first["ATTENDEE"].params["CN"] == "Ann 'Nan' ORGANIZER O'Neil; Jr, QPM"


@settings(max_examples=300, deadline=None)
@given(
    summary=st.text(alphabet=st.sampled_from("ab c,;\\^:\"\n'é—€xyz09"), max_size=400),
    description=st.text(max_size=400),
)
def test_calendar_text_is_folded_exactly_as_icalendar_folds_it(summary, description):
    calendar = Calendar()
    calendar.add("prodid", "-//SOCEX registration//EN")
    entry = Event()
    entry.add("summary", summary)
    entry.add("description", description)
    entry.add("location", "Room " + summary[::-1])
    calendar.add_component(entry)
    assert ical_text(calendar) == calendar.to_ical().decode()


def _library_calendar(*, delegate, method, rows, invited, status=None, publish=False):
    """The calendar file as the `icalendar` library builds it: what ours must equal."""
    calendar = Calendar()
    calendar.add("prodid", "-//SOCEX registration//EN")
    calendar.add("version", "2.0")
    calendar.add("method", method)
    # The library writes an X- property's text as it is (and fails on a line break);
    # ours escapes it as TEXT, which is what the oracle is given.
    calendar.add("x-wr-calname", vText(f"{delegate.event.name}: my workshops").to_ical().decode())
    if publish:
        calendar.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})
        calendar.add("x-published-ttl", vDuration(timedelta(hours=1)))
    event = delegate.event
    for time_slot, session, sequence in rows:
        entry = Event()
        entry.add("uid", round_uid(delegate_id=delegate.pk, time_slot_id=time_slot.pk))
        entry.add("sequence", sequence)
        entry.add("dtstamp", datetime(2019, 5, 1, 8, 0, tzinfo=UTC))
        entry.add("dtstart", time_slot.starts_at)
        entry.add("dtend", time_slot.ends_at)
        entry.add("summary", session.workshop.title)
        entry.add("location", f"{session.room.name}, {event.venue_name}, {event.venue_address}")
        entry.add("description", session.workshop.summary)
        if invited:
            organiser = vCalAddress(f"mailto:{event.contact_email}")
            organiser.params["cn"] = " ".join(event.name.replace('"', "'").split())
            entry.add("organizer", organiser)
            attendee = vCalAddress(f"mailto:{delegate.email}")
            attendee.params["cn"] = " ".join(delegate.full_name.replace('"', "'").split())
            attendee.params["partstat"] = "ACCEPTED"
            attendee.params["rsvp"] = "FALSE"
            entry.add("attendee", attendee)
        if status:
            entry.add("status", status)
        calendar.add_component(entry)
    return calendar.to_ical().decode()


def _same_stamp(text):
    return re.sub(r"DTSTAMP:\d{8}T\d{6}Z", "DTSTAMP:20190501T080000Z", text)


HOSTILE = st.text(alphabet=st.sampled_from("ab c,;\\^:\"\n\r'’é—€xyzN09\t"), max_size=120)


@settings(max_examples=200, deadline=None)
@given(
    title=HOSTILE,
    summary=st.text(max_size=300),
    room=HOSTILE,
    event_name=HOSTILE,
    full_name=HOSTILE,
    sequence=st.integers(min_value=0, max_value=1000),
)
def test_calendar_files_are_exactly_what_icalendar_writes(
    title, summary, room, event_name, full_name, sequence
):
    event = SimpleNamespace(
        name=event_name,
        venue_name="Jurys Inn; Hinckley",
        venue_address="Watling Street, Hinckley, LE10 3JA",
        contact_email="events@socex.example",
    )
    delegate = SimpleNamespace(
        pk=42, email="ann.o'neil@police.example", full_name=full_name, event=event
    )
    rows = []
    for pk in (1, 2):
        time_slot = SimpleNamespace(
            pk=pk,
            starts_at=datetime(2019, 5, 22, 9 + pk, 30, 15, 123456, tzinfo=UTC),
            ends_at=datetime(2019, 5, 22, 10 + pk, 45, tzinfo=UTC),
        )
        session = SimpleNamespace(
            time_slot=time_slot,
            time_slot_id=pk,
            workshop=SimpleNamespace(title=title * pk, summary=summary),
            room=SimpleNamespace(name=room),
        )
        rows.append((time_slot, session, sequence + pk))
    bookings = [SimpleNamespace(time_slot=t, session=s, time_slot_id=t.pk) for t, s, _ in rows]
    sequence_of = {t.pk: n for t, _, n in rows}

    ours = update_ics(delegate=delegate, bookings=bookings, sequence_of=sequence_of)
    library = _library_calendar(delegate=delegate, method="REQUEST", rows=rows, invited=True)
    assert _same_stamp(ours) == library
    ours = cancel_ics(delegate=delegate, sessions=[s for _, s, _ in rows], sequence_of=sequence_of)
    library = _library_calendar(
        delegate=delegate, method="CANCEL", rows=rows, invited=True, status="CANCELLED"
    )
    assert _same_stamp(ours) == library
    ours = timetable_ics(delegate=delegate, bookings=bookings, sequence_of=sequence_of)
    library = _library_calendar(
        delegate=delegate, method="PUBLISH", rows=rows, invited=False, publish=True
    )
    assert _same_stamp(ours) == library
