"""Booking links in queued email work for the delegate and for no one who reads the database."""

import re

import pytest
from django.core import mail
from django.db import connection
from django.urls import reverse

from outbox.models import OutgoingEmail
from outbox.sealing import UNREADABLE
from outbox.sending import send_queued_email
from registration.services.email import email_delegate
from tests.factories import AdminUserFactory, DelegateFactory
from tests.jobs import run_queued_jobs

LINK = re.compile(r"http://127\.0\.0\.1:8000(/booking/link/[\w-]+/)")


def every_stored_text():
    """Every column of every outbox row as the database returns it."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM outbox_outgoingemail")
        return " ".join(str(value) for row in cursor.fetchall() for value in row)


@pytest.fixture
def queued_while_mail_is_down(event, settings):
    settings.EMAIL_BACKEND = "tests.mail_backends.RefusingBackend"
    delegate = DelegateFactory(event=event)
    email_delegate(
        delegate=delegate,
        subject="your booking link",
        template="email/booking_link",
        with_link=True,
    )
    run_queued_jobs()
    return delegate


def test_pending_email_stores_no_working_link(queued_while_mail_is_down, client):
    message = OutgoingEmail.objects.get()
    assert message.status == OutgoingEmail.Status.PENDING
    assert message.attempts == 1  # the server refused it: it waits, sealed
    assert "/booking/link/" not in every_stored_text()
    assert "never stored" in message.body_text and "never stored" in message.body_html
    client.force_login(AdminUserFactory(groups=["Organisers"]))
    page = client.get(reverse("admin:outbox_outgoingemail_change", args=[message.pk]))
    assert page.status_code == 200
    assert "/booking/link/" not in page.content.decode()


def test_sent_email_carries_a_working_link_and_the_database_forgets_it(
    queued_while_mail_is_down, settings, client
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    OutgoingEmail.objects.update(next_attempt_at="2000-01-01T00:00:00Z")
    assert send_queued_email() == (1, 0)
    sent = mail.outbox[-1]
    path = LINK.search(sent.body).group(1)
    assert path in sent.alternatives[0][0]  # the HTML part carries the same link
    message = OutgoingEmail.objects.get()
    assert message.status == OutgoingEmail.Status.SENT
    assert message.sealed == {}
    assert "/booking/link/" not in every_stored_text()
    assert client.post(path).status_code == 302  # the link signs the delegate in
    assert client.get(reverse("workshops:manage")).status_code == 200


def test_a_changed_secret_key_sends_a_note_instead_of_a_broken_link(
    queued_while_mail_is_down, settings
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SECRET_KEY = "a-different-key-after-rotation-" + "x" * 30
    OutgoingEmail.objects.update(next_attempt_at="2000-01-01T00:00:00Z")
    assert send_queued_email() == (1, 0)
    assert UNREADABLE in mail.outbox[-1].body
    assert "never stored" not in mail.outbox[-1].body
