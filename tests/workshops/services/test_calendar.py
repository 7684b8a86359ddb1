"""Calendar files: hostile text stays inside its property, escaped."""

from hypothesis import given, settings
from hypothesis import strategies as st
from icalendar import Calendar, Event

from tests.factories import DelegateFactory
from workshops.services.booking import book_sessions
from workshops.services.calendar import cancel_ics, ical_text, timetable_ics, update_ics

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
