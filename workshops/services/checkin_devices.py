"""Check-in links: a phone signs in to the check-in page for one day and some doors.

An organiser makes a link in the admin and shows it to the phone as a QR
code. The token is random (256 bits) and stored only as a hash, like booking
links (`registration.services.link`); unlike them it works until the end of its
day, for every phone it is shown to, unless an organiser revokes it or issues
a new one. Opening it starts a session that can reach the check-in page and
nothing else, and ends when the link does.
"""

from datetime import datetime, time, timedelta

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from registration.errors import UserFacingError
from registration.models import hash_token
from socex.site_url import site_url
from workshops.models import CheckinDevice


class CheckinLinkError(UserFacingError):
    """A check-in link cannot be made as asked."""


def end_of_day(day):
    """Midnight at the end of `day`, in the site's time zone."""
    return timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))


def link_url(raw_token):
    """The link (and its QR code) on the address the organiser reached the site at, with DEBUG."""
    return site_url() + reverse("checkin:open_link", args=[raw_token])


@transaction.atomic
def issue_checkin_link(*, device, created_by=None):
    """Give `device` (saved, or about to be) a new token; return the link's URL.

    The day must be one of the event's. Side effects: saves the device with the
    token's hash and an expiry at the end of its day, clearing any revocation;
    any link it had before stops working. The URL exists only in the answer.
    """
    if device.day not in device.event.days:
        raise CheckinLinkError(
            f"Choose a day of {device.event.name}: "
            + " or ".join(f"{day:%-d %B %Y}" for day in device.event.days)
            + "."
        )
    token = CheckinDevice.new_token()
    device.token_hash = hash_token(token)
    device.expires_at = end_of_day(device.day)
    device.revoked_at = None
    if created_by is not None and device.created_by_id is None:
        device.created_by = created_by
    device.save()
    return link_url(token)


def revoke_checkin_links(*, devices, now=None):
    """Stop the links at once; every phone signed in with them is signed out at its next request.

    Side effects: sets `revoked_at` on those not yet revoked. Returns how many.
    """
    return devices.filter(revoked_at__isnull=True).update(revoked_at=now or timezone.now())


def find_usable_device(raw_token, now=None):
    """The link's device if the token is one of ours, not revoked, not expired; else None."""
    return (
        CheckinDevice.objects.usable(now)
        .select_related("event")
        .filter(token_hash=hash_token(raw_token or ""))
        .first()
    )


USED_AT_RESOLUTION = timedelta(minutes=1)


def mark_used(*, device, now=None):
    """Side effects: records when the link was last used (for the organisers' list), to the
    minute, so a busy door does not write the device's row on every scan."""
    now = now or timezone.now()
    if device.last_used_at is None or now - device.last_used_at >= USED_AT_RESOLUTION:
        CheckinDevice.objects.filter(pk=device.pk).update(last_used_at=now)
        device.last_used_at = now
