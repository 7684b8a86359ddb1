"""Allocation runs, the worker's side: run a queued one, and end those nobody will finish.

`perform_allocation` (the job `workshops.tasks.allocate_ballot`) claims the
run, solves it (`workshops.allocation`, writing progress to the run after
every round) and stores the result. `settle_abandoned_runs` (a periodic job)
marks failed the runs whose job ended without them, so no run stays
"running" forever.

A job can run twice (its worker died; `worker.recovery` hands it on): each
start of the run counts an attempt, and only the latest attempt may write
progress or the result.
"""

import time
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from workshops.allocation import (
    allocate_first_come_first_served,
    allocate_optimal,
    allocate_random_serial_dictatorship,
)
from workshops.models import AllocationRun
from workshops.services.ballot import AllocationRefused, build_ballot, check_can_allocate
from workshops.services.ballot_report import build_report
from workshops.services.locking import lock_allocation_run

State = AllocationRun.State
# A run made in the foreground (no job to watch) that has not finished this long after
# its time limit was left by a process that died.
FOREGROUND_GRACE = timedelta(minutes=10)


class AllocationCancelled(Exception):
    """Raised from the solver's progress callback: the organiser cancelled the run."""


class AttemptSuperseded(Exception):
    """Raised from the progress callback: a later worker has taken the run over."""


def perform_allocation(*, run_id):
    """Run the queued allocation `run_id` in this process (a worker); return its state.

    Claims the run (queued, or running under a worker that died), reads the
    ballot, solves it three ways with progress written to the run, and stores
    the result. Side effects: updates the run only. A cancelled run is left
    cancelled; a run taken over by a later attempt is left to it; a refusal
    (the ballot reopened, nobody to allocate) or an error marks it failed
    (an error is raised again, for the job's record).
    """
    attempt = _claim(run_id=run_id)
    if attempt is None:
        return AllocationRun.objects.filter(pk=run_id).values_list("state", flat=True).first()
    run = AllocationRun.objects.select_related("event").get(pk=run_id)
    try:
        _solve_and_store(run=run, attempt=attempt)
    except AllocationCancelled:
        _end(run_id=run_id, attempt=attempt, state=State.CANCELLED)
    except AttemptSuperseded:
        pass
    except AllocationRefused as error:
        _end(run_id=run_id, attempt=attempt, state=State.FAILED, failure=error.message)
    except Exception as error:
        _end(run_id=run_id, attempt=attempt, state=State.FAILED, failure=f"{error!r}")
        raise
    return AllocationRun.objects.filter(pk=run_id).values_list("state", flat=True).first()


def _claim(*, run_id):
    """Start attempt n+1 of an active run; return n+1, or None if there is nothing to run."""
    now = timezone.now()
    with transaction.atomic():
        try:
            run = lock_allocation_run(run_id)
        except AllocationRun.DoesNotExist:
            return None
        if not run.is_active:
            return None
        if run.cancel_requested_at is not None:
            run.state, run.finished_at = State.CANCELLED, now
            run.save(update_fields=["state", "finished_at"])
            return None
        run.state = State.RUNNING
        run.attempts += 1
        run.started_at = now
        run.progress = {"stage": "starting", "elapsed": 0.0}
        run.save(update_fields=["state", "attempts", "started_at", "progress"])
        return run.attempts


