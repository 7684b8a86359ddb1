"""Attendance certificates: what each certifies, kept so that it can be checked for years.

A certificate is checked by its short code on a public page. The row keeps no
personal data, so checking still works after retention has anonymised the
delegate: the sessions certified (titles and times, which say nothing about
who attended without the name), a keyed hash of the name as printed
(`name_hash`, so a verifier who types the name learns whether it matches, and
nobody can read it back), and a keyed hash of everything certified (`seal`),
so a row edited in the database no longer verifies. Both keys derive from
`SECRET_KEY` (`workshops.services.certificates`).
"""

from django.db import models

from registration.models import Delegate, Event


class Certificate(models.Model):
    """One delegate's attendance at an event's sessions, as certified on `issued_at`."""

    code = models.CharField(max_length=20, unique=True, editable=False)
    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="+")
    # Who may download it; emptied when the delegate is anonymised or erased.
    delegate = models.ForeignKey(
        Delegate, null=True, blank=True, on_delete=models.SET_NULL, related_name="certificates"
    )
    event_name = models.CharField(max_length=200, editable=False)
    # [{"workshop", "slot", "starts_at", "ends_at"}, ...] in time order (ISO times, UTC).
    sessions = models.JSONField(editable=False)
    minutes = models.PositiveIntegerField(editable=False)
    name_hash = models.CharField(max_length=64, editable=False)
    seal = models.CharField(max_length=64, editable=False)
    issued_at = models.DateTimeField(editable=False)
    emailed_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(
        null=True, blank=True, help_text="A revoked certificate no longer verifies."
    )

    class Meta:
        ordering = ["-issued_at", "-pk"]
        verbose_name = "attendance certificate"

    def __str__(self):
        return f"Certificate {self.code}"
