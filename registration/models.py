import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.db.models import Count, Q, Sum
from django.urls import reverse
from django.utils import timezone


class EventQuerySet(models.QuerySet):
    def current(self):
        """The event the public site serves: the newest one marked current."""
        return self.filter(is_current=True).order_by("-starts_on").first()


class Event(models.Model):
    """The conference and the settings organisers change in the admin."""

    class BookingMode(models.TextChoices):
        LIVE = "live", "Live booking: first come, first served"
        BALLOT = "ballot", "Ballot: delegates rank workshops, seats allocated after it closes"

    name = models.CharField(max_length=200)
    tagline = models.CharField(max_length=300, blank=True)
    starts_on = models.DateField()
    ends_on = models.DateField()
    venue_name = models.CharField(max_length=200)
    venue_address = models.CharField(max_length=300)
    day_two_summary = models.TextField(
        blank=True, help_text="Shown on the home page: how the day-two workshops work."
    )
    choices_required = models.PositiveSmallIntegerField(
        default=4, help_text="How many workshop sessions each day-two delegate must hold."
    )
    registration_opens_at = models.DateTimeField(
        null=True, blank=True, help_text="Leave empty to open registration now."
    )
    registration_closes_at = models.DateTimeField(
        null=True, blank=True, help_text="Leave empty to keep registration open."
    )
    changes_close_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="After this, delegates can no longer change or cancel online.",
    )
    contact_email = models.EmailField(help_text="Shown to delegates who need help.")
    is_current = models.BooleanField(
        default=True, help_text="The public site serves the current event."
    )
    booking_mode = models.CharField(
        max_length=10,
        choices=BookingMode.choices,
        default=BookingMode.LIVE,
        help_text="Publishing a ballot's allocation switches the event to live booking.",
    )
    ballot_closes_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="In ballot mode: delegates can change their ranking until then; "
        "the allocation can be run only after it.",
    )

    objects = EventQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="event_ends_after_start"
            ),
            models.CheckConstraint(condition=Q(choices_required__gte=1), name="event_choices_min"),
        ]

    def __str__(self):
        return self.name

    def registration_is_open(self, now=None):
        now = now or timezone.now()
        if self.registration_opens_at and now < self.registration_opens_at:
            return False
        return not (self.registration_closes_at and now >= self.registration_closes_at)

    @property
    def is_ballot(self):
        return self.booking_mode == self.BookingMode.BALLOT

    def ballot_is_open(self, now=None):
        now = now or timezone.now()
        return self.is_ballot and not (self.ballot_closes_at and now >= self.ballot_closes_at)

    def changes_are_open(self, now=None):
        now = now or timezone.now()
        return not (self.changes_close_at and now >= self.changes_close_at)

    def day_two_places_left(self):
        """Places left for day two: the fewest free seats in any time slot (two queries).

        Every day-two delegate needs a seat in every slot, so the fullest slot decides.
        """
        capacities = self.time_slots.annotate(seats=Sum("sessions__capacity")).values_list(
            "pk", "seats"
        )
        taken = dict(self.time_slots.annotate(n=Count("sessions__bookings")).values_list("pk", "n"))
        return min(((seats or 0) - taken[pk] for pk, seats in capacities), default=0)


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

    name = models.CharField(max_length=200, unique=True)
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
        blank=True,
        help_text="One per line, e.g. police.uk. Addresses at a subdomain "
        "(kent.police.uk) qualify too.",
    )
    place_limit = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="Most people this agency may register (pending ones count). "
        "Leave empty for no limit.",
    )

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "agencies"

    def __str__(self):
        return self.name


def new_checkin_reference():
    """A random, unguessable reference for a delegate's badge QR code (120 bits)."""
    return secrets.token_urlsafe(15)


class DelegateQuerySet(models.QuerySet):
    def active(self):
        return self.exclude(status__in=[Delegate.Status.CANCELLED, Delegate.Status.ERASED])

    def attending_day_two(self):
        return self.active().filter(attends_day_two=True)


