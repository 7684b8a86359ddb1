import pytest
from django.core.management import call_command

from registration.models import Delegate
from workshops.models import Booking, Session


@pytest.fixture
def socex(db):
    call_command("loaddata", "socex2019", verbosity=0)


def snapshot():
    return list(
        Booking.objects.order_by("delegate__email", "time_slot__starts_at").values_list(
            "delegate__email", "session_id"
        )
    )


def test_generate_synthetic_data_is_repeatable_and_valid(socex):
    call_command("generate_synthetic_data", "--delegates", "150", "--seed", "7", verbosity=0)
    first = snapshot()
    assert Delegate.objects.count() == 150
    Booking.objects.all().delete()
    Delegate.objects.all().delete()
    call_command("generate_synthetic_data", "--delegates", "150", "--seed", "7", verbosity=0)
    assert snapshot() == first
    for session in Session.objects.with_seats():
        assert session.seats_taken <= session.capacity
    for delegate in Delegate.objects.prefetch_related("bookings__session"):
        bookings = list(delegate.bookings.all())
        assert len(bookings) in (0, 4)
        assert len({b.time_slot_id for b in bookings}) == len(bookings)
        assert len({b.workshop_id for b in bookings}) == len(bookings)


def test_generate_synthetic_data_fit_seats_everyone(socex):
    call_command(
        "generate_synthetic_data", "--delegates", "400", "--seed", "1", "--fit", verbosity=0
    )
    day_two = Delegate.objects.filter(attends_day_two=True).count()
    assert Booking.objects.count() == 4 * day_two
