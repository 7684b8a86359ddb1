from django.db import migrations


class Migration(migrations.Migration):
    # workshops 0006 runs before this (run_before), so nothing points at the old table.
    dependencies = [("registration", "0008_outgoing_email_to_outbox")]

    operations = [migrations.DeleteModel(name="OutgoingEmail")]
