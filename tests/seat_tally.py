"""Whether `workshops.SeatTally` says what the delegates and their bookings say."""

from django.db import connection
from django.db.models import Count

from registration.models import Delegate
from workshops.models import SeatTally


def tally_errors():
    """Each delegate whose tally row is missing or wrong, and each row without a delegate.

    As (delegate id, what the tally says, what it should say); empty when exact.
    """
    counted = set(
        Delegate.objects.attending_day_two().email_confirmed().values_list("pk", flat=True)
    )
    truth = {
        pk: (event_id, pk in counted, held)
        for pk, event_id, held in Delegate.objects.order_by()
        .annotate(held=Count("bookings"))
        .values_list("pk", "event_id", "held")
    }
    tally = {
        pk: (event_id, counts, held)
        for pk, event_id, counts, held in SeatTally.objects.values_list(
            "delegate_id", "event_id", "counts", "held"
        )
    }
    return [
        (pk, tally.get(pk), truth.get(pk))
        for pk in sorted(truth.keys() | tally.keys())
        if tally.get(pk) != truth.get(pk)
    ]


def can_check():
    """False while the test's transaction is broken or the tally table is not there."""
    if connection.needs_rollback:
        return False
    return SeatTally._meta.db_table in connection.introspection.table_names()
