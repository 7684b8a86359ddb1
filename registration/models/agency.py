"""Agencies: the police forces, units and bodies delegates come from, and who may register."""

from django.db import models

from registration.models.text_limits import text_length_check
from registration.validators import validate_single_line


class Agency(models.Model):
    class Admission(models.TextChoices):
        EMAIL_DOMAIN = "domain", "Work email domain or invitation code"
        INVITATION = "invitation", "Invitation code only"
        APPROVAL = "approval", "Organiser approval, unless the domain or a code qualifies"
        OPEN = "open", "Anyone who names this agency"

    class Kind(models.TextChoices):
        POLICE_FORCE = "police", "Police force"
        ROCU = "rocu", "Regional organised crime unit"
        NATIONAL = "national", "National law enforcement agency"
        GOVERNMENT = "government", "Government department"
        PARTNER = "partner", "Partner agency"
        ACADEMIA = "academia", "Academia"
        OTHER = "other", "Other"

    name = models.CharField(max_length=200, unique=True, validators=[validate_single_line])
    aliases = models.TextField(
        "short names and other names",
        max_length=500,
        blank=True,
        help_text="One per line, e.g. NCA or ROCU. Delegates searching the list of agencies "
        "find the agency by these too; the first one not already in the name is shown "
        "beside it.",
    )
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.OTHER)
    is_confirmed = models.BooleanField(
        default=True,
        help_text="An agency a delegate typed in stays unconfirmed until an organiser checks it.",
    )
    admission = models.CharField(
        "who may register",
        max_length=20,
        choices=Admission.choices,
        default=Admission.APPROVAL,
        help_text="How people from this agency qualify. Registrations held for approval "
        "cannot book workshops until an organiser approves them.",
    )
    email_domains = models.TextField(
        "work email domains",
        max_length=2000,
        blank=True,
        help_text="One per line, e.g. police.uk. Addresses at a subdomain "
        "(kent.police.uk) qualify too.",
    )
    place_limit = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="Most people this agency may register (pending ones count; those who "
        "have not yet confirmed their email address do not). Leave empty for no limit.",
    )

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "agencies"
        constraints = [
            text_length_check(
                name="agency_text_lengths",
                limits={"name": 200, "aliases": 500, "email_domains": 2000},
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def alias_list(self):
        """The short names and other names, one per line, without blanks."""
        return [line.strip() for line in self.aliases.splitlines() if line.strip()]

    @property
    def label(self):
        """The name, with the first short name it does not already contain: "… (NCA)"."""
        shown = next((a for a in self.alias_list if a.lower() not in self.name.lower()), None)
        return f"{self.name} ({shown})" if shown else self.name
