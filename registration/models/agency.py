"""Agencies: the police forces, units and bodies delegates come from, and who may register."""

import re

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
        "find the agency by these too; those not already in the name are shown "
        "beside it, in brackets.",
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
        """The name with its short names in one bracket: "East Midlands … Unit (EMSOU, ROCU)".

        A bracket already ending the name takes the short names too; a short name
        already in the name ("Met" in "Metropolitan …"), or spelling the initials of
        some of its words (ROCU in "North West Regional Organised Crime Unit"), is left out.
        """
        base, bracketed = self.name, []
        match = TRAILING_BRACKET.fullmatch(self.name)
        if match:
            base, bracketed = match["base"], [match["inside"]]
        words = [w for w in re.split(r"[^\w&']+", base) if w]
        shown = [
            alias
            for alias in self.alias_list
            if _squashed(alias) not in _squashed(self.name) and not _initials_of_some(alias, words)
        ]
        inside = bracketed + list(dict.fromkeys(shown))
        return f"{base} ({', '.join(inside)})" if inside else self.name


TRAILING_BRACKET = re.compile(r"(?P<base>.*?)\s*\((?P<inside>[^()]+)\)\s*")


def _squashed(text):
    """Letters and digits only, lower case: "SE ROCU" and "SEROCU" read alike."""
    return re.sub(r"[\W_]+", "", text).lower()


def _initials_of_some(alias, words):
    """Whether `alias` spells the initials of a run of `words` shorter than all of them.

    The whole name's initials are its own short name (NCA) and are shown; a
    run inside it (ROCU in "North West Regional Organised Crime Unit") is generic.
    """
    letters = _squashed(alias)
    initials = [w[0].lower() for w in words]
    for size in range(2, len(words)):
        for start in range(len(words) - size + 1):
            if "".join(initials[start : start + size]) == letters:
                return True
    return False
