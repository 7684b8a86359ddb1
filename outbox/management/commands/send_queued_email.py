from django.core.management.base import BaseCommand

from outbox.sending import send_queued_email


class Command(BaseCommand):
    help = (
        "Send every email that is due now (the workers do this every minute; this is for a "
        "flush by hand)."
    )

    def handle(self, *args, **options):
        sent, pending = send_queued_email(budget_seconds=None)
        self.stdout.write(f"Sent {sent}; {pending} still waiting for the mail server.")
