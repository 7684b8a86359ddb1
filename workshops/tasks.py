"""The workshops app's background jobs (run by `worker`; declared in its one schedule)."""

from datetime import timedelta

from django_tasks import task

from registration.models import Event
from worker.schedule import every
from workshops.services.checkin import seat_standby_everywhere


@every(timedelta(minutes=2))
@task
def release_no_shows():
    """On the day: seat the people on standby at today's session doors, in free places and,
    once the event's release time after each start has passed, in no-shows' seats.

    Safe to run again: people seated and seats released are recorded once, and a run
    finds nobody left to seat. Outside the event's days it finds no session.
    """
    event = Event.objects.current()
    return {"seated": seat_standby_everywhere(event=event) if event else 0}
