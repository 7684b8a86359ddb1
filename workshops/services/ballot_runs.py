"""Allocation runs, the organiser's side: start one, cancel one, or run one here and now.

`start_allocation` checks the ballot can be allocated and inserts a queued
`AllocationRun` with its job (`workshops.tasks.allocate_ballot`, on the "long"
queue) in one transaction; the partial unique constraint
`allocationrun_one_active_per_event` keeps a second run of the same event from
being queued or run beside it. A worker runs it
(`workshops.services.ballot_solving.perform_allocation`). `cancel_allocation`
stops a queued run at once and a running one at the solver's next progress
report. `run_allocation` does it all in the caller's process (manage.py
run_ballot, tests).
"""

from django.db import IntegrityError, transaction
from django.utils import timezone

from workshops.models import AllocationRun
from workshops.services.ballot import AllocationRefused, check_can_allocate
from workshops.services.ballot_solving import perform_allocation
from workshops.services.locking import lock_allocation_run
from workshops.tasks import allocate_ballot

State = AllocationRun.State


def start_allocation(*, event, seed, actor=None, time_limit_seconds=600, enqueue=True, now=None):
    """Queue an allocation run of `event` for a worker; return the `AllocationRun`.

    Side effects: inserts the run (queued) and, with `enqueue`, its job
    (`workshops.tasks.allocate_ballot`), in one transaction. Raises
    `AllocationRefused` and writes nothing while the ballot is open, when
    nobody can be allocated, or while another run of the event is queued or
    running (the database's partial unique constraint decides a race).
    """
    check_can_allocate(event=event, now=now)
    try:
        with transaction.atomic():
            run = AllocationRun.objects.create(
                event=event,
                seed=seed,
                created_by=actor,
                time_limit_seconds=time_limit_seconds,
            )
            if enqueue:
                job = allocate_ballot.enqueue(run_id=run.pk)
                run.task_id = str(job.id)
                run.save(update_fields=["task_id"])
    except IntegrityError:
        raise AllocationRefused(_busy_message(event=event)) from None
    return run


def _busy_message(*, event):
    active = (
        AllocationRun.objects.filter(event=event, state__in=AllocationRun.ACTIVE_STATES)
        .select_related("created_by")
        .first()
    )
    if active is None:  # it ended in the meantime
        return "Another allocation run of this event was starting; try again."
    who = f" by {active.created_by}" if active.created_by else ""
    return (
        f"{active} of {event} is {active.get_state_display().lower()} (started{who} at "
        f"{timezone.localtime(active.created_at):%H:%M}): only one run of an event runs at a "
        "time. Wait for it to finish, or cancel it, then start another."
    )


def cancel_allocation(*, run, now=None):
    """Cancel `run`: at once if it waits for a worker, else at the solver's next report.

    Side effects: a queued run becomes cancelled; a running one records the
    request (`cancel_requested_at`) and its worker stops and marks it
    cancelled. Raises `AllocationRefused` for a run that has already ended.
    Returns True if it was cancelled at once.
    """
    now = now or timezone.now()
    with transaction.atomic():
        run = lock_allocation_run(run.pk)
        if not run.is_active:
            raise AllocationRefused(
                f"{run} has already ended ({run.get_state_display().lower()}): nothing to cancel."
            )
        run.cancel_requested_at = run.cancel_requested_at or now
        if run.state == State.QUEUED:
            run.state, run.finished_at = State.CANCELLED, now
        run.save(update_fields=["cancel_requested_at", "state", "finished_at"])
        return run.state == State.CANCELLED


def run_allocation(*, event, seed, actor=None, time_limit=30.0, now=None):
    """Allocate the closed ballot three ways, here and now; return the finished `AllocationRun`.

    Solves the optimal allocation and, on the same rankings, first come first
    served and random serial dictatorship (drawn from `seed`), for the report.
    Side effects: inserts the run only; no seat is booked until it is
    published. Raises `AllocationRefused` while the ballot is open, when
    nobody has ranked, or while another run of the event is active.
    """
    run = start_allocation(
        event=event,
        seed=seed,
        actor=actor,
        time_limit_seconds=max(round(time_limit), 1),
        enqueue=False,
        now=now,
    )
    perform_allocation(run_id=run.pk)
    run.refresh_from_db()
    if run.state == State.FAILED:
        raise AllocationRefused(run.failure)
    return run
