import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.management.base import BaseCommand
from django.db.models import Q

from socex.totp import create_totp_device, describe_totp_device

ORGANISERS = "Organisers"
# Granted person by person, never with the role: the first organiser holds it (as the
# superuser account made here before did) and may grant it to a colleague.
PERSONAL_PERMISSIONS = [("workshops", "override_capacity")]


class Command(BaseCommand):
    help = (
        "Create the first organiser account (the Organisers role, not a superuser) with a "
        "random password, if there is no organiser or superuser yet."
    )

    def add_arguments(self, parser):
        parser.add_argument("--username", default="organiser")
        parser.add_argument(
            "--address",
            help="host:port the site is served on (make run passes RUN_ADDRESS), for the "
            "sign-in address printed when SITE_URL is not set",
        )

    def handle(self, *args, username, address=None, **options):
        User = get_user_model()
        admin_url = f"{settings.SITE_URL}/admin/"
        if address and settings.SITE_URL_FROM_REQUEST:
            admin_url = f"http://{address}/admin/"
        existing = (
            User.objects.filter(Q(is_superuser=True) | Q(groups__name=ORGANISERS))
            .order_by("pk")
            .first()
        )
        if existing is not None:
            self.stdout.write(
                f"An organiser account ({existing.username}) exists already; sign in at "
                f"{admin_url}.\n" + how_to_reset(existing.username)
            )
            return
        password = secrets.token_urlsafe(12)
        user = User.objects.create_user(username=username, email="", password=password)
        user.is_staff = True
        user.save(update_fields=["is_staff"])
        user.groups.add(Group.objects.get(name=ORGANISERS))
        personal = Q()
        for app_label, codename in PERSONAL_PERMISSIONS:
            personal |= Q(content_type__app_label=app_label, codename=codename)
        user.user_permissions.add(*Permission.objects.filter(personal))
        self.stdout.write(
            self.style.SUCCESS(
                "Created the organiser account (shown once, keep it safe):\n"
                f"  username: {username}\n  password: {password}\n"
                f"Sign in at {admin_url}"
            )
        )
        # Always give the account a device, so it can still sign in once DEBUG is off.
        self.stdout.write(describe_totp_device(create_totp_device(user)))
        if not settings.OTP_REQUIRED:
            self.stdout.write("(The admin asks for the code only when DEBUG is off.)")
        self.stdout.write(how_to_reset(username))


def how_to_reset(username):
    """The commands that give the organiser a way back in (the README lists them too)."""
    manage = ".venv/bin/python manage.py"
    return (
        "Lost the password or the authenticator? From this directory:\n"
        f"  {manage} changepassword {username}         # a new password\n"
        f"  {manage} setup_totp {username} --replace   # a new second-factor device\n"
        f"  {manage} axes_reset_username {username}    # lift a sign-in lockout\n"
        "(README: “Reset the organiser's password”.)"
    )
