"""Load a generated ballot (`workshops.allocation.generate_instance`) into the database.

For the benchmarks that start a run as an organiser would and for the tests of
real worker processes: an event in ballot mode with its ballot closed, a room,
workshop and session per generated session, and one confirmed day-two delegate
per generated delegate with their ranking, all by bulk insert.
"""

import datetime

from django.utils import timezone

from registration.models import Agency, Delegate, Event
from workshops.allocation import generate_instance
from workshops.models import Preference, Room, Session, TimeSlot, Workshop


def load_ballot(*, name="Ballot bench", **params):
    """Insert the instance `generate_instance(**params)` describes; return (event, instance)."""
    instance = generate_instance(**params)
    today = timezone.localdate()
    event = Event.objects.create(
        name=name,
        starts_on=today + datetime.timedelta(weeks=8),
        ends_on=today + datetime.timedelta(weeks=8, days=1),
        venue_name="Chesford Grange",
        venue_address="Kenilworth",
        choices_required=instance.k,
        contact_email="events@socex.example",
        booking_mode=Event.BookingMode.BALLOT,
        ballot_closes_at=timezone.now() - datetime.timedelta(minutes=1),
    )
    day_two = datetime.datetime.combine(event.ends_on, datetime.time(8), tzinfo=datetime.UTC)
    slots = {
        slot_id: TimeSlot.objects.create(
            event=event,
            name=f"Round {slot_id}",
            starts_at=day_two + datetime.timedelta(hours=slot_id),
            ends_at=day_two + datetime.timedelta(hours=slot_id, minutes=50),
        )
        for slot_id in sorted({s.slot_id for s in instance.sessions})
    }
    workshops = {
        workshop_id: Workshop.objects.create(event=event, title=f"Workshop {workshop_id:03}")
        for workshop_id in sorted({s.workshop_id for s in instance.sessions})
    }
    rooms = Room.objects.bulk_create(
        Room(name=f"{name} room {s.id}", capacity=max(s.capacity, 1)) for s in instance.sessions
    )
    Session.objects.bulk_create(
        Session(
            workshop=workshops[s.workshop_id],
            time_slot=slots[s.slot_id],
            room=room,
            capacity=s.capacity,
        )
        for s, room in zip(instance.sessions, rooms, strict=True)
    )
    agency = Agency.objects.get_or_create(name="Bench Constabulary")[0]
    now = timezone.now()
    delegates = Delegate.objects.bulk_create(
        (
            Delegate(
                event=event,
                first_name="Bench",
                last_name=f"Delegate {d.id}",
                email=f"bench{d.id}@{name.lower().replace(' ', '-')}.police.uk",
                agency=agency,
                job_title="Analyst",
                badge_name=f"Bench {d.id}",
                attends_day_two=True,
                privacy_accepted_at=now,
                email_confirmed_at=now,
            )
            for d in instance.delegates
        ),
        batch_size=2000,
    )
    Preference.objects.bulk_create(
        (
            Preference(delegate=delegate, workshop=workshops[workshop_id], rank=rank)
            for delegate, generated in zip(delegates, instance.delegates, strict=True)
            for rank, workshop_id in enumerate(generated.ranking, start=1)
        ),
        batch_size=5000,
    )
    return event, instance