def _solve_and_store(*, run, attempt):
    started = time.perf_counter()

    def progress(update):
        report_progress(run_id=run.pk, attempt=attempt, update=update)

    check_can_allocate(event=run.event)
    ballot = build_ballot(event=run.event, seed=run.seed)
    if not ballot.instance.delegates:
        raise AllocationRefused("Nobody without seats has ranked any workshops: nothing to run.")
    optimal = allocate_optimal(
        instance=ballot.instance, time_limit=run.time_limit_seconds, progress=progress
    )
    progress(_Stage("first come, first served and the lottery, for comparison", started))
    results = [
        optimal,
        allocate_first_come_first_served(instance=ballot.instance),
        allocate_random_serial_dictatorship(instance=ballot.instance, seed=run.seed),
    ]
    progress(_Stage("writing the report", started))
    report = build_report(ballot=ballot, results=results)
    now = timezone.now()
    stored = AllocationRun.objects.filter(pk=run.pk, attempts=attempt, state=State.RUNNING).update(
        state=State.FINISHED,
        finished_at=now,
        solver_status=optimal.status,
        mip_gap=optimal.mip_gap,
        solve_seconds=optimal.solve_seconds,
        assignment={str(d): list(s) for d, s in optimal.assignment.items()},
        report=report,
        fingerprint=ballot.fingerprint,
        progress={**_as_dict(_Stage("finished", started)), "gap": optimal.mip_gap},
        progress_at=now,
    )
    if not stored:
        raise AttemptSuperseded


class _Stage:
    """A progress report of the service's own stages, shaped like `SolverProgress`."""

    def __init__(self, stage, started):
        self.stage, self.elapsed = stage, time.perf_counter() - started
        self.round, self.bound, self.value, self.gap = 0, None, None, None


def _as_dict(update):
    return {
        "stage": update.stage,
        "elapsed": round(update.elapsed, 2),
        "round": update.round,
        "bound": update.bound,
        "value": update.value,
        "gap": update.gap,
    }


def report_progress(*, run_id, attempt, update):
    """Write the solver's `update` to the run; stop the solve if the run was cancelled.

    Side effects: one UPDATE of the run (progress, and the time of the first
    report). Raises `AllocationCancelled` when the organiser asked to cancel,
    `AttemptSuperseded` when a later attempt owns the run.
    """
    now = timezone.now()
    mine = AllocationRun.objects.filter(
        pk=run_id, attempts=attempt, state=State.RUNNING, cancel_requested_at__isnull=True
    )
    if mine.update(progress=_as_dict(update), progress_at=now):
        mine.filter(first_progress_at__isnull=True).update(first_progress_at=now)
        return
    if AllocationRun.objects.filter(
        pk=run_id, attempts=attempt, cancel_requested_at__isnull=False
    ).exists():
        raise AllocationCancelled
    raise AttemptSuperseded


def _end(*, run_id, attempt, state, failure=""):
    AllocationRun.objects.filter(pk=run_id, attempts=attempt, state=State.RUNNING).update(
        state=state, finished_at=timezone.now(), failure=failure
    )


def settle_abandoned_runs(*, now=None):
    """End the active runs nobody will finish; return how many were marked failed.

    A run whose job ended (failed: its workers kept dying, `worker.recovery`;
    or finished without it; or was pruned) cannot go on; nor can a foreground
    run (`run_allocation`, no job) still running long after its time limit.
    Side effects: conditional UPDATEs of those runs (failed, with the reason).
    """
    now = now or timezone.now()
    settled = 0
    for run in AllocationRun.objects.filter(state__in=AllocationRun.ACTIVE_STATES):
        if run.task_id:
            job_status = (
                DBTaskResult.objects.filter(pk=run.task_id).values_list("status", flat=True).first()
            )
            if job_status in (TaskResultStatus.READY, TaskResultStatus.RUNNING):
                continue
            reason = (
                "The workers running it kept stopping without finishing it."
                if job_status == TaskResultStatus.FAILED
                else "Its background job ended without finishing it."
            )
        else:
            limit = timedelta(seconds=run.time_limit_seconds) + FOREGROUND_GRACE
            if run.created_at > now - limit:
                continue
            reason = "The process running it stopped without finishing it."
        settled += AllocationRun.objects.filter(
            pk=run.pk, state=run.state, attempts=run.attempts
        ).update(state=State.FAILED, finished_at=now, failure=f"{reason} Start another run.")
    return settled
