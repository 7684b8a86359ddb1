"""Asking for a new booking link by email."""

from django import forms
from django.db import transaction

from registration.access import issue_manage_link
from registration.models import Delegate, Event
from registration.outbox import queue_email


class RequestLinkForm(forms.Form):
    email = forms.EmailField(
        label="Your work email",
        max_length=254,
        help_text="The address you registered with.",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )


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
    queue_email(
        to=delegate.email,
        subject=f"{delegate.event.name}: your booking link",
        template="email/booking_link",
        context={
            "delegate": delegate,
            "event": delegate.event,
            "link": issue_manage_link(delegate=delegate),
        },
        delegate=delegate,
    )
    return True
