import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("workshops", "0005_booking_capacity_trigger"),
        ("outbox", "0001_initial"),
        ("registration", "0008_outgoing_email_to_outbox"),
    ]
    # Registration drops its old email table only once nothing here points at it;
    # the edge is declared here because registration never depends on workshops.
    run_before = [("registration", "0009_remove_outgoing_email")]

    operations = [
        migrations.AlterField(
            model_name="announcementrecipient",
            name="outgoing_email",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="outbox.outgoingemail",
            ),
        ),
    ]
