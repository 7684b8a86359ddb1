from django.core.management import call_command
from django.core.management.base import BaseCommand

from registration.models import Event


class Command(BaseCommand):
    help = "Load the SOCEX 2019 programme once; later runs keep whatever organisers changed."

    def handle(self, *args, **options):
        if Event.objects.exists():
            self.stdout.write("Event data is already loaded; leaving it as it is.")
            return
        call_command("loaddata", "socex2019", verbosity=0)
        self.stdout.write(self.style.SUCCESS("Loaded the SOCEX 2019 programme."))
