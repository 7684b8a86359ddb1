"""One locking module: every row lock is taken by `registration.services.locking`, in one order.

The lint covers the apps and settings (not tests, migrations, or bench/rush's
raw-SQL copy of `book_sessions`, which measures those very statements).
"""

import ast
import re

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
from tests.source import docstrings, project_modules
from workshops.models import Room

LOCKER = "registration/services/locking.py"
# Raw SQL that takes row locks; prose about them lives in docstrings, which are left out.
RAW_ROW_LOCK = re.compile(r"\bFOR\s+(NO\s+KEY\s+)?(UPDATE|SHARE)\b", re.IGNORECASE)
# The one lock outside the lock order: a worker claiming a job (`worker.wakeup`) locks one
# row of the jobs table with SKIP LOCKED, as django-tasks-db's own claim does. It never
# waits for a lock, so it can take no part in a deadlock, and it holds no other row.
JOB_CLAIM = ("worker/claim.py", "FOR UPDATE SKIP LOCKED")


def test_select_for_update_only_in_the_locking_module():
    found = []
    for path, tree in project_modules(("registration", "workshops", "outbox", "worker", "socex")):
        if path == LOCKER:
            continue
        prose = docstrings(tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr == "select_for_update":
                found.append(f"{path}:{node.lineno}")
            elif (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and node not in prose
                and RAW_ROW_LOCK.search(node.value)
                and not (path == JOB_CLAIM[0] and JOB_CLAIM[1] in node.value)
            ):
                found.append(f"{path}:{node.lineno} (raw SQL)")
    assert found == []


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
