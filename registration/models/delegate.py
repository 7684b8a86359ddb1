"""Delegates: who registered, for which days, and what they need."""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Collate, Left
from django.db.models.lookups import Exact

from registration.models.agency import Agency
from registration.models.event import Event
from registration.models.text_limits import text_length_check
from registration.validators import (
    validate_no_bidi_controls,
    validate_phone,
    validate_single_line,
)
from socex.collation import NAMES, SEARCH


def new_checkin_reference():
    """A random, unguessable reference for a delegate's badge QR code (120 bits)."""
    return secrets.token_urlsafe(15)


def name_order(via=""):
    """Order by surname, then first name, as a reader files them (`socex.collation`), then id.

    `via` reaches the delegate from another model: `name_order("delegate__")`.
    """
    return (
        Collate(F(f"{via}last_name"), NAMES),
        Collate(F(f"{via}first_name"), NAMES),
        f"{via}pk",
    )


# How many punctuation marks or spaces a name may have among the first letters typed
# and still be found ("obrien" in "O'Brien": one; "marykate" in "Mary-Kate": one). Each
# one more costs the search another comparison of every name: a door search of 10,000
# delegates took 16-20 ms with none, 22-36 ms with one, 27-52 with two (PostgreSQL, in
# process, on two heavily loaded cores).
NAME_SEARCH_IGNORED_MARKS = 1


def name_begins(word):
    """A condition: the first name, surname or badge name begins with `word`, as `SEARCH` compares.

    `SEARCH` ignores punctuation and spaces, but the database cuts a name by
    characters: the first len(word) characters of "O'Brien" are "O'Brie", which
    is not "obrien". So each name is cut at len(word) and up to
    `NAME_SEARCH_IGNORED_MARKS` characters more; a longer cut can only equal
    `word` if what it adds is ignored.
    """
    condition = Q()
    for field in ("first_name", "last_name", "badge_name"):
        for extra in range(NAME_SEARCH_IGNORED_MARKS + 1):
            condition |= Q(Exact(Collate(Left(field, len(word) + extra), SEARCH), word))
    return condition


class DelegateQuerySet(models.QuerySet):
    def active(self):
        return self.exclude(status__in=[Delegate.Status.CANCELLED, Delegate.Status.ERASED])

    def attending_day_two(self):
        return self.active().filter(attends_day_two=True)

    def email_confirmed(self):
        return self.filter(email_confirmed_at__isnull=False)

    def attending_on(self, *, event, day):
        """Registered, confirmed delegates of `event` who come on `day` (none on other days)."""
        offset = (day - event.starts_on).days
        flag = {0: "attends_day_one", 1: "attends_day_two"}.get(offset)
        if flag is None:
            return self.none()
        return self.email_confirmed().filter(
            event=event, status=Delegate.Status.REGISTERED, **{flag: True}
        )


class AddedBasis(models.TextChoices):
    """Why an organiser added a delegate in the admin instead of their registering."""

    SPEAKER = "speaker", "Speaker"
    GUEST = "guest", "VIP or guest"
    WALK_IN = "walk_in", "Walk-in on the day"
    ON_BEHALF = "on_behalf", "On their behalf, at their request"
    OTHER = "other", "Other (say why in the note)"


