"""The outbox in the admin: a next attempt is shown only for messages not yet sent."""

import datetime
import re

from django.urls import reverse
from django.utils import timezone

from outbox.models import OutgoingEmail
from tests.factories import AdminUserFactory


def outgoing(status, **fields):
    return OutgoingEmail.objects.create(
        to="jane.doe@warwickshire.police.uk",
        subject=f"A {status} message",
        body_text="Hello",
        status=status,
        next_attempt_at=timezone.now() + datetime.timedelta(minutes=5),
        **fields,
    )


def test_outbox_list_shows_next_attempt_only_for_pending_messages(client, db):
    sent = outgoing(OutgoingEmail.Status.SENT, attempts=1, sent_at=timezone.now())
    failed = outgoing(OutgoingEmail.Status.FAILED, attempts=5)
    pending = outgoing(OutgoingEmail.Status.PENDING, attempts=1)
    client.force_login(AdminUserFactory(groups=["Organisers"]))
    html = client.get(reverse("admin:outbox_outgoingemail_changelist")).content.decode()
    cells = dict(
        re.findall(
            r'outgoingemail/(\d+)/change/.*?<td class="field-next_attempt[^"]*">(.*?)</td>', html
        )
    )
    assert cells[str(sent.pk)] == "-"
    assert cells[str(failed.pk)] == "-"
    assert cells[str(pending.pk)].startswith(
        f"{timezone.localtime(pending.next_attempt_at):%-d %b %Y}"
    )


def test_outbox_page_of_a_sent_message_has_no_next_attempt(client, db):
    sent = outgoing(OutgoingEmail.Status.SENT, attempts=1, sent_at=timezone.now())
    pending = outgoing(OutgoingEmail.Status.PENDING)
    client.force_login(AdminUserFactory(groups=["Organisers"]))
    page = client.get(reverse("admin:outbox_outgoingemail_change", args=[sent.pk]))
    assert "Next attempt at" not in page.content.decode()
    page = client.get(reverse("admin:outbox_outgoingemail_change", args=[pending.pk]))
    assert "Next attempt at" in page.content.decode()
