"""Mail backends for tests: a server that refuses, one that cannot be reached, a counter.

They implement Django's own backend interface (not our code), so tests can point
`EMAIL_BACKEND` at them by dotted path.
"""

import smtplib
import threading

from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.core.signals import request_finished, request_started

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


_this_thread = threading.local()


def _request_started(**kwargs):
    _this_thread.in_request = True


def _request_finished(**kwargs):
    _this_thread.in_request = False


request_started.connect(_request_started, dispatch_uid="tests.mail_backends")
request_finished.connect(_request_finished, dispatch_uid="tests.mail_backends")


class OutsideRequestsBackend(LocmemBackend):
    """Django's test backend, failing the test if email is sent while a request is handled.

    Every test uses it (tests/conftest.py) unless it picks another backend: only
    the worker sends email.
    """

    def send_messages(self, messages):
        if getattr(_this_thread, "in_request", False):
            raise AssertionError("a request sent email: only the worker may")
        return super().send_messages(messages)


class RefusesSomeRecipientsBackend(LocmemBackend):
    """A server that is up but refuses any address starting with "refused"."""

    def send_messages(self, messages):
        for message in messages:
            if any(address.startswith("refused") for address in message.to):
                raise smtplib.SMTPRecipientsRefused({message.to[0]: (550, b"No such user")})
        return super().send_messages(messages)


class CountingBackend(OutsideRequestsBackend):
    """Django's test backend, counting the connections made (none inside a request)."""

    made = 0

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        CountingBackend.made += 1


def as_sent(message):
    """The text body of a queued `OutgoingEmail` as the mail server will get it (secrets in)."""
    return unseal(message.body_text, message.sealed)
