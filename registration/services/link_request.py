"""Asking for a new booking link by email, never telling a stranger who is registered.

The view answers the same either way and leaves `send_link_if_registered` to a
worker (`registration.tasks.send_link_to`), so the request's work is the same too.
"""

import logging

from django.db import transaction

from registration.models import Delegate, Event
from registration.services.email import email_delegate
from registration.services.locking import lock_live_delegate

logger = logging.getLogger(__name__)


def send_link_if_registered(*, email):
    """Email a fresh booking link to `email` if it has a live registration.

    The caller shows the same page either way, so the answer never tells a
    stranger whether an address is registered. Side effects: as
    `send_link_to_delegate` when the address is registered; nothing otherwise.
    """
    event = Event.objects.current()
    found = (
        Delegate.objects.active()
        .filter(event=event, email=email.strip().lower())
        .values_list("pk", "email")
        .first()
    )
    if found is None:
        return False
    delegate_id, address = found
    return send_link_to_delegate(delegate_id=delegate_id, email=address)


@transaction.atomic
def send_link_to_delegate(*, delegate_id, email):
    """Email a fresh booking link to the delegate found at `email`, if they still are there.

    Side effects: locks the delegate; if their registration is still live,
    not anonymised and at `email` (an erasure may have run since they were
    looked up), inserts a link and a queued email. Returns whether it did.
    """
    delegate = lock_live_delegate(delegate_id, email=email, related=["event"])
    if delegate is None:
        return False
    email_delegate(
        delegate=delegate,
        subject="your booking link",
        template="email/booking_link",
        with_link=True,
    )
    return True
