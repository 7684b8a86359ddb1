"""Single-use sign-in links: random tokens, stored only as hashes, that sign someone in.

`SingleUseLink` is the shared part (a delegate's booking link here, a
facilitator's sign-in link in `workshops.models.facilitator`): the token exists
only in the emailed URL, so a database copy holds nothing that signs anyone in.
"""

import hashlib
import secrets

from django.db import models
from django.urls import reverse
from django.utils import timezone

from registration.models.delegate import Delegate
from socex.site_url import site_url


def hash_token(raw_token):
    return hashlib.sha256(raw_token.encode()).hexdigest()


class SingleUseLinkQuerySet(models.QuerySet):
    def usable(self, now=None):
        now = now or timezone.now()
        return self.filter(used_at__isnull=True, expires_at__gt=now)

    def with_token(self, raw_token):
        return self.filter(token_hash=hash_token(raw_token or ""))

    def spend(self, link, now=None):
        """Mark `link` used unless another request did first; return whether this one did.

        One conditional UPDATE, so two requests racing on one link cannot both spend it.
        """
        return bool(
            self.filter(pk=link.pk, used_at__isnull=True).update(used_at=now or timezone.now())
        )


# Kept as the delegates' name for the shared queryset.
ManageLinkQuerySet = SingleUseLinkQuerySet


class SingleUseLink(models.Model):
    """A link that works once, until it expires; only its token's hash is stored."""

    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    objects = SingleUseLinkQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["-created_at"]

    @classmethod
    def new_token(cls):
        return secrets.token_urlsafe(32)

    @staticmethod
    def token_hash_of(raw_token):
        return hash_token(raw_token)


class ManageLink(SingleUseLink):
    """A single-use, expiring link that opens a delegate's booking without a password.

    Only the token's hash is stored, so a database leak does not leak working links.
    """

    delegate = models.ForeignKey(Delegate, on_delete=models.CASCADE, related_name="manage_links")

    class Meta(SingleUseLink.Meta):
        pass

    def __str__(self):
        return f"Link for {self.delegate} (expires {self.expires_at:%Y-%m-%d %H:%M})"

    @staticmethod
    def url_for(raw_token):
        return site_url() + reverse("registration:open_link", args=[raw_token])
