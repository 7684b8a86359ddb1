"""Calendar files: hostile text stays inside its property, escaped."""

from icalendar import Calendar

from tests.factories import DelegateFactory
from workshops.services.booking import book_sessions
from workshops.services.calendar import cancel_ics, timetable_ics, update_ics

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
