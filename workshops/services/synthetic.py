"""Synthetic delegates for demos and benchmarks: seeded, so a run can be repeated."""

from collections import Counter
from itertools import permutations

from django.utils import timezone

from registration.models import Agency, Delegate, Event
from workshops.models import Session
from workshops.services.booking import bulk_seat_synthetic

FIRST_NAMES = [
    "Amira",
    "Ben",
    "Chloe",
    "Dev",
    "Ewan",
    "Fatima",
    "Grace",
    "Harj",
    "Isla",
    "Jack",
    "Kofi",
    "Laura",
    "Niall",
    "Priya",
]
LAST_NAMES = [
    "Adams",
    "Bhatt",
    "Clarke",
    "Davies",
    "Evans",
    "Fraser",
    "Green",
    "Hughes",
    "Iqbal",
    "Jones",
    "Khan",
    "Lewis",
]
DIETS = ["", "", "", "", "Vegetarian", "Vegan", "Gluten free", "Halal", "No nuts"]


def generate_synthetic_delegates(*, count, rng, fit=False, event=None):
    """Add `count` delegates to the current event and book their workshops in bulk.

    Demand is skewed: earlier workshops (by title) are more popular. Seats are
    allocated in memory within every session's capacity and written in bulk
    by `booking.bulk_seat_synthetic`; this is a data generator, not a booking
    path, so it does not go through `book_sessions` (it would take minutes for
    thousands of people). Side effects: inserts delegates, bookings and their
    history; with `fit`, raises session (and room) capacities so every day-two
    delegate can hold a full set.
    """
    event = event or Event.objects.current()
    agencies = list(Agency.objects.filter(is_confirmed=True).order_by("pk"))
    if not agencies:
        agencies = [
            Agency.objects.create(name="Synthetic Constabulary", kind=Agency.Kind.POLICE_FORCE)
        ]
    start = Delegate.objects.count()
    now = timezone.now()
    people = []
    for n in range(start, start + count):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        people.append(
            Delegate(
                event=event,
                first_name=first,
                last_name=f"{last}-{n}",
                badge_name=f"{first} {last}",
                email=f"synthetic{n}@example.police.uk",
                agency=rng.choice(agencies),
                job_title=rng.choice(
                    ["Detective Inspector", "Analyst", "Superintendent", "Researcher"]
                ),
                attends_day_one=rng.random() < 0.9,
                attends_day_two=True,
                dietary_requirements=rng.choice(DIETS),
                privacy_accepted_at=now,
                email_confirmed_at=now,  # made-up people book at once, as if they had confirmed
            )
        )
    for person in people:
        if not person.attends_day_one:
            person.attends_day_two = True
        elif rng.random() < 0.1:
            person.attends_day_two = False
    Delegate.objects.bulk_create(people, batch_size=1000)
    created = list(Delegate.objects.filter(email__in=[p.email for p in people]).order_by("pk"))
    day_two = [d for d in created if d.attends_day_two]

    sessions = list(Session.objects.for_event(event).with_seats().select_related("time_slot"))
    if fit:
        _fit_capacities(sessions=sessions, needed=len(day_two))
    booked = _allocate(delegates=day_two, sessions=sessions, event=event, rng=rng)
    return {"delegates": len(created), "booked": booked, "unbooked": len(day_two) - booked}


def _fit_capacities(*, sessions, needed):
    by_slot = {}
    for session in sessions:
        by_slot.setdefault(session.time_slot_id, []).append(session)
    for slot_sessions in by_slot.values():
        # Every session gets room for everyone, so any valid pattern of choices fits.
        for session in slot_sessions:
            session.capacity = max(session.capacity, session.seats_taken + needed)
            if session.room.capacity < session.capacity:
                session.room.capacity = session.capacity
                session.room.save(update_fields=["capacity"])
    Session.objects.bulk_update(sessions, ["capacity"])


def _allocate(*, delegates, sessions, event, rng):
    slots = sorted({s.time_slot for s in sessions}, key=lambda slot: slot.starts_at)
    if len(slots) < event.choices_required:
        return 0
    left = Counter({s.pk: s.capacity - s.seats_taken for s in sessions})
    by_slot = {slot.pk: [s for s in sessions if s.time_slot_id == slot.pk] for slot in slots}
    titles = sorted({s.workshop.title for s in sessions}) if sessions else []
    weight = {title: 1.0 / (rank + 1) for rank, title in enumerate(titles)}
    seats, booked = [], 0
    for delegate in delegates:
        choice = _pick(by_slot=by_slot, slots=slots, left=left, weight=weight, rng=rng)
        if choice is None:
            continue
        booked += 1
        for session in choice:
            left[session.pk] -= 1
            seats.append((delegate, session))
    bulk_seat_synthetic(seats=seats)
    return booked


def _pick(*, by_slot, slots, left, weight, rng):
    """A full set of sessions for one delegate, preferring popular workshops, or None."""
    ordered = {}
    for slot in slots:
        open_sessions = [s for s in by_slot[slot.pk] if left[s.pk] > 0]
        # Weighted shuffle: popular workshops tend to come first.
        open_sessions.sort(key=lambda s: -weight[s.workshop.title] * rng.random())
        ordered[slot.pk] = open_sessions
    for slot_order in permutations(range(len(slots))):
        taken, chosen = set(), []
        for index in slot_order:
            options = [s for s in ordered[slots[index].pk] if s.workshop_id not in taken]
            if not options:
                break
            chosen.append(options[0])
            taken.add(options[0].workshop_id)
        else:
            return chosen
    return None
