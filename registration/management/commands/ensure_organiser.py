import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from socex.totp import create_totp_device, describe_totp_device


class Command(BaseCommand):
    help = "Create an organiser account with a random password if no superuser exists yet."

    def add_arguments(self, parser):
        parser.add_argument("--username", default="organiser")

    def handle(self, *args, username, **options):
        User = get_user_model()
        if User.objects.filter(is_superuser=True).exists():
            self.stdout.write("An organiser account exists already; sign in at /admin/.")
            return
        password = secrets.token_urlsafe(12)
        user = User.objects.create_superuser(username=username, email="", password=password)
        self.stdout.write(
            self.style.SUCCESS(
                "Created the organiser account (shown once, keep it safe):\n"
                f"  username: {username}\n  password: {password}\n"
                f"Sign in at {settings.SITE_URL}/admin/"
            )
        )
        # Always give the account a device, so it can still sign in once DEBUG is off.
        self.stdout.write(describe_totp_device(create_totp_device(user)))
        if not settings.OTP_REQUIRED:
            self.stdout.write("(The admin asks for the code only when DEBUG is off.)")