class Delegate(models.Model):
    class Status(models.TextChoices):
        REGISTERED = "registered", "Registered"
        PENDING = "pending", "Awaiting approval"
        CANCELLED = "cancelled", "Cancelled"
        # Erased at the delegate's or an organiser's request: seats released, personal
        # fields anonymised; the row stays so that counts by agency and day still add up.
        ERASED = "erased", "Erased"

    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="delegates")
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    email = models.EmailField("work email")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="delegates")
    job_title = models.CharField(max_length=150)
    phone = models.CharField(max_length=40, blank=True)
    attends_day_one = models.BooleanField("attending day one", default=True)
    attends_day_two = models.BooleanField("attending day two", default=True)
    dietary_requirements = models.TextField(blank=True)
    accessibility_needs = models.TextField(blank=True)
    badge_name = models.CharField(max_length=100)
    privacy_accepted_at = models.DateTimeField()
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

    class Meta:
        ordering = ["last_name", "first_name"]
        constraints = [
            # One live registration per address; a cancelled one may register again.
            models.UniqueConstraint(
                fields=["event", "email"],
                condition=~Q(status="cancelled"),
                name="delegate_one_live_registration_per_email",
            ),
            models.CheckConstraint(
                condition=Q(attends_day_one=True) | Q(attends_day_two=True),
                name="delegate_attends_a_day",
            ),
        ]
        indexes = [models.Index(fields=["email"])]
        permissions = [
            ("view_needs", "Can see dietary requirements and accessibility needs"),
            ("export_delegates", "Can download attendee lists, rosters, sign-in sheets, badges"),
        ]

    def __str__(self):
        return f"{self.first_name} {self.last_name}"

    def save(self, *args, **kwargs):
        self.email = self.email.strip().lower()
        if not self.badge_name:
            # Two long names can exceed the badge's 100 characters (PostgreSQL refuses that).
            max_length = self._meta.get_field("badge_name").max_length
            self.badge_name = f"{self.first_name} {self.last_name}".strip()[:max_length]
        super().save(*args, **kwargs)

    @property
    def full_name(self):
        return f"{self.first_name} {self.last_name}"

    @property
    def is_active(self):
        return self.status not in (self.Status.CANCELLED, self.Status.ERASED)

    @property
    def is_pending(self):
        return self.status == self.Status.PENDING


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
                condition=Q(max_uses__gte=1), name="invitation_used_at_least_once"
            )
        ]

    def __str__(self):
        return self.code

    def save(self, *args, **kwargs):
        self.code = normalise_invitation_code(self.code)
        super().save(*args, **kwargs)


def normalise_invitation_code(code):
    return "".join(code.split()).upper()


def hash_token(raw_token):
    return hashlib.sha256(raw_token.encode()).hexdigest()


class ManageLinkQuerySet(models.QuerySet):
    def usable(self, now=None):
        now = now or timezone.now()
        return self.filter(used_at__isnull=True, expires_at__gt=now)


class ManageLink(models.Model):
    """A single-use, expiring link that opens a delegate's booking without a password.

    Only the token's hash is stored, so a database leak does not leak working links.
    """

    delegate = models.ForeignKey(Delegate, on_delete=models.CASCADE, related_name="manage_links")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    objects = ManageLinkQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"Link for {self.delegate} (expires {self.expires_at:%Y-%m-%d %H:%M})"

    @classmethod
    def new_token(cls):
        return secrets.token_urlsafe(32)

    @staticmethod
    def url_for(raw_token):
        return settings.SITE_URL + reverse("workshops:open_link", args=[raw_token])


class OutgoingEmail(models.Model):
    """An email waiting to be sent, kept until the mail server accepts it.

    Written in the same transaction as the change it reports, so a mail server
    that is down delays the message and never loses or rolls back the change.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Gave up"

    to = models.EmailField()
    subject = models.CharField(max_length=250)
    body_text = models.TextField()
    body_html = models.TextField(blank=True)
    attachment_name = models.CharField(max_length=100, blank=True)
    attachment_content = models.TextField(blank=True)
    attachment_mimetype = models.CharField(max_length=100, blank=True)
    delegate = models.ForeignKey(
        Delegate, null=True, blank=True, on_delete=models.SET_NULL, related_name="emails"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self):
        return f"{self.subject} → {self.to}"


class ExportRecord(models.Model):
    """Who downloaded which list of delegates, and when: personal data leaving the system."""

    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        XLSX = "xlsx", "Excel (XLSX)"
        PDF = "pdf", "PDF"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Kept as text too, so the record still says who it was if the account is deleted.
    username = models.CharField(max_length=150)
    export_name = models.CharField(max_length=300)
    format = models.CharField(max_length=10, choices=Format.choices)
    row_count = models.PositiveIntegerField(help_text="Delegates (or seats) in the download.")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.username}: {self.export_name} ({self.get_format_display()})"
