"""Waiting lists: who waits for which full session, in order."""

from django.db import models
from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce

from registration.models.delegate import Delegate
from workshops.models.programme import Session, TimeSlot


class WaitlistEntryQuerySet(models.QuerySet):
    def in_order(self):
        """Who is served first: lowest `position`, then whoever joined first."""
        return self.order_by("session_id", "position", "pk")

    def with_place(self):
        """Annotate `place`, 1 for the next person served in that session, in one query.

        A correlated count rather than a window function, so that filtering the
        queryset (to one delegate, say) does not change anyone's place.
        """
        ahead = (
            WaitlistEntry.objects.filter(session_id=OuterRef("session_id"))
            .filter(
                Q(position__lt=OuterRef("position"))
                | Q(position=OuterRef("position"), pk__lt=OuterRef("pk"))
            )
            .order_by()
            .values("session_id")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return self.annotate(place=Coalesce(Subquery(ahead), 0) + 1)


class WaitlistEntry(models.Model):
    """A delegate waiting for a place in a full session, keeping their seat in that slot.

    `time_slot` copies the session's so the database allows one entry per
    delegate per slot. Only `workshops.services.waitlist` writes entries (the booking
    service drops them through it when a delegate gains the seat or cancels).
    """

    delegate = models.ForeignKey(Delegate, on_delete=models.CASCADE, related_name="waitlist")
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="waitlist")
    time_slot = models.ForeignKey(TimeSlot, on_delete=models.CASCADE, related_name="+")
    position = models.PositiveIntegerField(
        help_text="Lower numbers are served first; change it to reorder the list."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = WaitlistEntryQuerySet.as_manager()

    class Meta:
        ordering = ["session", "position", "pk"]
        verbose_name = "waiting-list entry"
        verbose_name_plural = "waiting lists"
        constraints = [
            models.UniqueConstraint(fields=["delegate", "time_slot"], name="waitlist_one_per_slot"),
        ]
        indexes = [models.Index(fields=["session", "position"])]

    def __str__(self):
        return f"{self.delegate} waiting for {self.session_id}"
