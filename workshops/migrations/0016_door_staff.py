"""The Door staff role, and the check-in models' rights for Organisers and Staff.

Door staff may check delegates in (the check-in page shows name, agency, badge
name and that day's sessions) and nothing else: no admin list, no contact
details, no needs. Organisers get every permission on the new models; Staff
read the check-in history.
"""

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.db import migrations

DOOR_STAFF = "Door staff"
NEW_MODELS = ("checkin", "checkindevice", "standbyentry", "noshowrelease")
STAFF_VIEWS = ["view_checkin", "view_standbyentry", "view_noshowrelease"]


def grant(apps, schema_editor):
    create_permissions(global_apps.get_app_config("workshops"), apps=apps, verbosity=0)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ours = Permission.objects.filter(content_type__app_label="workshops")
    door_staff, _ = Group.objects.get_or_create(name=DOOR_STAFF)
    door_staff.permissions.add(ours.get(codename="check_in"))
    organisers, _ = Group.objects.get_or_create(name="Organisers")
    organisers.permissions.add(*ours.filter(content_type__model__in=NEW_MODELS))
    staff, _ = Group.objects.get_or_create(name="Staff")
    staff.permissions.add(*ours.filter(codename__in=STAFF_VIEWS))


def remove(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=DOOR_STAFF).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("workshops", "0015_checkin"),
        ("registration", "0006_staff_groups"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, remove)]
