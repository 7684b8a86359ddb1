import pytest

from tests.factories import (
    EventFactory,
    RoomFactory,
    SessionFactory,
    TimeSlotFactory,
    WorkshopFactory,
)
from tests.mail_backends import CountingBackend


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


@pytest.fixture
def four_sessions(programme):
    """A valid set of choices: one per round, four different workshops."""
    s = programme["sessions"]
    return [s[(0, 0)], s[(1, 4)], s[(2, 2)], s[(3, 6)]]


@pytest.fixture
def counting_backend(settings):
    """Django's test mail backend, counting connections: `counting_backend.made`."""
    settings.EMAIL_BACKEND = "tests.mail_backends.CountingBackend"
    CountingBackend.made = 0
    return CountingBackend
