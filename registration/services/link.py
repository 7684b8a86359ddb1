"""Booking links: how a delegate proves who they are without a password.

A link carries a random token; only its hash is stored. Asking for a new link
must not tell a stranger whether an address is registered: the view answers
the same either way and does the lookup and the sending after the response
has gone (`registration.views.link.ResponseThenWork`).
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from registration.models import Delegate, Event, ManageLink, hash_token


def issue_manage_link(*, delegate, now=None):
    """Create a new single-use booking link for `delegate` and return its URL.

    Side effects: inserts a `ManageLink` row. The raw token exists only in the URL.
    """
    now = now or timezone.now()
    token = ManageLink.new_token()
    ManageLink.objects.create(
        delegate=delegate,
        token_hash=hash_token(token),
        expires_at=now + timedelta(hours=settings.MANAGE_LINK_HOURS),
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


logger = logging.getLogger(__name__)


@transaction.atomic
def send_link_if_registered(*, email):
    """Email a fresh booking link to `email` if it has a live registration.

    The caller shows the same page either way, so the answer never tells a
    stranger whether an address is registered. Side effects: inserts a link
    and a queued email when the address is registered; nothing otherwise.
    """
    event = Event.objects.current()
    delegate = (
        Delegate.objects.active()
        .select_related("event")
        .filter(event=event, email=email.strip().lower())
        .first()
    )
    if delegate is None:
        return False
    # Imported here: registration.services.email builds on this module's issue_manage_link.
    from registration.services.email import email_delegate

    email_delegate(
        delegate=delegate,
        subject="your booking link",
        template="email/booking_link",
        with_link=True,
    )
    return True
