import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand


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
        User.objects.create_superuser(username=username, email="", password=password)
        self.stdout.write(
            self.style.SUCCESS(
                "Created the organiser account (shown once, keep it safe):\n"
                f"  username: {username}\n  password: {password}\n"
                "Sign in at http://127.0.0.1:8000/admin/"
            )
        )
