import secrets

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import registration.models


def give_existing_delegates_a_reference(apps, schema_editor):
    # A callable default is evaluated once for AddField, so every existing row
    # would share one value; give each its own before the unique constraint.
    Delegate = apps.get_model("registration", "Delegate")
    for delegate in Delegate.objects.filter(checkin_reference__isnull=True).only("pk"):
        delegate.checkin_reference = secrets.token_urlsafe(15)
        delegate.save(update_fields=["checkin_reference"])


class Migration(migrations.Migration):
    dependencies = [
        ("registration", "0004_delegate_statuses"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
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
                ],
            },
        ),
        migrations.AddField(
            model_name="delegate",
            name="checkin_reference",
            field=models.CharField(max_length=32, null=True, editable=False),
        ),
        migrations.RunPython(give_existing_delegates_a_reference, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="delegate",
            name="checkin_reference",
            field=models.CharField(
                default=registration.models.new_checkin_reference,
                editable=False,
                help_text="Carried by the QR code on the badge; random, so it cannot be guessed.",
                max_length=32,
                unique=True,
            ),
        ),
        migrations.CreateModel(
            name="ExportRecord",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("username", models.CharField(max_length=150)),
                ("export_name", models.CharField(max_length=300)),
                (
                    "format",
                    models.CharField(
                        choices=[("csv", "CSV"), ("xlsx", "Excel (XLSX)"), ("pdf", "PDF")],
                        max_length=10,
                    ),
                ),
                (
                    "row_count",
                    models.PositiveIntegerField(
                        help_text="Delegates (or seats) in the download."
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True, db_index=True)),
                (
                    "user",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={"ordering": ["-created_at", "-pk"]},
        ),
    ]
