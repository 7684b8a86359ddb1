import random

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from workshops.services.synthetic import generate_synthetic_delegates


class Command(BaseCommand):
    help = (
        "Add synthetic delegates (seeded, repeatable) to the current event for demos and "
        "benchmarks. Day-two delegates get four valid sessions while seats last; --fit raises "
        "session capacities first so that every one of them gets a seat."
    )

    def add_arguments(self, parser):
        parser.add_argument("--delegates", type=int, default=1000)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--fit", action="store_true", help="Raise capacities so everybody gets four seats."
        )

    def handle(self, *args, delegates, seed, fit, **options):
        if delegates < 1:
            raise CommandError("--delegates must be at least 1.")
        with transaction.atomic():
            summary = generate_synthetic_delegates(
                count=delegates, rng=random.Random(seed), fit=fit
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Added {summary['delegates']} delegates; {summary['booked']} hold a full set "
                f"of workshops, {summary['unbooked']} day-two delegates found no full set."
            )
        )
