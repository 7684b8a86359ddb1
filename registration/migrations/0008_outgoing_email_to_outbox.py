"""Queued email moves to the outbox app (infrastructure, which knows no delegates).

Rows are copied with their ids, so announcement recipients keep pointing at
their messages (workshops 0006 moves that foreign key); the link to the
delegate becomes the outbox's `about` tag, "delegate:<id>".
"""

from django.core.management.color import no_style
from django.db import migrations


def copy_to_outbox(apps, schema_editor):
    Old = apps.get_model("registration", "OutgoingEmail")
    New = apps.get_model("outbox", "OutgoingEmail")
    fields = [f.attname for f in Old._meta.concrete_fields if f.attname != "delegate_id"]
    New.objects.bulk_create(
        New(
            **{name: getattr(row, name) for name in fields},
            about=f"delegate:{row.delegate_id}" if row.delegate_id else "",
        )
        for row in Old.objects.order_by("pk").iterator()
    )
    # Rows came with their ids: move PostgreSQL's sequence past them.
    with schema_editor.connection.cursor() as cursor:
        for sql in schema_editor.connection.ops.sequence_reset_sql(no_style(), [New]):
            cursor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [
        ("registration", "0007_ballot_mode"),
        ("outbox", "0001_initial"),
    ]

    operations = [migrations.RunPython(copy_to_outbox, migrations.RunPython.noop)]
