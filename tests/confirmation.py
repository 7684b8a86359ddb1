"""Reading the confirmation code a delegate was emailed, as they would from their inbox."""

import re
import time

from django.core import mail

from outbox.models import OutgoingEmail
from tests.jobs import run_queued_jobs
from tests.mail_backends import as_sent

CODE = re.compile(r"^\s+(\d{6})\s*$", re.MULTILINE)


def emailed_code(email, *, wait=5.0):
    """The code in the newest message queued to `email` (the outbox holds it sealed).

    The registration is made by a background job: this runs the queued jobs, as
    the worker beside the site would, waiting up to `wait` seconds for a live
    server's request to queue one.
    """
    deadline = time.monotonic() + wait
    while True:
        run_queued_jobs()
        message = OutgoingEmail.objects.filter(to=email).order_by("-created_at", "-pk").first()
        if message is not None or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert message is not None, f"nothing was queued to {email}"
    assert CODE.search(message.body_text) is None, "the code is stored in clear"
    if message.status == OutgoingEmail.Status.SENT:
        # Sent (a live server commits): the outbox forgot the code; the inbox has it.
        body = next(m.body for m in reversed(mail.outbox) if m.to == [email])
    else:
        body = as_sent(message)
    found = CODE.search(body)
    assert found, f"no code in {message.subject!r}: {body}"
    return found.group(1)


def confirm(client, email):
    """Type the code emailed to `email` on the confirm page; return the response."""
    return client.post("/booking/confirm/", {"code": emailed_code(email)})
