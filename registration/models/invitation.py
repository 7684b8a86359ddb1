"""Invitation codes that let someone register from an agency that needs one."""

import secrets

from django.db import models
from django.db.models import Q

from registration.models.agency import Agency
from registration.models.event import Event
from registration.models.text_limits import text_length_check


def new_invitation_code():
    # No 0/O or 1/I/L: codes are read off paper and typed in.
    alphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
    return "".join(secrets.choice(alphabet) for _ in range(10))


class Invitation(models.Model):
    """A code that lets people register without a qualifying email address.

    How often it has been used is counted from the live delegates who used it,
    never stored, so a cancelled registration gives its use back.
    """

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="invitations")
    code = models.CharField(
        max_length=40,
        unique=True,
        default=new_invitation_code,
        help_text="Letters and digits; case does not matter when it is typed in.",
    )
    agency = models.ForeignKey(
        Agency,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="invitations",
        help_text="Leave empty to let the code be used with any agency.",
    )
    max_uses = models.PositiveIntegerField(
        "uses", default=1, help_text="1 for one person; more for a code shared with a team."
    )
    expires_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField(max_length=200, blank=True, help_text="Who it is for.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(max_uses__gte=1),
                name="invitation_used_at_least_once",
                violation_error_message="An invitation must allow at least one use.",
            ),
            text_length_check(name="invitation_text_lengths", limits={"code": 40, "note": 200}),
        ]

    def __str__(self):
        return self.code

    def save(self, *args, **kwargs):
        self.code = normalise_invitation_code(self.code)
        super().save(*args, **kwargs)


def normalise_invitation_code(code):
    return "".join(code.split()).upper()
