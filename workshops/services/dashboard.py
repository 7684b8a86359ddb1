"""The figures on the organisers' dashboard, read with a fixed number of queries.

Twelve queries whatever the number of delegates or sessions: delegates by
status, those whose address is not confirmed, by agency kind, day-two choice
completeness, every session with its seats taken, how many wait for each, the
two behind day-two places left (`workshops.services.availability`), and on
the day, expected per day, admissions by door and standby queues
(`attendance_figures`); one more for the delegates' needs (only for those
who may read them) and one for the ballot's demand per workshop (only in
ballot mode).

Each count is defined as the admin list it links to filters (the page links
them): registrations count once their address is confirmed (those not yet
confirmed are a figure of their own), and day-two figures count registered
delegates, as the delegate list's "day-two choices" filter does.
"""

from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.utils import timezone

from registration.models import Agency, Delegate
from workshops.models import CheckIn, Preference, Session, StandbyEntry, WaitlistEntry
from workshops.services.availability import day_two_places_left


@dataclass
class SessionFill:
    session: object
    taken: int
    capacity: int
    waiting: int = 0

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


# Registered or awaiting approval, and their address confirmed: someone who has not
# confirmed may never have owned it, cannot choose workshops and goes after a week.
UNCONFIRMED_STATUSES = (Delegate.Status.REGISTERED, Delegate.Status.PENDING)


def count_delegates_by_status(*, event):
    """(status, label, delegates) for every status, in the order of `Delegate.Status`.

    Registered and awaiting approval count confirmed addresses only; registrations
    whose address is not yet confirmed are `count_unconfirmed`'s.
    """
    counts = dict(
        Delegate.objects.filter(event=event)
        .exclude(status__in=UNCONFIRMED_STATUSES, email_confirmed_at__isnull=True)
        .order_by()
        .values_list("status")
        .annotate(n=Count("pk"))
    )
    return [(value, label, counts.get(value, 0)) for value, label in Delegate.Status.choices]


def count_unconfirmed(*, event):
    """Registrations (registered or awaiting approval) whose address is not yet confirmed."""
    return Delegate.objects.filter(
        event=event, status__in=UNCONFIRMED_STATUSES, email_confirmed_at__isnull=True
    ).count()


def count_delegates_by_agency_kind(*, event):
    """(kind, label, delegates) per kind of agency, every kind listed: registered or awaiting
    approval (`Delegate.objects.active()`), address confirmed."""
    counts = dict(
        Delegate.objects.active()
        .email_confirmed()
        .filter(event=event)
        .order_by()
        .values_list("agency__kind")
        .annotate(n=Count("pk"))
    )
    return [(value, label, counts.get(value, 0)) for value, label in Agency.Kind.choices]


