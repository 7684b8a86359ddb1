"""Give the roles (registration 0006 made the groups) their rights on the workshops and outbox models.

Staff read the programme, seats and their history; Organisers get every
permission on these apps' models, including the waiting list, the ballot and
announcements, which the first grant missed. Safe to run on a database that
had them already.
"""

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.db import migrations

APPS = ("workshops", "outbox")
STAFF_VIEWS = [
    "view_room",
    "view_timeslot",
    "view_workshop",
    "view_session",
    "view_booking",
    "view_bookingchange",
]
# Filling a session past its capacity is granted person by person, not with the role.
NOT_FOR_ORGANISERS = ["override_capacity"]


def grant(apps, schema_editor):
    for label in APPS:
        create_permissions(global_apps.get_app_config(label), apps=apps, verbosity=0)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ours = Permission.objects.filter(content_type__app_label__in=APPS)
    staff, _ = Group.objects.get_or_create(name="Staff")
    staff.permissions.add(
        *ours.filter(content_type__app_label="workshops", codename__in=STAFF_VIEWS)
    )
    organisers, _ = Group.objects.get_or_create(name="Organisers")
    organisers.permissions.add(*ours.exclude(codename__in=NOT_FOR_ORGANISERS))


class Migration(migrations.Migration):
    dependencies = [
        ("workshops", "0007_export_record"),
        ("registration", "0006_staff_groups"),
        ("outbox", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
