"""The outbox's jobs: send what was just queued, and every minute whatever is due."""

from datetime import timedelta

from django_tasks import task

from outbox.sending import send_emails, send_queued_email, server_failed_lately
from worker.schedule import every


@task
def send_messages(*, message_ids):
    """Send these queued messages through one connection, unless the server failed lately.

    Ids only: the addresses stay in the outbox. Idempotent: a message is sent
    only by whoever claims it pending and due (`outbox.services`), so a second
    run sends nothing that was sent.
    """
    if server_failed_lately():
        # A silent server holds a worker for EMAIL_TIMEOUT per attempt, and registrations
        # queue behind it: the messages stay pending and due, and the periodic
        # `send_due_email`, which always tries, sends them once the server answers.
        return {"sent": 0, "deferred": len(message_ids)}
    return {"sent": send_emails(message_ids=message_ids)}


@every(timedelta(minutes=1))
@task
def send_due_email():
    """Retry what failed, once its back-off ends, and send any message whose job was lost."""
    sent, still_due = send_queued_email()
    return {"sent": sent, "still_due": still_due}
