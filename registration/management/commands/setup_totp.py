from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from socex.totp import create_totp_device, describe_totp_device


class Command(BaseCommand):
    help = (
        "Give an organiser or staff account a TOTP second factor and print its key once. "
        "Use --replace when someone loses their phone."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument(
            "--replace", action="store_true", help="Remove the account's existing devices first."
        )

    def handle(self, *args, username, replace, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No account called {username!r}.")
        if not user.is_staff:
            raise CommandError(f"{username!r} is not a staff account; it cannot use the admin.")
        device = create_totp_device(user, replace=replace)
        self.stdout.write(describe_totp_device(device))
