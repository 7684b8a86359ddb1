"""The three roles, as groups: Staff (read-only, exports), Organisers, Catering & access.

Permissions are normally created after all migrations run; this creates the
ones it needs first, so the groups are complete on a fresh database too.
Models added later need their own migration to grant Organisers their rights;
the workshops app grants its own (workshops 0008), since registration's
migrations never depend on the apps built on it.
"""

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.db import migrations

OUR_APPS = ("registration",)
STAFF_VIEWS = [
    ("registration", "view_event"),
    ("registration", "view_agency"),
    ("registration", "view_delegate"),
    ("registration", "export_delegates"),
]
CATERING_AND_ACCESS = [
    ("registration", "view_delegate"),
    ("registration", "view_needs"),
]
GROUPS = {"Staff": STAFF_VIEWS, "Catering & access": CATERING_AND_ACCESS}
ORGANISERS = "Organisers"
# Filling a session past its capacity is granted person by person, not with the role.
NOT_FOR_ORGANISERS = ["override_capacity"]


def create_groups(apps, schema_editor):
    for label in OUR_APPS:
        create_permissions(global_apps.get_app_config(label), apps=apps, verbosity=0)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in GROUPS.items():
        group, _ = Group.objects.get_or_create(name=name)
        for app_label, codename in codenames:
            group.permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )
    organisers, _ = Group.objects.get_or_create(name=ORGANISERS)
    # Every permission on our models: view, add, change, delete, needs and exports.
    organisers.permissions.add(
        *Permission.objects.filter(content_type__app_label__in=OUR_APPS).exclude(
            codename__in=NOT_FOR_ORGANISERS
        )
    )


def remove_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.filter(name__in=[*GROUPS, ORGANISERS]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("registration", "0005_checkin_reference_and_exports"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
