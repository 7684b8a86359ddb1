"""How many more delegates day two can take: the workshops app's answer to registration."""

from django.db.models import Count, Sum
from django.dispatch import receiver

from registration.signals import day_two_places_asked


def day_two_places_left(*, event):
    """Places left for day two: the fewest free seats in any time slot (two queries).

    Every day-two delegate needs a seat in every slot, so the fullest slot decides.
    """
    capacities = event.time_slots.annotate(seats=Sum("sessions__capacity")).values_list(
        "pk", "seats"
    )
    taken = dict(event.time_slots.annotate(n=Count("sessions__bookings")).values_list("pk", "n"))
    return min(((seats or 0) - taken[pk] for pk, seats in capacities), default=0)


@receiver(day_two_places_asked)
def answer_day_two_places(sender, *, event, **kwargs):
    return day_two_places_left(event=event)
