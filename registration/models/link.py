"""Booking links: single-use tokens, stored only as hashes, that sign a delegate in."""

import hashlib
import secrets

from django.db import models
from django.urls import reverse
from django.utils import timezone

from registration.models.delegate import Delegate
from socex.site_url import site_url


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
        return site_url() + reverse("registration:open_link", args=[raw_token])
