"""Asking for a new booking link by email, never telling a stranger who is registered.

The view answers the same either way and leaves `send_link_if_registered` to a
worker (`registration.tasks.send_link_to`), so the request's work is the same too.
"""

import logging

from django.db import transaction

from registration.models import Delegate, Event
from registration.services.email import email_delegate

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
    email_delegate(
        delegate=delegate,
        subject="your booking link",
        template="email/booking_link",
        with_link=True,
    )
    return True
