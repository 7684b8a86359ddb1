"""Mail backends for tests: a server that refuses, one that cannot be reached, a counter.

They implement Django's own backend interface (not our code), so tests can point
`EMAIL_BACKEND` at them by dotted path.
"""

import smtplib

from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend

from outbox.sealing import unseal


class RefusingBackend(BaseEmailBackend):
    """A mail backend whose server hangs up on every message."""

    def send_messages(self, messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


class UnreachableBackend(BaseEmailBackend):
    """A mail server that cannot even be connected to."""

    def open(self):
        raise ConnectionRefusedError("Connection refused")

    def send_messages(self, messages):
        self.open()


class RefusesSomeRecipientsBackend(LocmemBackend):
    """A server that is up but refuses any address starting with "refused"."""

    def send_messages(self, messages):
        for message in messages:
            if any(address.startswith("refused") for address in message.to):
                raise smtplib.SMTPRecipientsRefused({message.to[0]: (550, b"No such user")})
        return super().send_messages(messages)


class CountingBackend(LocmemBackend):
    """Django's test backend, counting the connections made."""

    made = 0

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        CountingBackend.made += 1


def as_sent(message):
    """The text body of a queued `OutgoingEmail` as the mail server will get it (secrets in)."""
    return unseal(message.body_text, message.sealed)
