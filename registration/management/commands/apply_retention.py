"""Anonymise delegates whose event ended RETENTION_DAYS or more days ago (workers do it daily)."""

from django.core.management.base import BaseCommand, CommandError

from registration.services.privacy import anonymise_expired_delegates, retention_cutoff


class Command(BaseCommand):
    help = (
        "Anonymise every delegate of every event that ended RETENTION_DAYS (default 90) or "
        "more days ago. Safe to run repeatedly: delegates already anonymised are skipped."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--days", type=int, default=None, help="Override RETENTION_DAYS for this run."
        )

    def handle(self, *args, days=None, **options):
        if days is not None and days < 0:
            raise CommandError("--days must be 0 or more.")
        done = anonymise_expired_delegates(days=days)
        cutoff = retention_cutoff(days=days)
        for event, count in done:
            self.stdout.write(f"Anonymised {count} delegates of {event} (ended {event.ends_on}).")
        if not done:
            self.stdout.write(f"Nothing to anonymise: no delegates of events ended by {cutoff}.")
