"""Every field organisers type in workshops has a limit: in its forms and in the database."""

import pytest
from django.db import DataError, IntegrityError, transaction
from django.forms import modelform_factory

from tests.factories import (
    DelegateFactory,
    EventFactory,
    RoomFactory,
    TimeSlotFactory,
    WorkshopFactory,
)
from workshops.models import Announcement, BookingChange


def announcement(**fields):
    defaults = {"event": EventFactory(), "audience": "event", "subject": "S", "body": "B"}
    return Announcement.objects.create(**{**defaults, **fields})


def booking_change(**fields):
    defaults = {"delegate": DelegateFactory(), "action": "moved", "session_label": "W"}
    return BookingChange.objects.create(**{**defaults, **fields})


LIMITS = [
    (RoomFactory, "name", 100),
    (RoomFactory, "location", 200),
    (TimeSlotFactory, "name", 100),
    (WorkshopFactory, "title", 200),
    (WorkshopFactory, "summary", 2000),
    (WorkshopFactory, "facilitator", 200),
    (announcement, "subject", 200),
    (announcement, "body", 10_000),
    (booking_change, "reason", 1000),
]
MODELS = {announcement: Announcement, booking_change: BookingChange}


def model_of(make):
    return MODELS.get(make) or make._meta.model


CASES = [
    pytest.param(make, field, limit, id=f"{model_of(make).__name__}.{field}")
    for make, field, limit in LIMITS
]


@pytest.mark.parametrize(("make", "field", "limit"), CASES)
def test_text_over_its_limit_is_refused_by_the_database(db, make, field, limit):
    make(**{field: "X" * limit})
    with pytest.raises((IntegrityError, DataError)), transaction.atomic():
        make(**{field: "Y" * (limit + 1)})


@pytest.mark.parametrize(("make", "field", "limit"), CASES)
def test_text_over_its_limit_is_refused_by_the_admin_form(db, make, field, limit):
    form = modelform_factory(model_of(make), fields=[field])({field: "Y" * (limit + 1)})
    assert form.errors[field][-1] == (
        f"Ensure this value has at most {limit} characters (it has {limit + 1})."
    )
    assert f'maxlength="{limit}"' in str(form[field])
