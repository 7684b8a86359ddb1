"""The workshop ballot's records: each delegate's ranking and each allocation run."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from registration.models.delegate import Delegate
from registration.models.event import Event


class Preference(models.Model):
    """One workshop in a delegate's ballot ranking; rank 1 is their first choice.

    Written only by `workshops.ballot.save_ranking`, which replaces a
    delegate's whole ranking at once.
    """

    delegate = models.ForeignKey(Delegate, on_delete=models.CASCADE, related_name="preferences")
    workshop = models.ForeignKey(
        "workshops.Workshop", on_delete=models.CASCADE, related_name="preferences"
    )
    rank = models.PositiveSmallIntegerField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["delegate", "rank"]
        constraints = [
            models.UniqueConstraint(
                fields=["delegate", "workshop"], name="preference_workshop_once"
            ),
            models.UniqueConstraint(fields=["delegate", "rank"], name="preference_rank_once"),
            models.CheckConstraint(
                condition=Q(rank__gte=1),
                name="preference_rank_min",
                violation_error_message="Ranks start at 1.",
            ),
        ]

    def __str__(self):
        return f"{self.delegate_id}: {self.rank}. {self.workshop_id}"


class AllocationRun(models.Model):
    """One run of the ballot allocation: what it would book, and the report behind it.

    An organiser starts a run (`start_allocation`: queued); a worker runs it
    (`perform_allocation`: running, with `progress`, then finished, failed or
    cancelled). Running writes only this row; `publish_allocation` books the
    seats of a finished run, once, and stamps `published_at`. At most one run
    per event is queued or running (`allocationrun_one_active_per_event`).
    """

    class State(models.TextChoices):
        QUEUED = "queued", "Waiting for a worker"
        RUNNING = "running", "Running"
        FINISHED = "finished", "Finished"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"

    ACTIVE_STATES = (State.QUEUED, State.RUNNING)

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="allocation_runs")
    seed = models.PositiveIntegerField(
        help_text="Settles equal claims by a seeded lottery; the same data and seed give the "
        "same allocation."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    solver_status = models.TextField(blank=True)
    mip_gap = models.FloatField(
        null=True, blank=True, help_text="Relative optimality gap HiGHS proved; 0 is optimal."
    )
    solve_seconds = models.FloatField(default=0)
    # Delegate id (as a string: JSON keys) -> session ids; [] when not completed.
    assignment = models.JSONField(default=dict)
    report = models.JSONField(default=dict)
    # Hash of the rankings, delegates and free seats the run used: publishing refuses
    # a run whose data has changed since.
    fingerprint = models.CharField(max_length=64, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    time_limit_seconds = models.PositiveIntegerField(
        default=600, help_text="The solver stops here and reports how good its allocation is."
    )
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    cancel_requested_at = models.DateTimeField(null=True, blank=True)
    # The solver's latest `SolverProgress` (stage, elapsed, round, bound, value, gap).
    progress = models.JSONField(default=dict, blank=True)
    progress_at = models.DateTimeField(null=True, blank=True)
    first_progress_at = models.DateTimeField(null=True, blank=True)
    failure = models.TextField(blank=True)
    # The background job running it (django-tasks-db's id); blank for a run made in
    # the foreground (`run_allocation`, manage.py run_ballot).
    task_id = models.CharField(max_length=64, blank=True)
    # Workers that have started it: a worker that died is followed by another, and only
    # the latest may write.
    attempts = models.PositiveSmallIntegerField(default=0)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "ballot allocation run"
        constraints = [
            models.UniqueConstraint(
                fields=["event"],
                condition=Q(state__in=["queued", "running"]),
                name="allocationrun_one_active_per_event",
                violation_error_message="An allocation is already queued or running for this "
                "event: wait for it to finish.",
            )
        ]

    def __str__(self):
        return f"Allocation run {self.pk} (seed {self.seed})"

    @property
    def is_active(self):
        return self.state in self.ACTIVE_STATES

    @property
    def is_finished(self):
        return self.state == self.State.FINISHED

    def elapsed_seconds(self, now=None):
        """Seconds since a worker started it, to its end (or to `now` while it runs)."""
        if self.started_at is None:
            return None
        end = self.finished_at or now or timezone.now()
        return max((end - self.started_at).total_seconds(), 0.0)