class Delegate(models.Model):
    AddedBasis = AddedBasis

    class Status(models.TextChoices):
        REGISTERED = "registered", "Registered"
        PENDING = "pending", "Awaiting approval"
        CANCELLED = "cancelled", "Cancelled"
        # Erased at the delegate's or an organiser's request: seats released, personal
        # fields anonymised; the row stays so that counts by agency and day still add up.
        ERASED = "erased", "Erased"

    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="delegates")
    first_name = models.CharField(max_length=100, validators=[validate_single_line])
    last_name = models.CharField(max_length=100, validators=[validate_single_line])
    email = models.EmailField("work email")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="delegates")
    job_title = models.CharField(max_length=150, validators=[validate_single_line])
    phone = models.CharField(max_length=40, blank=True, validators=[validate_phone])
    attends_day_one = models.BooleanField("attending day one", default=True)
    attends_day_two = models.BooleanField("attending day two", default=True)
    dietary_requirements = models.TextField(
        max_length=1000, blank=True, validators=[validate_no_bidi_controls]
    )
    accessibility_needs = models.TextField(
        max_length=1000, blank=True, validators=[validate_no_bidi_controls]
    )
    badge_name = models.CharField(
        max_length=100,
        blank=True,
        validators=[validate_single_line],
        help_text="Leave empty to use their first and last name.",
    )
    # Empty only for someone an organiser added (`added_basis`): they never saw the form's
    # notice, so nothing is recorded as if they had; their first email links to it.
    privacy_accepted_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When they agreed to the privacy notice on the registration form. Empty for "
        "someone an organiser added: see 'how they registered'.",
    )
    invitation = models.ForeignKey(
        "Invitation",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="delegates",
        help_text="The invitation code this delegate registered with, if any.",
    )
    privacy_notice_version = models.PositiveSmallIntegerField(
        default=1, help_text="Version of the privacy notice agreed to at registration."
    )
    needs_consent_at = models.DateTimeField(
        "consent to use dietary and accessibility answers",
        null=True,
        blank=True,
        help_text="When the separate consent for those answers was given.",
    )
    anonymised_at = models.DateTimeField(
        null=True, blank=True, help_text="When the personal fields were erased or anonymised."
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.REGISTERED)
    email_confirmed_at = models.DateTimeField(
        "email confirmed at",
        null=True,
        blank=True,
        help_text="When they showed the address is theirs (typed the emailed code or opened a "
        "booking link), or an organiser said so. Until then: no seats, waiting or ranking.",
    )
    # Set for someone an organiser added in the admin (a speaker, a walk-in), never for
    # someone who registered themselves.
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The organiser who added them, if one did.",
    )
    added_basis = models.CharField(
        "added as",
        max_length=20,
        choices=AddedBasis.choices,
        blank=True,
        help_text="Why an organiser added them rather than their registering themselves.",
    )
    added_note = models.CharField(
        "note on adding them",
        max_length=200,
        blank=True,
        validators=[validate_single_line],
    )
    registered_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    checkin_reference = models.CharField(
        max_length=32,
        unique=True,
        default=new_checkin_reference,
        editable=False,
        help_text="Carried by the QR code on the badge; random, so it cannot be guessed.",
    )

    objects = DelegateQuerySet.as_manager()

    # Special-category data: only holders of NEEDS_PERMISSION see these fields or lists of them.
    NEEDS_FIELDS = ("dietary_requirements", "accessibility_needs")
    NEEDS_PERMISSION = "registration.view_needs"
    # Fields only some roles may read, and the permission that reads each: the admin hides
    # them, and refuses searches and URL lookups on them, for everyone else.
    protected_fields = {
        **dict.fromkeys(NEEDS_FIELDS, NEEDS_PERMISSION),
        # Set only when the delegate gave a needs answer: whether it is set tells that much.
        "needs_consent_at": NEEDS_PERMISSION,
        "email": "registration.view_contact_details",
        "phone": "registration.view_contact_details",
        "job_title": "registration.view_contact_details",
        # The badge's QR code: those who may print badges may look it up; for anyone
        # else a count of matches would spell it out, a character at a time.
        "checkin_reference": "registration.export_delegates",
    }

    class Meta:
        ordering = ["last_name", "first_name"]
        constraints = [
            # One live registration per address; a cancelled one may register again.
            models.UniqueConstraint(
                fields=["event", "email"],
                condition=~Q(status="cancelled"),
                name="delegate_one_live_registration_per_email",
                violation_error_message="A delegate with this email address is already "
                "registered for this event.",
            ),
            models.CheckConstraint(
                condition=Q(attends_day_one=True) | Q(attends_day_two=True),
                name="delegate_attends_a_day",
                violation_error_message="Tick at least one day: day one, day two or both.",
            ),
            # The notice was agreed to on the form, or an organiser added them and said why.
            models.CheckConstraint(
                condition=Q(privacy_accepted_at__isnull=False) | ~Q(added_basis=""),
                name="delegate_privacy_accepted_or_added",
                violation_error_message="Say why this delegate is added without having "
                "agreed to the privacy notice themselves.",
            ),
            text_length_check(
                name="delegate_text_lengths",
                limits={
                    "first_name": 100,
                    "last_name": 100,
                    "email": 254,
                    "job_title": 150,
                    "phone": 40,
                    "dietary_requirements": 1000,
                    "accessibility_needs": 1000,
                    "badge_name": 100,
                    "added_note": 200,
                },
            ),
        ]
        indexes = [models.Index(fields=["email"])]
        permissions = [
            ("view_needs", "Can see dietary requirements and accessibility needs"),
            ("export_delegates", "Can download attendee lists, rosters, sign-in sheets, badges"),
            ("view_contact_details", "Can see delegates' email, phone and job title"),
        ]

    def __str__(self):
        return f"{self.first_name} {self.last_name}"

    def save(self, *args, **kwargs):
        self.tidy()
        super().save(*args, **kwargs)

    def tidy(self):
        """What every save does first: the address in lower case, a badge name if none."""
        self.email = self.email.strip().lower()
        if not self.badge_name:
            # Two long names can exceed the badge's 100 characters (PostgreSQL refuses that).
            max_length = self._meta.get_field("badge_name").max_length
            self.badge_name = f"{self.first_name} {self.last_name}".strip()[:max_length]

    def clean(self):
        # Before the constraints are validated, so another case of an address is a clash.
        self.email = (self.email or "").strip().lower()

    @property
    def full_name(self):
        return f"{self.first_name} {self.last_name}"

    @property
    def is_active(self):
        return self.status not in (self.Status.CANCELLED, self.Status.ERASED)

    @property
    def is_pending(self):
        return self.status == self.Status.PENDING

    @property
    def was_added_by_organiser(self):
        return bool(self.added_basis)

    @property
    def email_is_confirmed(self):
        return self.email_confirmed_at is not None

    def attends_on(self, day):
        """Whether the registration covers `day` of the event (its first or second day)."""
        offset = (day - self.event.starts_on).days
        return {0: self.attends_day_one, 1: self.attends_day_two}.get(offset, False)
