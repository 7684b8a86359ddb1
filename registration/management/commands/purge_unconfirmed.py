"""Delete registrations never confirmed within UNCONFIRMED_REGISTRATION_DAYS, by hand.

The workers do this daily (`registration.tasks.purge_unconfirmed`).
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from registration.services.privacy import purge_unconfirmed_registrations


class Command(BaseCommand):
    help = (
        "Delete registrations whose email address was never confirmed, made "
        "UNCONFIRMED_REGISTRATION_DAYS (default 7) or more days ago, with their codes, links "
        "and stored emails. Registrations holding seats, a waiting-list place or a ranking "
        "are kept. Safe to run repeatedly."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=int,
            default=None,
            help="Override UNCONFIRMED_REGISTRATION_DAYS for this run.",
        )

    def handle(self, *args, days=None, **options):
        if days is not None and days < 0:
            raise CommandError("--days must be 0 or more.")
        days = settings.UNCONFIRMED_REGISTRATION_DAYS if days is None else days
        deleted = purge_unconfirmed_registrations(days=days)
        if deleted:
            self.stdout.write(
                f"Deleted {deleted} registrations never confirmed within {days} days."
            )
        else:
            self.stdout.write(f"Nothing to delete: no registration unconfirmed after {days} days.")
