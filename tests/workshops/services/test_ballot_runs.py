"""Allocation runs started by an organiser and run by a worker: queued, running, ended."""

import datetime
import random

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from tests.factories import AdminUserFactory, DelegateFactory, rank_workshops
from tests.jobs import queued_jobs, run_queued_jobs
from workshops.allocation import SolverProgress
from workshops.models import AllocationRun, Booking
from workshops.services.ballot import AllocationRefused, publish_allocation
from workshops.services.ballot_runs import cancel_allocation, run_allocation, start_allocation
from workshops.services.ballot_solving import (
    AllocationCancelled,
    AttemptSuperseded,
    report_progress,
    settle_abandoned_runs,
)

State = AllocationRun.State


@pytest.fixture
def closed_ballot(ballot_event, programme, close_ballot):
    rng = random.Random(5)
    for n in range(12):
        delegate = DelegateFactory(event=ballot_event, last_name=f"Mensah{n}")
        order = list(programme["workshops"])
        rng.shuffle(order)
        rank_workshops(delegate, order)
    close_ballot(ballot_event)
    return ballot_event


def test_start_allocation_queues_a_run_and_its_job_and_solves_nothing(closed_ballot):
    organiser = AdminUserFactory()
    run = start_allocation(event=closed_ballot, seed=4, actor=organiser, time_limit_seconds=90)
    assert (run.state, run.time_limit_seconds, run.created_by) == (State.QUEUED, 90, organiser)
    assert run.assignment == {} and run.report == {}
    [job] = queued_jobs("workshops.tasks.allocate_ballot")
    assert job.args_kwargs["kwargs"] == {"run_id": run.pk}
    assert job.queue_name == "long"
    assert run.task_id == str(job.id)


def test_the_worker_runs_a_queued_run_to_the_end_with_its_progress(closed_ballot):
    run = start_allocation(event=closed_ballot, seed=4, time_limit_seconds=60)
    [job] = run_queued_jobs()
    assert job.status == TaskResultStatus.SUCCESSFUL
    assert job.return_value == {"state": "finished"}
    run.refresh_from_db()
    assert run.state == State.FINISHED
    assert run.attempts == 1
    assert run.started_at <= run.first_progress_at <= run.progress_at <= run.finished_at
    assert run.progress["stage"] == "finished"
    assert run.progress["gap"] == run.mip_gap
    assert run.report["delegates"] == 12
    assert len(run.assignment) == 12
    assert run.fingerprint
    assert run.elapsed_seconds() == (run.finished_at - run.started_at).total_seconds()
    # A finished run is published like one made in the foreground.
    assert publish_allocation(run=run) == sum(1 for s in run.assignment.values() if s)


def test_progress_is_written_to_the_running_run(closed_ballot):
    run = start_allocation(event=closed_ballot, seed=1)
    AllocationRun.objects.filter(pk=run.pk).update(state=State.RUNNING, attempts=1)
    report_progress(
        run_id=run.pk,
        attempt=1,
        update=SolverProgress(
            stage="column generation", elapsed=2.5, round=3, bound=90.0, value=100.0
        ),
    )
    run.refresh_from_db()
    assert run.progress == {
        "stage": "column generation",
        "elapsed": 2.5,
        "round": 3,
        "bound": 90.0,
        "value": 100.0,
        "gap": 0.1,
    }
    assert run.first_progress_at == run.progress_at


def test_progress_from_an_attempt_taken_over_by_another_worker_is_refused(closed_ballot):
    run = start_allocation(event=closed_ballot, seed=1)
    AllocationRun.objects.filter(pk=run.pk).update(state=State.RUNNING, attempts=2)
    with pytest.raises(AttemptSuperseded):
        report_progress(run_id=run.pk, attempt=1, update=SolverProgress(stage="x", elapsed=1))
    run.refresh_from_db()
    assert run.progress == {} and run.progress_at is None


def test_cancelling_a_queued_run_ends_it_at_once_and_its_job_does_nothing(closed_ballot):
    run = start_allocation(event=closed_ballot, seed=1)
    assert cancel_allocation(run=run) is True
    run.refresh_from_db()
    assert run.state == State.CANCELLED and run.finished_at is not None
    [job] = run_queued_jobs()
    assert job.return_value == {"state": "cancelled"}
    run.refresh_from_db()
    assert (run.state, run.attempts, run.report) == (State.CANCELLED, 0, {})


