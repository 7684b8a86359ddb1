"""The figures on the organisers' dashboard, read with a fixed number of queries.

Seven queries whatever the number of delegates or sessions: delegates by
status, by agency kind, day-two choice completeness, every session with its
seats taken, and the two behind day-two places left
(`workshops.services.availability`).
"""

from dataclasses import dataclass, field

from django.db.models import Count, Q

from registration.models import Agency, Delegate
from workshops.models import Session
from workshops.services.availability import day_two_places_left


@dataclass
class SessionFill:
    session: object
    taken: int
    capacity: int

    @property
    def full(self):
        return self.taken >= self.capacity

    @property
    def over(self):
        return max(self.taken - self.capacity, 0)

    @property
    def percent(self):
        """Bar length out of 100; a session over capacity draws a full bar."""
        return min(100, round(100 * self.taken / self.capacity)) if self.capacity else 100


@dataclass
class SlotFill:
    time_slot: object
    sessions: list = field(default_factory=list)

    @property
    def seats(self):
        return sum(s.capacity for s in self.sessions)

    @property
    def taken(self):
        return sum(s.taken for s in self.sessions)

    @property
    def places_left(self):
        return self.seats - self.taken


def count_delegates_by_status(*, event):
    counts = dict(
        Delegate.objects.filter(event=event)
        .order_by()
        .values_list("status")
        .annotate(n=Count("pk"))
    )
    return [(label, counts.get(value, 0)) for value, label in Delegate.Status.choices]


def count_delegates_by_agency_kind(*, event):
    """Registered (not cancelled) delegates per kind of agency, every kind listed."""
    counts = dict(
        Delegate.objects.active()
        .filter(event=event)
        .order_by()
        .values_list("agency__kind")
        .annotate(n=Count("pk"))
    )
    return [(label, counts.get(value, 0)) for value, label in Agency.Kind.choices]


def count_day_two_choices(*, event):
    """How many registered day-two delegates hold all required sessions, and how many do not."""
    totals = (
        Delegate.objects.attending_day_two()
        .filter(event=event)
        .order_by()
        .annotate(held=Count("bookings"))
        .aggregate(
            attending=Count("pk"),
            complete=Count("pk", filter=Q(held__gte=event.choices_required)),
        )
    )
    return {
        "attending": totals["attending"],
        "complete": totals["complete"],
        "incomplete": totals["attending"] - totals["complete"],
    }


def session_fill_by_slot(*, event):
    """Every session of the event with seats taken, grouped by time slot in time order."""
    sessions = Session.objects.on_offer(event).order_by("time_slot__starts_at", "room__name")
    slots = {}
    for session in sessions:
        slot = slots.setdefault(session.time_slot_id, SlotFill(time_slot=session.time_slot))
        slot.sessions.append(
            SessionFill(session=session, taken=session.seats_taken, capacity=session.capacity)
        )
    return list(slots.values())


def dashboard_figures(*, event):
    slots = session_fill_by_slot(event=event)
    return {
        "event": event,
        "by_status": count_delegates_by_status(event=event),
        "by_kind": count_delegates_by_agency_kind(event=event),
        "day_two": count_day_two_choices(event=event),
        "slots": slots,
        "day_two_places_left": day_two_places_left(
            event=event, sessions=[fill.session for slot in slots for fill in slot.sessions]
        ),
        "full_sessions": sum(1 for slot in slots for s in slot.sessions if s.full),
    }