def count_day_two_choices(*, event):
    """How many registered day-two delegates hold all required sessions, and how many do not.

    Registered, address confirmed: a registration awaiting approval, or one whose
    address is not confirmed, cannot hold seats yet.
    """
    totals = (
        Delegate.objects.email_confirmed()
        .filter(event=event, status=Delegate.Status.REGISTERED, attends_day_two=True)
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


def count_needs(*, event):
    """Registered delegates who told us dietary requirements, and accessibility needs.

    Only for those who may read needs (`Delegate.NEEDS_PERMISSION`).
    """
    return (
        Delegate.objects.email_confirmed()
        .filter(event=event, status=Delegate.Status.REGISTERED)
        .aggregate(
            dietary=Count("pk", filter=~Q(dietary_requirements="")),
            access=Count("pk", filter=~Q(accessibility_needs="")),
        )
    )


def count_waiting_by_session(*, event):
    """{session id: people on its waiting list} for the event's sessions that have any."""
    return dict(
        WaitlistEntry.objects.filter(session__time_slot__event=event)
        .order_by()
        .values_list("session_id")
        .annotate(n=Count("pk"))
    )


def session_fill_by_slot(*, event):
    """Every session of the event with seats taken and people waiting, by time slot in order."""
    sessions = Session.objects.on_offer(event).order_by("time_slot__starts_at", "room__name")
    waiting = count_waiting_by_session(event=event)
    slots = {}
    for session in sessions:
        slot = slots.setdefault(session.time_slot_id, SlotFill(time_slot=session.time_slot))
        slot.sessions.append(
            SessionFill(
                session=session,
                taken=session.seats_taken,
                capacity=session.capacity,
                waiting=waiting.get(session.pk, 0),
            )
        )
    return list(slots.values())


@dataclass
class WorkshopDemand:
    """How many delegates in the ballot ranked a workshop first, and among their top k."""

    workshop: object
    seats: int
    sessions: int
    first: int = 0
    top: int = 0

    @property
    def oversubscribed(self):
        """More first choices than seats: some who put it first cannot have it."""
        return self.first > self.seats


def ballot_demand(*, event, slots):
    """Demand for each workshop on offer in `slots` (from `session_fill_by_slot`), by title.

    Counts the rankings the ballot would read: registered day-two delegates whose
    address is confirmed (`build_ballot`'s rule). One query.
    """
    demand = {}
    for slot in slots:
        for fill in slot.sessions:
            workshop = fill.session.workshop
            entry = demand.setdefault(workshop.pk, WorkshopDemand(workshop, seats=0, sessions=0))
            entry.seats += fill.capacity
            entry.sessions += 1
    counts = (
        Preference.objects.filter(
            workshop__in=list(demand),
            delegate__status=Delegate.Status.REGISTERED,
            delegate__attends_day_two=True,
            delegate__email_confirmed_at__isnull=False,
        )
        .order_by()
        .values_list("workshop_id")
        .annotate(
            first=Count("pk", filter=Q(rank=1)),
            top=Count("pk", filter=Q(rank__lte=event.choices_required)),
        )
    )
    for workshop_id, first, top in counts:
        demand[workshop_id].first, demand[workshop_id].top = first, top
    return sorted(demand.values(), key=lambda d: d.workshop.title)


def dashboard_figures(*, event, with_needs=False):
    """Everything the dashboard shows; the needs counts only `with_needs`."""
    slots = session_fill_by_slot(event=event)
    demand = ballot_demand(event=event, slots=slots) if event.is_ballot else []
    return {
        "needs": count_needs(event=event) if with_needs else None,
        "demand": demand,
        "ranked": sum(d.first for d in demand),
        "event": event,
        "by_status": count_delegates_by_status(event=event),
        "unconfirmed": count_unconfirmed(event=event),
        "by_kind": count_delegates_by_agency_kind(event=event),
        "day_two": count_day_two_choices(event=event),
        "slots": slots,
        "day_two_places_left": day_two_places_left(
            event=event, sessions=[fill.session for slot in slots for fill in slot.sessions]
        ),
        "full_sessions": sum(1 for slot in slots for s in slot.sessions if s.full),
        "attendance": attendance_figures(event=event, slots=slots),
    }


@dataclass
class DayAttendance:
    day: object
    expected: int
    arrived: int


@dataclass
class SessionAttendance:
    fill: SessionFill
    arrived: int
    walk_ins: int
    from_standby: int
    standby: int
    started: bool

    @property
    def no_shows(self):
        """Seats whose holder has not come through this door, once the session has started."""
        return max(self.fill.taken - self.arrived, 0) if self.started else 0


def attendance_figures(*, event, slots, now=None):
    """On the day: arrived and expected per day and per session, standby, no-shows, walk-ins.

    Three queries whatever the numbers: expected per day, admissions by door,
    people waiting on standby per session. `slots` is `session_fill_by_slot`'s
    answer, whose seats taken are each session's expected.
    """
    now = now or timezone.now()
    expected = (
        Delegate.objects.email_confirmed()
        .filter(event=event, status=Delegate.Status.REGISTERED)
        .aggregate(
            one=Count("pk", filter=Q(attends_day_one=True)),
            two=Count("pk", filter=Q(attends_day_two=True)),
        )
    )
    admitted = (
        CheckIn.objects.filter(event=event, admitted=True)
        .order_by()
        .values("door", "day", "session_id")
        .annotate(
            n=Count("pk"),
            walk_ins=Count("pk", filter=Q(outcome=CheckIn.Outcome.WALK_IN)),
            from_standby=Count("pk", filter=Q(outcome=CheckIn.Outcome.FROM_STANDBY)),
        )
    )
    entrance, doors = Counter(), {}
    for row in admitted:
        if row["door"] == CheckIn.Door.ENTRANCE:
            entrance[row["day"]] += row["n"]
        elif row["session_id"] is not None:
            doors[row["session_id"]] = row
    waiting = dict(
        StandbyEntry.objects.waiting()
        .filter(session__time_slot__event=event)
        .order_by()
        .values_list("session_id")
        .annotate(n=Count("pk"))
    )
    by_day = [expected["one"], expected["two"]]
    days = [
        DayAttendance(day=day, expected=by_day[i] if i < 2 else 0, arrived=entrance[day])
        for i, day in enumerate(event.days)
    ]
    sessions = [
        SessionAttendance(
            fill=fill,
            arrived=doors.get(fill.session.pk, {}).get("n", 0),
            walk_ins=doors.get(fill.session.pk, {}).get("walk_ins", 0),
            from_standby=doors.get(fill.session.pk, {}).get("from_standby", 0),
            standby=waiting.get(fill.session.pk, 0),
            started=fill.session.time_slot.starts_at <= now,
        )
        for slot in slots
        for fill in slot.sessions
    ]
    return {"days": days, "sessions": sessions}
