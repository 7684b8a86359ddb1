from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from outbox.services import waiting_email_warning
from registration.models import Event
from workshops.models import AllocationRun
from workshops.services.ballot import BallotError, publish_allocation
from workshops.services.ballot_report import describe_run, people_in_report, report_summary
from workshops.services.ballot_runs import run_allocation


class Command(BaseCommand):
    help = (
        "Run the workshop ballot's allocation for the current event (or --event) and print "
        "its report; nothing is booked. --publish RUN_ID books that run's seats, in one "
        "transaction, and emails every allocated delegate their timetable."
    )

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, help="Settles equal claims by lottery.")
        parser.add_argument("--event", type=int, help="Event id; the current event by default.")
        parser.add_argument("--time-limit", type=float, default=30.0, help="Seconds (default 30).")
        parser.add_argument("--publish", type=int, metavar="RUN_ID", help="Publish this run.")
        parser.add_argument(
            "--user", help="Organiser's username, recorded with the run and the bookings."
        )

    def handle(self, *args, seed, event, time_limit, publish, user, **options):
        actor = None
        if user:
            actor = get_user_model().objects.filter(username=user).first()
            if actor is None:
                raise CommandError(f"No user called {user!r}.")
        if publish is not None:
            self.publish(run_id=publish, actor=actor)
        elif seed is None:
            raise CommandError("Give --seed N to run the allocation, or --publish RUN_ID.")
        else:
            self.run(event_id=event, seed=seed, time_limit=time_limit, actor=actor)

    def run(self, *, event_id, seed, time_limit, actor):
        if seed < 0:
            raise CommandError("--seed must be zero or more.")
        the_event = (
            Event.objects.filter(pk=event_id).first() if event_id else Event.objects.current()
        )
        if the_event is None:
            raise CommandError("No such event.")
        try:
            run = run_allocation(event=the_event, seed=seed, actor=actor, time_limit=time_limit)
        except BallotError as error:
            raise CommandError(error.message) from error
        solution = describe_run(run=run)
        self.stdout.write(
            f"{run} for {the_event}: {solution} ({run.solve_seconds:.2f} s; {run.solver_status})"
        )
        people = people_in_report(report=run.report)
        for line in report_summary(report=run.report, people=people):
            self.stdout.write(line)
        self.stdout.write(
            self.style.SUCCESS(
                f"Nothing is booked yet. To book it: manage.py run_ballot --publish {run.pk}"
            )
        )

    def publish(self, *, run_id, actor):
        run = AllocationRun.objects.filter(pk=run_id).first()
        if run is None:
            raise CommandError(f"No allocation run {run_id}.")
        try:
            booked = publish_allocation(run=run, actor=actor or run.created_by)
        except BallotError as error:
            raise CommandError(error.message) from error
        self.stdout.write(
            self.style.SUCCESS(
                f"Published {run}: {booked} delegates booked and emailed; those it left short "
                "were emailed what they can do; the event now takes bookings live."
            )
        )
        warning = waiting_email_warning()
        if warning:
            self.stdout.write(self.style.WARNING(warning))
