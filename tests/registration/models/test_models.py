import datetime

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from registration.models import Delegate
from tests.factories import DelegateFactory, EventFactory


def test_delegate_second_live_registration_same_email_refused(event):
    DelegateFactory(event=event, email="sam@force.police.uk")
    with pytest.raises(IntegrityError), transaction.atomic():
        DelegateFactory(event=event, email="SAM@force.police.uk")


def test_delegate_cancelled_registration_frees_the_email(event):
    DelegateFactory(event=event, email="sam@force.police.uk", status=Delegate.Status.CANCELLED)
    DelegateFactory(event=event, email="sam@force.police.uk")
    assert Delegate.objects.filter(email="sam@force.police.uk").count() == 2


def test_delegate_attending_no_day_refused(event):
    with pytest.raises(IntegrityError), transaction.atomic():
        DelegateFactory(event=event, attends_day_one=False, attends_day_two=False)


def test_delegate_badge_name_defaults_to_full_name(event):
    delegate = DelegateFactory(event=event, first_name="Priya", last_name="Shah", badge_name="")
    assert delegate.badge_name == "Priya Shah"


def test_event_ending_before_it_starts_refused(db):
    with pytest.raises(IntegrityError), transaction.atomic():
        EventFactory(starts_on=datetime.date(2019, 5, 23), ends_on=datetime.date(2019, 5, 22))


def test_event_registration_window(db):
    now = timezone.now()
    hour = datetime.timedelta(hours=1)
    assert EventFactory().registration_is_open(now)
    assert not EventFactory(registration_opens_at=now + hour).registration_is_open(now)
    assert not EventFactory(registration_closes_at=now - hour).registration_is_open(now)
    assert EventFactory(registration_closes_at=now + hour).registration_is_open(now)


def test_event_changes_close_at_deadline(db):
    now = timezone.now()
    event = EventFactory(changes_close_at=now)
    assert event.changes_are_open(now - datetime.timedelta(seconds=1))
    assert not event.changes_are_open(now)


def london(*args):
    return timezone.make_aware(datetime.datetime(*args))


def test_event_without_dates_closes_registration_when_it_starts(db):
    event = EventFactory(starts_on=datetime.date(2030, 5, 22), ends_on=datetime.date(2030, 5, 23))
    assert event.registration_deadline == london(2030, 5, 22, 0, 0)
    assert event.registration_is_open(london(2030, 5, 21, 23, 59))
    assert not event.registration_is_open(london(2030, 5, 22, 0, 0))


def test_event_without_dates_closes_changes_a_day_before_day_two(db):
    event = EventFactory(starts_on=datetime.date(2030, 5, 22), ends_on=datetime.date(2030, 5, 24))
    assert event.changes_deadline == london(2030, 5, 22, 0, 0)
    assert event.changes_are_open(london(2030, 5, 21, 23, 59))
    assert not event.changes_are_open(london(2030, 5, 22, 0, 0))
    one_day = EventFactory(starts_on=datetime.date(2030, 6, 1), ends_on=datetime.date(2030, 6, 1))
    assert one_day.changes_deadline == london(2030, 5, 31, 0, 0)


def test_event_organiser_dates_win_over_the_defaults(db):
    late = london(2030, 5, 22, 18, 0)
    event = EventFactory(
        starts_on=datetime.date(2030, 5, 22),
        ends_on=datetime.date(2030, 5, 23),
        registration_closes_at=late,
        changes_close_at=late,
    )
    assert (event.registration_deadline, event.changes_deadline) == (late, late)
    assert event.registration_is_open(london(2030, 5, 22, 12, 0))
    assert event.changes_are_open(london(2030, 5, 22, 12, 0))


def test_event_that_ended_in_2019_without_dates_is_closed(db):
    event = EventFactory(starts_on=datetime.date(2019, 5, 22), ends_on=datetime.date(2019, 5, 23))
    assert not event.registration_is_open()
    assert not event.changes_are_open()
