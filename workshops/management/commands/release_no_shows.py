"""Seat the people on standby at today's session doors: free places, then no-shows' seats.

Run it every few minutes on the day (cron) until the task scheduler runs it;
safe to repeat: people seated and seats released are recorded once.
"""

from django.core.management.base import BaseCommand

from registration.models import Event
from workshops.services.checkin import seat_standby_everywhere


class Command(BaseCommand):
    help = __doc__.splitlines()[0]

    def handle(self, *args, **options):
        event = Event.objects.current()
        if event is None:
            self.stdout.write("There is no current event.")
            return
        seated = seat_standby_everywhere(event=event)
        self.stdout.write(f"People seated from standby: {seated}.")
