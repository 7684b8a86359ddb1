import datetime
import json
import math
import tempfile
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import models
from django.utils import timezone
from django.utils.dateformat import format as format_date
from django.utils.dateparse import parse_date, parse_datetime

from registration.models import Event

FIXTURE = "socex2019.json"
# Loaded for trying out, the event starts at least this far ahead, so registration
# (closing when the event starts by default) and changes are open.
LEAD_TIME = datetime.timedelta(weeks=8)


class Command(BaseCommand):
    help = (
        "Load the SOCEX 2019 programme once; later runs keep whatever organisers changed. "
        "Its 2019 dates are moved on by whole weeks so that the event lies ahead and "
        "registration is open, unless --keep-dates."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--keep-dates",
            action="store_true",
            help="Load the programme's own dates (22–23 May 2019): registration is then closed.",
        )

    def handle(self, *args, keep_dates, verbosity, **options):
        self.verbosity = verbosity
        if Event.objects.exists():
            self.say("Event data is already loaded; leaving it as it is.")
            self.warn_if_closed()
            return
        objects = json.loads(Path(settings.FIXTURE_DIRS[0], FIXTURE).read_text())
        event = next(o["fields"] for o in objects if o["model"] == "registration.event")
        starts_on = parse_date(event["starts_on"])
        weeks = 0 if keep_dates else weeks_until_ahead(starts_on, timezone.localdate())
        move_dates(objects, weeks=weeks)
        with tempfile.TemporaryDirectory() as directory:
            moved = Path(directory, FIXTURE)
            moved.write_text(json.dumps(objects))
            call_command("loaddata", str(moved), verbosity=0)
        loaded = Event.objects.get()
        when = " to ".join(
            format_date(day, "l j F Y") for day in (loaded.starts_on, loaded.ends_on)
        )
        if weeks:
            self.say(
                self.style.SUCCESS(
                    f"Loaded the SOCEX 2019 programme, its dates moved {weeks} weeks on so that "
                    f"it is open to try: {when}. (The programme's own dates, 22–23 May 2019, "
                    "are past; `load_event_data --keep-dates` keeps them.)"
                )
            )
        else:
            self.say(self.style.SUCCESS(f"Loaded the SOCEX 2019 programme: {when}."))
            self.warn_if_closed()

    def say(self, text):
        if self.verbosity:
            self.stdout.write(text)

    def warn_if_closed(self):
        event = Event.objects.current()
        if event is not None and not event.registration_is_open():
            closed = format_date(timezone.localtime(event.registration_deadline), "j F Y, H:i")
            self.say(
                self.style.WARNING(
                    f"Registration for {event.name} is closed (since {closed}). "
                    "To open it, set the event's dates, or Registration closes at and Changes "
                    "close at, in the admin: Events → "
                    f"{event.name}."
                )
            )


def weeks_until_ahead(starts_on, today):
    """Whole weeks to move an event starting on `starts_on` so it starts `LEAD_TIME` after today."""
    behind = (today + LEAD_TIME - starts_on).days
    return max(math.ceil(behind / 7), 0)


def move_dates(objects, *, weeks):
    """Move every date and time in serialised `objects` on by `weeks`, in place.

    Times keep their local clock time (09:15 stays 09:15 across a change to or
    from summer time), and whole weeks keep the weekdays.
    """
    if not weeks:
        return
    shift = datetime.timedelta(weeks=weeks)
    for obj in objects:
        model = apps.get_model(obj["model"])
        for name, value in obj["fields"].items():
            if value is None:
                continue
            field = model._meta.get_field(name)
            if isinstance(field, models.DateTimeField):
                local = timezone.localtime(parse_datetime(value)).replace(tzinfo=None)
                obj["fields"][name] = timezone.make_aware(local + shift).isoformat()
            elif isinstance(field, models.DateField):
                obj["fields"][name] = (parse_date(value) + shift).isoformat()
