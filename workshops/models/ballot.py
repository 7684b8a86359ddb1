"""The workshop ballot's records: each delegate's ranking and each allocation run."""

from django.conf import settings
from django.db import models
from django.db.models import Q

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
            models.CheckConstraint(condition=Q(rank__gte=1), name="preference_rank_min"),
        ]

    def __str__(self):
        return f"{self.delegate_id}: {self.rank}. {self.workshop_id}"


class AllocationRun(models.Model):
    """One run of the ballot allocation: what it would book, and the report behind it.

    Running writes only this row; `workshops.ballot.publish_allocation` books
    the seats, once, and stamps `published_at`.
    """

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
    fingerprint = models.CharField(max_length=64)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "ballot allocation run"

    def __str__(self):
        return f"Allocation run {self.pk} (seed {self.seed})"
