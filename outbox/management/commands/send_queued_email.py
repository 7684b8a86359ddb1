from django.core.management.base import BaseCommand

from outbox.services import send_queued_email


class Command(BaseCommand):
    help = "Send emails that could not be sent before (run it every few minutes from cron)."

    def handle(self, *args, **options):
        sent, pending = send_queued_email()
        self.stdout.write(f"Sent {sent}; {pending} still waiting for the mail server.")
