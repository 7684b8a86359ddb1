"""A rule the database holds reads, on a form, as a sentence, never as the constraint's name."""

import datetime

import pytest
from django.apps import apps
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import models

from registration.models import Delegate
from tests.factories import DelegateFactory, TimeSlotFactory


@pytest.fixture
def admin_client(client, db):
    client.force_login(User.objects.create_superuser("organiser", "", "a-long-test-password"))
    return client


def test_adding_a_delegate_for_no_day_says_to_tick_one(admin_client, event):
    response = admin_client.post(
        "/admin/registration/delegate/add/",
        {
            "event": event.pk,
            "first_name": "Ada",
            "last_name": "Lovelace",
            "email": "ada@force.police.uk",
            "job_title": "Analyst",
            "added_basis": "Invited by the organisers",
        },
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "Tick at least one day" in page
    assert "delegate_attends_a_day" not in page
    assert not Delegate.objects.exists()


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (
            lambda event: TimeSlotFactory.build(
                event=event,
                starts_at=datetime.datetime(2019, 5, 23, 11, tzinfo=datetime.UTC),
                ends_at=datetime.datetime(2019, 5, 23, 10, tzinfo=datetime.UTC),
            ),
            "A time slot must end after it starts.",
        ),
        (
            lambda event: DelegateFactory.build(
                event=event, attends_day_one=False, attends_day_two=False
            ),
            "Tick at least one day: day one, day two or both.",
        ),
    ],
)
def test_each_rule_has_words(event, make, message):
    with pytest.raises(ValidationError) as refused:
        make(event).full_clean()

    assert message in refused.value.messages
    assert not any("is violated" in text for text in refused.value.messages)


def test_an_event_ending_before_it_starts_is_refused_in_words(event):
    event.ends_on = event.starts_on - datetime.timedelta(days=1)

    with pytest.raises(ValidationError) as refused:
        event.full_clean()

    assert "The event must end on or after the day it starts." in refused.value.messages


def test_every_check_and_conditional_unique_rule_of_ours_has_words():
    """Django's default message names the constraint ("Constraint “x” is violated.")."""
    unworded = [
        f"{model.__name__}.{constraint.name}"
        for app in ("registration", "workshops", "outbox", "worker")
        for model in apps.get_app_config(app).get_models()
        for constraint in model._meta.constraints
        if (
            isinstance(constraint, models.CheckConstraint)
            or (
                isinstance(constraint, models.UniqueConstraint)
                and (not constraint.fields or constraint.condition is not None)
            )
        )
        and constraint.violation_error_message == constraint.default_violation_error_message
    ]

    assert unworded == []
