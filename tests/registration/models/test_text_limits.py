"""Every field people type in registration has a limit: in its forms and in the database."""

import pytest
from django.db import DataError, IntegrityError, transaction
from django.forms import modelform_factory

from tests.factories import AgencyFactory, DelegateFactory, EventFactory, InvitationFactory

LIMITS = [
    (DelegateFactory, "first_name", 100),
    (DelegateFactory, "last_name", 100),
    (DelegateFactory, "email", 254),
    (DelegateFactory, "job_title", 150),
    (DelegateFactory, "phone", 40),
    (DelegateFactory, "dietary_requirements", 1000),
    (DelegateFactory, "accessibility_needs", 1000),
    (DelegateFactory, "badge_name", 100),
    (AgencyFactory, "name", 200),
    (AgencyFactory, "email_domains", 2000),
    (EventFactory, "name", 200),
    (EventFactory, "tagline", 300),
    (EventFactory, "venue_name", 200),
    (EventFactory, "venue_address", 300),
    (EventFactory, "day_two_summary", 2000),
    (EventFactory, "contact_email", 254),
    (InvitationFactory, "code", 40),
    (InvitationFactory, "note", 200),
]
CASES = [
    pytest.param(factory, field, limit, id=f"{factory._meta.model.__name__}.{field}")
    for factory, field, limit in LIMITS
]


@pytest.mark.parametrize(("factory", "field", "limit"), CASES)
def test_text_over_its_limit_is_refused_by_the_database(db, factory, field, limit):
    factory(**{field: "X" * limit})
    with pytest.raises((IntegrityError, DataError)), transaction.atomic():
        factory(**{field: "Y" * (limit + 1)})


@pytest.mark.parametrize(("factory", "field", "limit"), CASES)
def test_text_over_its_limit_is_refused_by_the_admin_form(db, factory, field, limit):
    form = modelform_factory(factory._meta.model, fields=[field])({field: "Y" * (limit + 1)})
    assert form.errors[field][-1] == (
        f"Ensure this value has at most {limit} characters (it has {limit + 1})."
    )
    assert f'maxlength="{limit}"' in str(form[field])
