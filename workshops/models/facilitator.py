"""Facilitators: who runs a workshop, the sessions whose access needs they may read, their links.

A facilitator is not an account: they sign in by an emailed single-use link
(`FacilitatorLink`, like a delegate's booking link) and reach only the
sessions of the workshops organisers named them for.
"""

from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse

from registration.models import Event, SingleUseLink
from registration.models.text_limits import text_length_check
from registration.validators import validate_single_line
from socex.site_url import site_url
from workshops.models.programme import Session, Workshop


class Facilitator(models.Model):
    """Someone who runs one or more workshops and may see their sessions' rosters."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="facilitators")
    name = models.CharField(max_length=150, validators=[validate_single_line])
    email = models.EmailField(
        max_length=254, help_text="Their sign-in links are sent here; nobody else can use them."
    )
    workshops = models.ManyToManyField(
        Workshop,
        related_name="facilitators",
        help_text="They see the rosters of these workshops' sessions, and no others.",
    )
    needs_sessions = models.ManyToManyField(
        Session,
        blank=True,
        related_name="+",
        verbose_name="may see access needs at",
        help_text="Sessions of their workshops where their roster shows delegates' "
        "accessibility needs. Leave empty unless they need them to run the session.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    # The address is a contact detail: only those who read delegates' read a facilitator's.
    protected_fields = {"email": "registration.view_contact_details"}

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                "event",
                Lower("email"),
                name="facilitator_one_per_email",
                violation_error_message="A facilitator with this email address already exists "
                "for this event.",
            ),
            text_length_check(name="facilitator_text_lengths", limits={"name": 150, "email": 254}),
        ]
        permissions = [
            (
                "grant_needs_access",
                "Can let a facilitator see delegates' accessibility needs at a session",
            )
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.email = self.email.strip().lower()
        super().save(*args, **kwargs)


class FacilitatorLink(SingleUseLink):
    """A single-use, expiring link that signs a facilitator in (only its hash is stored)."""

    facilitator = models.ForeignKey(Facilitator, on_delete=models.CASCADE, related_name="links")

    class Meta(SingleUseLink.Meta):
        pass

    def __str__(self):
        return f"Link for {self.facilitator} (expires {self.expires_at:%Y-%m-%d %H:%M})"

    @staticmethod
    def url_for(raw_token):
        return site_url() + reverse("facilitators:open_link", args=[raw_token])
