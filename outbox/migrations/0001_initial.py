import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = []

    operations = [
        migrations.CreateModel(
            name="OutgoingEmail",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("to", models.EmailField(max_length=254)),
                ("subject", models.CharField(max_length=250)),
                ("body_text", models.TextField()),
                ("body_html", models.TextField(blank=True)),
                ("attachment_name", models.CharField(blank=True, max_length=100)),
                ("attachment_content", models.TextField(blank=True)),
                ("attachment_mimetype", models.CharField(blank=True, max_length=100)),
                ("about", models.CharField(blank=True, db_index=True, max_length=100)),
                ("status", models.CharField(choices=[("pending", "Pending"), ("sent", "Sent"), ("failed", "Gave up")], default="pending", max_length=10)),
                ("attempts", models.PositiveSmallIntegerField(default=0)),
                ("last_error", models.TextField(blank=True)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("next_attempt_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("sent_at", models.DateTimeField(blank=True, null=True)),
            ],
            options={
                "ordering": ["-created_at"],
                "indexes": [models.Index(fields=["status", "next_attempt_at"], name="outbox_outg_status_4529bc_idx")],
            },
        ),
    ]
