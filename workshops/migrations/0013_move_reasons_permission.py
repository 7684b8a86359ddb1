"""Organisers' move reasons (which can speak of health) get their own permission, for Organisers.

Staff keep reading the booking history, without the reasons.
"""

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.db import migrations

PERMISSION = "view_move_reasons"


def grant(apps, schema_editor):
    create_permissions(global_apps.get_app_config("workshops"), apps=apps, verbosity=0)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    organisers, _ = Group.objects.get_or_create(name="Organisers")
    organisers.permissions.add(
        Permission.objects.get(content_type__app_label="workshops", codename=PERMISSION)
    )


class Migration(migrations.Migration):
    dependencies = [
        ("workshops", "0012_export_record_filters"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="bookingchange",
            options={
                "ordering": ["-at", "-pk"],
                "permissions": [
                    ("view_move_reasons", "Can see organisers' reasons for moving delegates")
                ],
                "verbose_name_plural": "booking history",
            },
        ),
        migrations.RunPython(grant, migrations.RunPython.noop),
    ]
