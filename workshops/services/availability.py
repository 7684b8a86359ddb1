"""How many more delegates day two can take: the workshops app's answer to registration.

One rule for the registration form, the home page and the dashboard: another
delegate may register for day two only if, after everyone already registered
for it, they too can be given a full, valid set (the required number of
sessions, one per time slot, all different workshops, each with a free seat).
Free seats in every round are not enough: the last ones can sit in the same
workshop in two rounds.

Who else the places are kept for: every day-two delegate who has confirmed
their address (registered or awaiting approval) and does not yet hold a full
set (in ballot mode, before publishing, that is all of them). Someone holding
part of a set counts as needing a whole one and their seats count as free, since
booking a new set gives those seats up in the same step. Delegates who have not
confirmed their address are not counted, as for agency place limits, so made-up
addresses cannot close day two.
"""

from functools import lru_cache

from django.db import connection
from django.db.models import Count
from django.dispatch import receiver

from registration.signals import day_two_places_asked
from workshops.allocation.full_sets import can_give_full_sets, count_full_sets
from workshops.models import Booking, SeatTally, Session, TimeSlot


def delegates_needing_sets(*, event):
    """Confirmed, active day-two delegates of `event` holding fewer than the required sessions.

    Their `SeatTally` rows, `held` the seats each holds now, read from the tally's
    partial index (a few rows: those owed a set), never by grouping bookings.
    """
    return SeatTally.objects.filter(event=event, counts=True, held__lt=event.choices_required)


def _table(model, *fields):
    quote = connection.ops.quote_name
    return quote(model._meta.db_table), *(quote(model._meta.get_field(f).column) for f in fields)


def _sessions_with_seats(event):
    """(id, time slot id, workshop id, capacity, seats taken) for each session of `event`.

    `Session.objects.with_seats()` in one hand-written statement: building that
    queryset cost more than the database took to count 30,000 seats.
    """
    session, slot_id, workshop_id, capacity = _table(Session, "time_slot", "workshop", "capacity")
    slot, event_id = _table(TimeSlot, "event")
    booking, session_id = _table(Booking, "session")
    sql = (
        f"SELECT s.id, s.{slot_id}, s.{workshop_id}, s.{capacity},"
        f" (SELECT count(*) FROM {booking} b WHERE b.{session_id} = s.id)"
        f" FROM {session} s INNER JOIN {slot} t ON t.id = s.{slot_id} WHERE t.{event_id} = %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [event.pk])
        return cursor.fetchall()


def _owed(event):
    """(owed, partly held): `delegates_needing_sets`, counted, and those holding some seats."""
    tally, event_id, counts, held = _table(SeatTally, "event", "counts", "held")
    # The same WHERE as the partial index's condition, so SQLite sees it applies.
    sql = (
        f"SELECT count(*), count(CASE WHEN {held} > 0 THEN 1 END) FROM {tally}"
        f" WHERE {event_id} = %s AND {counts} AND {held} < %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [event.pk, event.choices_required])
        return cursor.fetchone()


def day_two_places_left(*, event, sessions=None):
    """How many more delegates can each still be given a full set, after those owed one.

    Exact (`workshops.allocation.full_sets`), never below zero. Two queries, or one
    when the caller passes `sessions`: the event's sessions with `seats_taken`
    annotated (`Session.objects.with_seats()`), as the dashboard has. A third
    counts the seats of those holding part of a set, only when there are any.
    """
    if sessions is None:
        rows = _sessions_with_seats(event)
    else:
        rows = [(s.pk, s.time_slot_id, s.workshop_id, s.capacity, s.seats_taken) for s in sessions]
    owed, partly_held = _owed(event)
    released = {}
    if partly_held:
        partial = delegates_needing_sets(event=event).filter(held__gt=0)
        released = dict(
            Booking.objects.filter(delegate__in=partial.values("delegate_id"))
            .order_by()
            .values_list("session_id")
            .annotate(n=Count("pk"))
        )
    free_seats = {}
    for pk, slot_id, workshop_id, capacity, taken in rows:
        key = (slot_id, workshop_id)
        free = max(capacity - taken + released.get(pk, 0), 0)
        free_seats[key] = free_seats.get(key, 0) + free
    sets = _count_full_sets(tuple(sorted(free_seats.items())), event.choices_required)
    return max(sets - owed, 0)


@lru_cache(maxsize=64)
def _count_full_sets(free_seats, required):
    """`count_full_sets`, remembered for the same free seats: a pure function of them, so exact.

    Every page asks with the seats as they are; until one is taken or freed the
    answer is the same, and one maximum flow (or a few) costs more than the queries.
    """
    return count_full_sets(free_seats=dict(free_seats), required=required)


def full_set_is_free(*, event):
    """Whether one more full, valid set is free right now, whoever else is owed one. Reads only.

    What someone choosing in live mode can hope for (first come, first served);
    `day_two_places_left` answers the stricter question registration asks.
    """
    free_seats = {}
    for _pk, slot_id, workshop_id, capacity, taken in _sessions_with_seats(event):
        key = (slot_id, workshop_id)
        free_seats[key] = free_seats.get(key, 0) + max(capacity - taken, 0)
    return can_give_full_sets(free_seats=free_seats, required=event.choices_required, delegates=1)


@receiver(day_two_places_asked)
def answer_day_two_places(sender, *, event, **kwargs):
    return day_two_places_left(event=event)
