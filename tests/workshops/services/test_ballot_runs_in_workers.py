"""Allocation runs in real worker processes (PostgreSQL): one killed mid-run, one cancelled.

The workers are `manage.py run_worker` processes against the test database, as
in tests/worker/test_worker_processes.py; the ballot is a generated one big
enough (6,000 delegates) that the solve takes seconds, so it can be caught
running.
"""

import os
import signal

import pytest
from django.db import connection
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from bench.ballot_in_database import load_ballot
from tests.worker.test_worker_processes import wait_for, workers  # noqa: F401 (a fixture)
from workshops.models import AllocationRun
from workshops.services.ballot_runs import cancel_allocation, start_allocation

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

State = AllocationRun.State
BALLOT = dict(delegates=6000, workshops=50, slots=10, runs_per_workshop=2, ranked=10, k=4, seed=2)


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("several worker processes share one database: set DATABASE_URL=postgres://…")


@pytest.fixture
def big_ballot():
    event, _instance = load_ballot(**BALLOT)
    return event


def reload(run):
    run.refresh_from_db()
    return run


def test_a_run_whose_worker_is_killed_is_run_again_by_another_and_finishes(
    workers,  # noqa: F811
    big_ballot,
):
    run = start_allocation(event=big_ballot, seed=1, time_limit_seconds=300)
    first = workers("first", "--queue-name=long")
    wait_for(
        lambda: reload(run).state == State.RUNNING and run.first_progress_at is not None,
        seconds=120,
        what="the first worker reporting progress",
    )
    os.killpg(first.pid, signal.SIGKILL)
    first.wait()
    assert reload(run).state == State.RUNNING  # nobody left to say otherwise

    # The second worker also runs the default queue, where the dead workers' jobs are
    # handed on.
    workers("second", "--queue-name=default,long")
    wait_for(
        lambda: reload(run).state == State.FINISHED, seconds=240, what="the second worker finishing"
    )
    assert run.attempts == 2
    assert run.report["delegates"] == 6000
    assert run.report["methods"][0]["completed"] == 6000
    job = DBTaskResult.objects.get(pk=run.task_id)
    assert job.status == TaskResultStatus.SUCCESSFUL
    assert job.worker_ids == ["first", "second"]


def test_a_running_run_cancelled_stops_at_the_next_round(workers, big_ballot):  # noqa: F811
    run = start_allocation(event=big_ballot, seed=1, time_limit_seconds=300)
    workers("one", "--queue-name=long")
    wait_for(
        lambda: reload(run).state == State.RUNNING and run.first_progress_at is not None,
        seconds=120,
        what="the worker reporting progress",
    )
    assert cancel_allocation(run=run) is False
    wait_for(lambda: reload(run).state == State.CANCELLED, seconds=60, what="the run stopping")
    assert run.report == {} and run.assignment == {}
    wait_for(
        lambda: DBTaskResult.objects.get(pk=run.task_id).status == TaskResultStatus.SUCCESSFUL,
        what="the job ending",
    )
    assert DBTaskResult.objects.get(pk=run.task_id).return_value == {"state": "cancelled"}
