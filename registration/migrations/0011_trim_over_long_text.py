"""Shorten text longer than the limits that 0012 makes the database hold.

The registration form's needs answers had no working limit (a million
characters were saved), and SQLite never held varchar lengths, so rows may be
longer than 0012's CHECKs allow; those would stop the migration. Each such
value keeps its first characters up to the limit. A migration of its own, so
the updates commit before 0012 alters the tables (PostgreSQL refuses to alter
a table with pending trigger events).
"""

from django.db import migrations
from django.db.models.functions import Length, Substr

LIMITS = {
    "agency": {"name": 200, "email_domains": 2000},
    "delegate": {
        "first_name": 100,
        "last_name": 100,
        "email": 254,
        "job_title": 150,
        "phone": 40,
        "dietary_requirements": 1000,
        "accessibility_needs": 1000,
        "badge_name": 100,
    },
    "event": {
        "name": 200,
        "tagline": 300,
        "venue_name": 200,
        "venue_address": 300,
        "day_two_summary": 2000,
        "contact_email": 254,
    },
    "invitation": {"code": 40, "note": 200},
}


def trim_over_long_text(apps, schema_editor):
    for model_name, limits in LIMITS.items():
        model = apps.get_model("registration", model_name)
        for field, limit in limits.items():
            model.objects.annotate(length=Length(field)).filter(length__gt=limit).update(
                **{field: Substr(field, 1, limit)}
            )


class Migration(migrations.Migration):
    dependencies = [
        ("registration", "0010_remove_export_record"),
    ]

    operations = [
        migrations.RunPython(trim_over_long_text, migrations.RunPython.noop),
    ]
