import django.db.models.deletion
from django.db import migrations, models
from django.db.models import Min, OuterRef, Subquery


def confirm_delegates_who_opened_a_link(apps, schema_editor):
    """Existing delegates count as confirmed only if they ever opened a booking link.

    Until now the form signed people in without any proof, so a registration
    alone proves nothing; opening an emailed link proved the mailbox, from the
    first time it was used.
    """
    Delegate = apps.get_model("registration", "Delegate")
    ManageLink = apps.get_model("registration", "ManageLink")
    first_used = (
        ManageLink.objects.filter(delegate=OuterRef("pk"), used_at__isnull=False)
        .order_by()
        .values("delegate")
        .annotate(first=Min("used_at"))
        .values("first")
    )
    Delegate.objects.filter(manage_links__used_at__isnull=False).update(
        email_confirmed_at=Subquery(first_used)
    )


class Migration(migrations.Migration):
    dependencies = [
        ("registration", "0013_contact_details_permission"),
    ]

    operations = [
        migrations.AddField(
            model_name="delegate",
            name="email_confirmed_at",
            field=models.DateTimeField(
                blank=True,
                help_text="When they showed the address is theirs (typed the emailed code or opened a booking link), or an organiser added them. Until then: no seats, waiting or ranking.",
                null=True,
                verbose_name="email confirmed at",
            ),
        ),
        migrations.CreateModel(
            name="EmailConfirmation",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("code_hash", models.CharField(max_length=64)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("expires_at", models.DateTimeField()),
                ("attempts", models.PositiveSmallIntegerField(default=0)),
                ("used_at", models.DateTimeField(blank=True, null=True)),
                (
                    "delegate",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="email_confirmations",
                        to="registration.delegate",
                    ),
                ),
            ],
            options={
                "ordering": ["-created_at", "-pk"],
            },
        ),
        migrations.AlterField(
            model_name="agency",
            name="place_limit",
            field=models.PositiveIntegerField(
                blank=True,
                help_text="Most people this agency may register (pending ones count; those who "
                "have not yet confirmed their email address do not). Leave empty for no limit.",
                null=True,
            ),
        ),
        migrations.RunPython(confirm_delegates_who_opened_a_link, migrations.RunPython.noop),
    ]
