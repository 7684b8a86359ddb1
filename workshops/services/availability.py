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

from django.db.models import Count, Q
from django.dispatch import receiver

from registration.signals import day_two_places_asked
from workshops.allocation.full_sets import can_give_full_sets, count_full_sets
from workshops.models import Booking, SeatTally, Session


def delegates_needing_sets(*, event):
    """Confirmed, active day-two delegates of `event` holding fewer than the required sessions.

    Their `SeatTally` rows, `held` the seats each holds now, read from the tally's
    partial index (a few rows: those owed a set), never by grouping bookings.
    """
    return SeatTally.objects.filter(event=event, counts=True, held__lt=event.choices_required)


def day_two_places_left(*, event, sessions=None):
    """How many more delegates can each still be given a full set, after those owed one.

    Exact (`workshops.allocation.full_sets`), never below zero. Two queries, or one
    when the caller passes `sessions`: the event's sessions with `seats_taken`
    annotated (`Session.objects.with_seats()`), as the dashboard has. A third
    counts the seats of those holding part of a set, only when there are any.
    """
    if sessions is None:
        sessions = Session.objects.for_event(event).with_seats().order_by()
    needing = delegates_needing_sets(event=event)
    # One pass over the tally's index counts both; partial sets are rare (booking is all
    # or nothing).
    counts = needing.aggregate(owed=Count("pk"), partly_held=Count("pk", filter=Q(held__gt=0)))
    released = {}
    if counts["partly_held"]:
        released = dict(
            Booking.objects.filter(delegate__in=needing.filter(held__gt=0).values("delegate_id"))
            .order_by()
            .values_list("session_id")
            .annotate(n=Count("pk"))
        )
    free_seats = {}
    for session in sessions:
        taken = session.seats_taken - released.get(session.pk, 0)
        key = (session.time_slot_id, session.workshop_id)
        free_seats[key] = free_seats.get(key, 0) + max(session.capacity - taken, 0)
    sets = count_full_sets(free_seats=free_seats, required=event.choices_required)
    return max(sets - counts["owed"], 0)


def full_set_is_free(*, event):
    """Whether one more full, valid set is free right now, whoever else is owed one. Reads only.

    What someone choosing in live mode can hope for (first come, first served);
    `day_two_places_left` answers the stricter question registration asks.
    """
    free_seats = {}
    for session in Session.objects.for_event(event).with_seats().order_by():
        key = (session.time_slot_id, session.workshop_id)
        free_seats[key] = free_seats.get(key, 0) + max(session.capacity - session.seats_taken, 0)
    return can_give_full_sets(free_seats=free_seats, required=event.choices_required, delegates=1)


@receiver(day_two_places_asked)
def answer_day_two_places(sender, *, event, **kwargs):
    return day_two_places_left(event=event)
