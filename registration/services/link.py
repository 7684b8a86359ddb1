"""Booking links: how a delegate proves who they are without a password.

A link carries a random token; only its hash is stored, and it works once.
"""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from registration.models import Delegate, ManageLink, hash_token
from socex.prepared import PreparedInsert

# Most emails to a delegate carry a new link: its INSERT is compiled once per connection.
_insert_link = PreparedInsert(ManageLink)


def issue_manage_link(*, delegate, now=None):
    """Create a new single-use booking link for `delegate` and return its URL.

    Side effects: inserts a `ManageLink` row. The raw token exists only in the URL.
    """
    now = now or timezone.now()
    token = ManageLink.new_token()
    _insert_link(
        ManageLink(
            delegate=delegate,
            token_hash=hash_token(token),
            expires_at=now + timedelta(hours=settings.MANAGE_LINK_HOURS),
        )
    )
    return ManageLink.url_for(token)


def find_usable_link(raw_token, now=None):
    return (
        ManageLink.objects.usable(now)
        .select_related("delegate")
        .filter(token_hash=hash_token(raw_token))
        .exclude(delegate__status=Delegate.Status.CANCELLED)
        .first()
    )
