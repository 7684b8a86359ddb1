import datetime

import pytest
from django.utils import timezone
from hypothesis import settings as hypothesis_settings

from registration.models import Event
from registration.services.link import issue_manage_link
from tests.factories import (
    DelegateFactory,
    EventFactory,
    RoomFactory,
    SessionFactory,
    TimeSlotFactory,
    WorkshopFactory,
)
from tests.mail_backends import CountingBackend
from tests.seat_tally import can_check, tally_errors
from workshops.services.booking import book_sessions

# No per-example time limit: CI and a busy laptop run property tests at any speed, and a
# slow example is not a wrong one (Hypothesis's default 200 ms made them flaky under load).
hypothesis_settings.register_profile("socex", deadline=None)
hypothesis_settings.load_profile("socex")


@pytest.fixture(autouse=True)
def email_only_from_the_worker(settings):
    """Every test's mail backend fails it if a request sends email (a test may pick another)."""
    settings.EMAIL_BACKEND = "tests.mail_backends.OutsideRequestsBackend"


@pytest.fixture(autouse=True)
def mail_server_not_failed_lately(monkeypatch):
    """Each test starts with no memory of a mail server failing (a process-wide note that
    makes sending jobs wait for the periodic retry)."""
    monkeypatch.setattr("outbox.sending._server_failed_at", None)


DATABASE_FIXTURES = ("db", "transactional_db", "django_db_reset_sequences", "live_server")


@pytest.fixture(autouse=True)
def seat_tally_stays_exact(request):
    """After every test that writes to the database, each delegate's `SeatTally` row still
    says what their bookings and registration say, whatever wrote them (the triggers of
    migration workshops 0021 keep it)."""
    uses_database = request.node.get_closest_marker("django_db") or any(
        name in request.fixturenames for name in DATABASE_FIXTURES
    )
    if not uses_database:
        yield
        return
    # Set up the database before this fixture, so it is still there when this one checks.
    request.getfixturevalue("_django_db_helper")
    yield
    if can_check():
        assert tally_errors() == []


@pytest.fixture
def event(db):
    return EventFactory()


@pytest.fixture
def programme(event):
    """Four rounds, eight workshops each run twice, rooms of 2 seats: the SOCEX shape, small.

    Returns a dict with `event`, `slots` (list), `workshops` (list) and
    `sessions` (dict keyed by (round index, workshop index), both from 0).
    """
    slots = [TimeSlotFactory(event=event) for _ in range(4)]
    workshops = [WorkshopFactory(event=event, title=f"Workshop {i + 1}") for i in range(8)]
    rooms = [RoomFactory(capacity=2) for _ in range(4)]
    plan = [(0, 1, 2, 3), (4, 5, 6, 7), (2, 3, 4, 5), (0, 1, 6, 7)]
    sessions = {}
    for round_index, workshop_indexes in enumerate(plan):
        for room, workshop_index in zip(rooms, workshop_indexes, strict=True):
            sessions[(round_index, workshop_index)] = SessionFactory(
                workshop=workshops[workshop_index], time_slot=slots[round_index], room=room
            )
    return {"event": event, "slots": slots, "workshops": workshops, "sessions": sessions}


ROUND_ONE_STARTS = datetime.datetime(2019, 5, 23, 9, 0, tzinfo=datetime.UTC)  # 10:00 in Kenilworth


@pytest.fixture
def on_the_day(programme):
    """The programme on SOCEX 2019's own dates, 22–23 May 2019, its four rounds on day two
    hourly from 10:00 local time: check-in tests name the day and the hour.

    (`TimeSlotFactory` counts its hours on across a test run.)
    """
    event = programme["event"]
    event.starts_on, event.ends_on = datetime.date(2019, 5, 22), datetime.date(2019, 5, 23)
    event.save()
    for index, slot in enumerate(programme["slots"]):
        slot.starts_at = ROUND_ONE_STARTS + datetime.timedelta(hours=index)
        slot.ends_at = slot.starts_at + datetime.timedelta(minutes=50)
        slot.save()
    return programme


@pytest.fixture
def four_sessions(programme):
    """A valid set of choices: one per round, four different workshops."""
    s = programme["sessions"]
    return [s[(0, 0)], s[(1, 4)], s[(2, 2)], s[(3, 6)]]


# Seven full sets (round 1..4 workshop indexes) that leave exactly one seat in each round:
# Workshop 1 in rounds 1 and 4, Workshop 5 in rounds 2 and 3. Nobody may hold either twice.
SEVEN_SETS = [
    (0, 4, 2, 1),
    (1, 5, 2, 0),
    (1, 5, 3, 6),
    (2, 6, 3, 7),
    (2, 6, 4, 7),
    (3, 7, 5, 1),
    (3, 7, 5, 6),
]


@pytest.fixture
def stranded_programme(programme):
    """The programme with one seat free in every round and no full set among them."""
    event, sessions = programme["event"], programme["sessions"]
    for workshops in SEVEN_SETS:
        book_sessions(
            delegate=DelegateFactory(event=event),
            sessions=[sessions[(r, w)] for r, w in enumerate(workshops)],
        )
    return programme


@pytest.fixture
def counting_backend(settings):
    """Django's test mail backend, counting connections: `counting_backend.made`."""
    settings.EMAIL_BACKEND = "tests.mail_backends.CountingBackend"
    CountingBackend.made = 0
    return CountingBackend


@pytest.fixture
def ballot_event(programme):
    """The programme's event in ballot mode, the ballot closing in a day."""
    event = programme["event"]
    event.booking_mode = Event.BookingMode.BALLOT
    event.ballot_closes_at = timezone.now() + datetime.timedelta(days=1)
    event.save()
    return event


@pytest.fixture
def close_ballot():
    """Call with an event to close its ballot a minute ago."""

    def close(event):
        event.ballot_closes_at = timezone.now() - datetime.timedelta(minutes=1)
        event.save(update_fields=["ballot_closes_at"])

    return close


@pytest.fixture
def sign_in(client):
    """Call with a delegate to sign them in as they would: by opening an emailed link."""

    def sign_in_as(delegate):
        path = issue_manage_link(delegate=delegate).removeprefix("http://127.0.0.1:8000")
        response = client.post(path)
        assert response.status_code == 302
        return client

    return sign_in_as