def test_cancelling_a_running_run_stops_it_at_the_next_progress_report(closed_ballot):
    run = start_allocation(event=closed_ballot, seed=1)
    AllocationRun.objects.filter(pk=run.pk).update(state=State.RUNNING, attempts=1)
    assert cancel_allocation(run=run) is False
    run.refresh_from_db()
    assert run.state == State.RUNNING and run.cancel_requested_at is not None
    with pytest.raises(AllocationCancelled):
        report_progress(run_id=run.pk, attempt=1, update=SolverProgress(stage="x", elapsed=1))
    # The job (here run again after its worker stopped) sees the request and ends the run.
    run_queued_jobs()
    run.refresh_from_db()
    assert run.state == State.CANCELLED and run.finished_at is not None


def test_cancelling_a_run_that_ended_is_refused(closed_ballot):
    run = run_allocation(event=closed_ballot, seed=1)
    with pytest.raises(AllocationRefused, match="has already ended \\(finished\\)"):
        cancel_allocation(run=run)


def test_a_second_run_of_the_same_event_is_refused_while_one_is_queued(closed_ballot):
    organiser = AdminUserFactory(username="hollis")
    first = start_allocation(event=closed_ballot, seed=1, actor=organiser)
    with pytest.raises(AllocationRefused) as refused:
        start_allocation(event=closed_ballot, seed=2)
    assert refused.value.message.startswith(
        f"Allocation run {first.pk} (seed 1) of {closed_ballot} is waiting for a worker "
        "(started by hollis at "
    )
    assert "only one run of an event runs at a time" in refused.value.message
    with pytest.raises(AllocationRefused):
        run_allocation(event=closed_ballot, seed=2)
    assert AllocationRun.objects.count() == 1
    assert len(queued_jobs()) == 1
    # Once it has ended, another may start.
    run_queued_jobs()
    second = start_allocation(event=closed_ballot, seed=2)
    assert second.state == State.QUEUED


def test_the_database_refuses_two_active_runs_of_one_event(closed_ballot):
    AllocationRun.objects.create(event=closed_ballot, seed=1, state=State.RUNNING)
    with pytest.raises(IntegrityError), transaction.atomic():
        AllocationRun.objects.create(event=closed_ballot, seed=2, state=State.QUEUED)
    for state in (State.FINISHED, State.FAILED, State.CANCELLED):
        AllocationRun.objects.create(event=closed_ballot, seed=3, state=state)
    assert AllocationRun.objects.count() == 4


def test_a_refusal_found_by_the_worker_fails_the_run_with_the_reason(closed_ballot):
    run = start_allocation(event=closed_ballot, seed=1)
    closed_ballot.ballot_closes_at = timezone.now() + datetime.timedelta(days=1)
    closed_ballot.save()
    run_queued_jobs()
    run.refresh_from_db()
    assert run.state == State.FAILED
    assert run.failure.startswith("The ballot is still open (it closes ")


def test_publishing_a_run_that_has_not_finished_is_refused(closed_ballot):
    run = start_allocation(event=closed_ballot, seed=1)
    with pytest.raises(AllocationRefused, match="only a finished run can be published"):
        publish_allocation(run=run)
    assert Booking.objects.count() == 0


def test_a_run_whose_job_failed_for_good_is_marked_failed(closed_ballot):
    run = start_allocation(event=closed_ballot, seed=1)
    AllocationRun.objects.filter(pk=run.pk).update(state=State.RUNNING, attempts=3)
    DBTaskResult.objects.filter(pk=run.task_id).update(status=TaskResultStatus.FAILED)
    assert settle_abandoned_runs() == 1
    run.refresh_from_db()
    assert run.state == State.FAILED
    assert run.failure == (
        "The workers running it kept stopping without finishing it. Start another run."
    )
    assert settle_abandoned_runs() == 0


def test_runs_still_waiting_or_running_under_a_job_are_left_alone(closed_ballot):
    run = start_allocation(event=closed_ballot, seed=1)
    assert settle_abandoned_runs() == 0
    AllocationRun.objects.filter(pk=run.pk).update(state=State.RUNNING, attempts=1)
    DBTaskResult.objects.filter(pk=run.task_id).update(status=TaskResultStatus.RUNNING)
    assert settle_abandoned_runs() == 0
    run.refresh_from_db()
    assert run.state == State.RUNNING


def test_a_foreground_run_left_running_long_past_its_limit_is_marked_failed(closed_ballot):
    run = start_allocation(event=closed_ballot, seed=1, enqueue=False, time_limit_seconds=60)
    AllocationRun.objects.filter(pk=run.pk).update(state=State.RUNNING, attempts=1)
    soon = timezone.now() + datetime.timedelta(minutes=5)
    assert settle_abandoned_runs(now=soon) == 0
    later = timezone.now() + datetime.timedelta(minutes=12)
    assert settle_abandoned_runs(now=later) == 1
    run.refresh_from_db()
    assert run.failure == "The process running it stopped without finishing it. Start another run."
