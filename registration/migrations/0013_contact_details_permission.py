"""Delegates' email, phone and job title get their own permission: Staff and Organisers hold it.

Catering & access see names, agency and needs, and no longer contact details.
"""

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.db import migrations

PERMISSION = "view_contact_details"
HOLDERS = ["Staff", "Organisers"]


def grant(apps, schema_editor):
    create_permissions(global_apps.get_app_config("registration"), apps=apps, verbosity=0)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permission = Permission.objects.get(content_type__app_label="registration", codename=PERMISSION)
    for name in HOLDERS:
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(permission)


class Migration(migrations.Migration):
    dependencies = [
        ("registration", "0012_text_length_limits"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="delegate",
            options={
                "ordering": ["last_name", "first_name"],
                "permissions": [
                    ("view_needs", "Can see dietary requirements and accessibility needs"),
                    (
                        "export_delegates",
                        "Can download attendee lists, rosters, sign-in sheets, badges",
                    ),
                    ("view_contact_details", "Can see delegates' email, phone and job title"),
                ],
            },
        ),
        migrations.RunPython(grant, migrations.RunPython.noop),
    ]
