"""People naming the same unlisted agency at once all register, under one new agency."""

import pytest

from registration.models import Agency, Delegate
from registration.services.registration import register_delegate
from tests.concurrency.threads import run_at_once, skip_unless_postgres
from tests.factories import EventFactory

PEOPLE = 6


def registration(event, n, agency_name):
    def register():
        return register_delegate(
            event=event,
            details={
                "first_name": "Sam",
                "last_name": f"Taylor{n}",
                "email": f"sam.taylor{n}@fraud-unit.example",
                "job_title": "Investigator",
                "attends_day_one": True,
                "attends_day_two": False,
            },
            other_agency=agency_name,
        )

    return register


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_register_delegate_same_unlisted_agency_at_once_all_register_under_one_agency():
    skip_unless_postgres()
    event = EventFactory()
    # The same name as people type it: the spacing differs, the name does not.
    names = ["Kent Fraud Unit", " Kent  Fraud Unit", "Kent Fraud Unit "] * (PEOPLE // 3)

    results = run_at_once([registration(event, n, name) for n, name in enumerate(names)])

    assert [type(r).__name__ for r in results] == ["Delegate"] * PEOPLE
    agency = Agency.objects.get()
    assert (agency.name, agency.is_confirmed, agency.kind) == (
        "Kent Fraud Unit",
        False,
        Agency.Kind.OTHER,
    )
    delegates = Delegate.objects.filter(agency=agency)
    assert list(delegates.values_list("status", flat=True)) == [Delegate.Status.PENDING] * PEOPLE
