"""A delegate's private calendar feed: a secret URL a calendar app subscribes to.

The URL carries a random token; only its SHA-256 hash is stored
(`CalendarFeed.token_hash`), as with booking links, so nothing in the
database works as a credential. A delegate has at most one feed: a new one
replaces the old, whose URL stops working at once. The feed serves the seats
they hold now (`calendar.timetable_ics`), with the same UIDs and SEQUENCEs as
their emails, so a subscribed calendar follows every change.
"""

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from registration.models import Delegate
from registration.services.locking import lock_delegate
from socex.site_url import site_url
from workshops.models import CalendarFeed
from workshops.models.calendar import hash_feed_token


@transaction.atomic
def issue_calendar_feed(*, delegate):
    """Give `delegate` a new feed URL, revoking any they had; return the URL.

    Side effects: locks the delegate, replaces their `CalendarFeed` row. The
    raw token exists only in the URL returned.
    """
    lock_delegate(delegate.pk)
    token = CalendarFeed.new_token()
    CalendarFeed.objects.update_or_create(
        delegate=delegate,
        defaults={"token_hash": hash_feed_token(token), "created_at": timezone.now()},
    )
    return site_url() + reverse("workshops:calendar_feed", args=[token])


def revoke_calendar_feed(*, delegate):
    """Turn the delegate's feed off; return whether they had one. Side effects: deletes it."""
    deleted, _ = CalendarFeed.objects.filter(delegate=delegate).delete()
    return bool(deleted)


def feed_delegate(*, raw_token):
    """The delegate whose feed `raw_token` opens, or None (unknown, revoked or malformed)."""
    if not raw_token or len(raw_token) > 100:
        return None
    feed = (
        CalendarFeed.objects.filter(token_hash=hash_feed_token(raw_token))
        .select_related("delegate__event")
        .first()
    )
    return feed.delegate if feed is not None else None


def feed_bookings(*, delegate):
    """The seats a feed shows: those held, none once the registration is cancelled."""
    if delegate.status == Delegate.Status.CANCELLED:
        return []
    return list(delegate.bookings.timetable())
