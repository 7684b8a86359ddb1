"""Organisers add colleagues' accounts and set up their second factor: they get view, add and
change on user accounts.

`socex.account_admin` limits what they may grant to what they hold themselves,
so these rights never raise anyone above an organiser. Superusers stay the
technical admins (sign-in lockouts, second-factor devices).
"""

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.db import migrations

ACCOUNT_PERMISSIONS = ["view_user", "add_user", "change_user"]


def grant(apps, schema_editor):
    create_permissions(global_apps.get_app_config("auth"), apps=apps, verbosity=0)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    organisers, _ = Group.objects.get_or_create(name="Organisers")
    organisers.permissions.add(
        *Permission.objects.filter(
            content_type__app_label="auth", codename__in=ACCOUNT_PERMISSIONS
        )
    )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for organisers in Group.objects.filter(name="Organisers"):
        organisers.permissions.remove(
            *Permission.objects.filter(
                content_type__app_label="auth", codename__in=ACCOUNT_PERMISSIONS
            )
        )


class Migration(migrations.Migration):
    dependencies = [
        ("registration", "0018_no_show_release_minutes"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
