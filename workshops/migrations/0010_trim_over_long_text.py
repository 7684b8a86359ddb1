"""Shorten text longer than the limits that 0011 makes the database hold.

Summaries, announcement bodies and move reasons had no limit, and SQLite
never held varchar lengths, so rows may be longer than 0011's CHECKs allow;
those would stop the migration. Each such value keeps its first characters up
to the limit. A migration of its own, so the updates commit before 0011 alters
the tables.
"""

from django.db import migrations
from django.db.models.functions import Length, Substr

LIMITS = {
    "room": {"name": 100, "location": 200},
    "timeslot": {"name": 100},
    "workshop": {"title": 200, "summary": 2000, "facilitator": 200},
    "announcement": {"subject": 200, "body": 10_000},
    "bookingchange": {"reason": 1000},
}


def trim_over_long_text(apps, schema_editor):
    for model_name, limits in LIMITS.items():
        model = apps.get_model("workshops", model_name)
        for field, limit in limits.items():
            model.objects.annotate(length=Length(field)).filter(length__gt=limit).update(
                **{field: Substr(field, 1, limit)}
            )


class Migration(migrations.Migration):
    dependencies = [
        ("workshops", "0009_ballot_reports_by_id"),
    ]

    operations = [
        migrations.RunPython(trim_over_long_text, migrations.RunPython.noop),
    ]
