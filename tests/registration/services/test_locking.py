"""One locking module: every row lock is taken by `registration.services.locking`, in one order."""

import pytest
from django.apps import apps
from django.db import transaction

from registration.models import Delegate
from registration.services.locking import (
    LOCK_ORDER,
    SKIP_LOCKED_ONLY,
    lock_delegate,
    lock_delegates,
    lock_rows,
)
from tests.factories import DelegateFactory
from workshops.models import Room


def test_lock_order_names_real_models():
    for label in LOCK_ORDER + SKIP_LOCKED_ONLY:
        assert apps.get_model(label)._meta.label_lower == label


def test_lock_rows_refuses_a_model_with_no_place_in_the_order(db):
    with transaction.atomic(), pytest.raises(ValueError, match=r"workshops\.room has no place"):
        lock_rows(Room, [1])


def test_lock_rows_refuses_waiting_list_entries_unless_skipping_locked(db):
    with transaction.atomic(), pytest.raises(ValueError, match="waitlistentry has no place"):
        lock_rows(apps.get_model("workshops.waitlistentry"), [1])


def test_lock_delegates_returns_them_in_ascending_id_whatever_order_asked(event):
    people = [DelegateFactory(event=event) for _ in range(3)]
    with transaction.atomic():
        locked = lock_delegates([people[2].pk, people[0].pk, people[2].pk, people[1].pk])
    assert [d.pk for d in locked] == sorted(p.pk for p in people)


def test_lock_delegate_of_a_missing_id_raises_does_not_exist(db):
    with transaction.atomic(), pytest.raises(Delegate.DoesNotExist):
        lock_delegate(123456)
