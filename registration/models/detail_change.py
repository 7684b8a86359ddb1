from django.conf import settings
from django.db import models

from registration.models.delegate import Delegate


class DetailChange(models.Model):
    """One saved change to a delegate's own details: which of them changed, when, by whom.

    Keeps the names of the fields changed, never their values: a badge name or
    an accessibility answer stays only on the delegate's row, where erasure
    and retention find it.
    """

    delegate = models.ForeignKey(Delegate, on_delete=models.CASCADE, related_name="detail_changes")
    at = models.DateTimeField(auto_now_add=True)
    changed = models.CharField(
        "what changed", max_length=300, help_text="The details changed, by their labels."
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The organiser who made the change; empty when the delegate did.",
    )

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = "change of details"
        verbose_name_plural = "changes of details"

    def __str__(self):
        return f"{self.changed} ({self.at:%d %b %Y %H:%M})"

    @property
    def by(self):
        return self.actor.get_username() if self.actor_id else "the delegate"
