"""Forget the content types (and permissions) of two models that moved out of this app.

`OutgoingEmail` moved to the outbox app (0008, 0009) and `ExportRecord` to the
workshops app (0010), but their old content types stayed, each with four
permissions named after the bare model ("outgoingemail | Can add outgoing
email"), listed beside the real ones on every user's and group's page. They
grant nothing: no model answers to them. Admin log entries that named them keep
their text and lose the link (Django sets their content type to null).
"""

from django.db import migrations

STALE = [("registration", "outgoingemail"), ("registration", "exportrecord")]


def remove(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for app_label, model in STALE:
        ContentType.objects.using(schema_editor.connection.alias).filter(
            app_label=app_label, model=model
        ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("registration", "0028_search_ignores_punctuation"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("admin", "0003_logentry_add_action_flag_choices"),
    ]

    operations = [migrations.RunPython(remove, migrations.RunPython.noop, elidable=True)]
