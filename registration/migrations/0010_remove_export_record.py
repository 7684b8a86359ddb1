from django.db import migrations


class Migration(migrations.Migration):
    # The table itself now belongs to workshops (workshops 0007 renames it).
    dependencies = [("registration", "0009_remove_outgoing_email")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="ExportRecord")],
        ),
    ]
