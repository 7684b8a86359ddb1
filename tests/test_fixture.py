from itertools import product

import pytest
from django.core.management import call_command

from registration.models import Agency, Event
from tests.factories import DelegateFactory
from workshops.models import Booking, Session, TimeSlot, Workshop
from workshops.services.availability import day_two_places_left
from workshops.services.booking import book_sessions


@pytest.fixture
def socex(db):
    call_command("loaddata", "socex2019", verbosity=0)
    return Event.objects.get()


def test_fixture_holds_the_socex_2019_event(socex):
    assert socex.name == "Strategic SOCEX 2019"
    assert (socex.starts_on.isoformat(), socex.ends_on.isoformat()) == ("2019-05-22", "2019-05-23")
    assert socex.venue_name == "Chesford Grange"
    assert socex.choices_required == 4
    assert Workshop.objects.count() == 8
    assert TimeSlot.objects.count() == 4
    assert Session.objects.count() == 16


def test_fixture_runs_each_workshop_twice_in_different_slots(socex):
    for workshop in Workshop.objects.all():
        slots = list(workshop.sessions.values_list("time_slot", flat=True))
        assert len(slots) == 2
        assert len(set(slots)) == 2


def test_fixture_lists_every_territorial_force(socex):
    assert Agency.objects.filter(kind=Agency.Kind.POLICE_FORCE).count() == 48  # 43 + 5 others
    for name in ["Police Scotland", "Police Service of Northern Ireland", "National Crime Agency"]:
        assert Agency.objects.filter(name=name).exists()
    assert Agency.objects.filter(kind=Agency.Kind.ROCU).count() == 9


def test_fixture_every_day_two_seat_can_be_filled_with_valid_choices(socex):
    """As many delegates as a slot has seats can each hold four different workshops."""
    sessions = list(Session.objects.select_related("time_slot", "workshop"))
    by_slot = {}
    for session in sessions:
        by_slot.setdefault(session.time_slot.starts_at, []).append(session)
    valid_sets = [
        combo
        for combo in product(*[by_slot[start] for start in sorted(by_slot)])
        if len({s.workshop_id for s in combo}) == 4
    ]
    seats_per_slot = {sum(s.capacity for s in slot) for slot in by_slot.values()}
    assert seats_per_slot == {day_two_places_left(event=socex)} == {200}
    left = {s.pk: s.capacity for s in sessions}
    for _ in range(200):
        # Take the set whose sessions have the most places left, so no seat is stranded.
        best = max(
            (c for c in valid_sets if all(left[s.pk] for s in c)),
            key=lambda c: sum(left[s.pk] for s in c),
        )
        book_sessions(delegate=DelegateFactory(event=socex), sessions=list(best))
        for s in best:
            left[s.pk] -= 1
    assert Booking.objects.count() == 800
    assert day_two_places_left(event=socex) == 0
    assert all(s.seats_taken == s.capacity for s in Session.objects.with_seats())


def test_load_event_data_loads_once_and_keeps_changes(db):
    call_command("load_event_data", verbosity=0)
    Event.objects.update(name="Renamed by an organiser")
    call_command("load_event_data", verbosity=0)
    assert Event.objects.get().name == "Renamed by an organiser"
    assert Workshop.objects.count() == 8
