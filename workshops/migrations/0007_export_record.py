"""The record of downloads moves here from registration: only exports write it.

The table is kept (renamed), so every past record stays.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("workshops", "0006_announcements_use_the_outbox"),
        ("registration", "0009_remove_outgoing_email"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]
    run_before = [("registration", "0010_remove_export_record")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="ExportRecord",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("username", models.CharField(max_length=150)),
                        ("export_name", models.CharField(max_length=300)),
                        ("format", models.CharField(choices=[("csv", "CSV"), ("xlsx", "Excel (XLSX)"), ("pdf", "PDF")], max_length=10)),
                        ("row_count", models.PositiveIntegerField(help_text="Delegates (or seats) in the download.")),
                        ("created_at", models.DateTimeField(auto_now_add=True, db_index=True)),
                        ("user", models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL)),
                    ],
                    options={"ordering": ["-created_at", "-pk"], "db_table": "registration_exportrecord"},
                ),
            ],
        ),
        migrations.AlterModelTable(name="exportrecord", table=None),
    ]
