"""Organisers may look at background work in the admin: jobs, workers, the periodic schedule.

Views only: those admins are read-only. Staff and Catering & access get
nothing here, since a failed job's traceback can quote a delegate's data.
The workshops app grants it, as for the outbox (0008), because the
infrastructure apps' migrations know nothing of the roles.
"""

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.db import migrations

APPS = ("worker", "django_tasks_database")


def grant(apps, schema_editor):
    for label in APPS:
        create_permissions(global_apps.get_app_config(label), apps=apps, verbosity=0)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    organisers, _ = Group.objects.get_or_create(name="Organisers")
    organisers.permissions.add(
        *Permission.objects.filter(
            content_type__app_label__in=APPS, codename__startswith="view_"
        )
    )


class Migration(migrations.Migration):
    dependencies = [
        ("workshops", "0013_move_reasons_permission"),
        ("worker", "0001_initial"),
        ("django_tasks_database", "0021_conditional_partial_index_ordering"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
