"""Ballot reports kept names and addresses; from now on they name delegates by id only."""

from django.db import migrations

PEOPLE = ("incomplete", "not_ranked", "already_booked")


def ids_only(apps, schema_editor):
    AllocationRun = apps.get_model("workshops", "AllocationRun")
    for run in AllocationRun.objects.all():
        report = run.report or {}
        changed = False
        for key in PEOPLE:
            people = report.get(key) or []
            if any(isinstance(p, dict) for p in people):
                report[key] = [p["id"] if isinstance(p, dict) else p for p in people]
                changed = True
        if changed:
            run.report = report
            run.save(update_fields=["report"])


class Migration(migrations.Migration):
    dependencies = [("workshops", "0008_group_permissions")]

    operations = [migrations.RunPython(ids_only, migrations.RunPython.noop)]
