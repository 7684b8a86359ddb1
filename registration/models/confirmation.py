"""Email confirmation codes: six digits, emailed, typed back to prove the mailbox is theirs."""

import hashlib
import hmac
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone

from registration.models.delegate import Delegate


def new_confirmation_code():
    """Six random digits: short enough to read off a phone and type on a laptop."""
    return f"{secrets.randbelow(10**6):06d}"


def hash_confirmation_code(*, delegate_id, code):
    """The stored form of `code`: keyed with SECRET_KEY, since a million codes hash in a blink.

    A plain hash (as booking links use) would let anyone with a database copy
    try all million codes; without the key, which is not in the database, they cannot.
    """
    key = hashlib.sha256(b"socex-confirmation-code:" + settings.SECRET_KEY.encode()).digest()
    return hmac.new(key, f"{delegate_id}:{code}".encode(), hashlib.sha256).hexdigest()


class EmailConfirmationQuerySet(models.QuerySet):
    def usable(self, now=None):
        now = now or timezone.now()
        return self.filter(used_at__isnull=True, expires_at__gt=now)


class EmailConfirmation(models.Model):
    """A code emailed to a delegate's address; the latest one works until used, spent or expired.

    Only the code's keyed hash is stored. `attempts` counts wrong guesses; at
    `CONFIRMATION_CODE_ATTEMPTS` the code is spent (`used_at` set) and a new
    one must be sent.
    """

    delegate = models.ForeignKey(
        Delegate, on_delete=models.CASCADE, related_name="email_confirmations"
    )
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    objects = EmailConfirmationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"Code for {self.delegate} (expires {self.expires_at:%Y-%m-%d %H:%M})"

    def matches(self, code):
        expected = hash_confirmation_code(delegate_id=self.delegate_id, code=code)
        return hmac.compare_digest(self.code_hash, expected)
