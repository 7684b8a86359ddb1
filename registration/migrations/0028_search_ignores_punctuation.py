"""`socex_search` on PostgreSQL ignores punctuation and spaces too ("alternate shifted").

Door staff typing "obrien", "O’B" (a phone's curly apostrophe) or "marykate" find
"O'Brien" and "Mary-Kate" (`registration.models.delegate.name_begins`). A collation cannot be
altered, so it is created again; nothing stores it, queries name it. A PostgreSQL
built without ICU keeps its copy of "C". SQLite's is Python (`socex.collation`).
"""

from django.db import migrations

RECREATE = """
DO $$
BEGIN
    DROP COLLATION IF EXISTS socex_search;
    CREATE COLLATION socex_search
        (provider = icu, locale = '{locale}', deterministic = false);
EXCEPTION WHEN feature_not_supported OR invalid_parameter_value OR undefined_object THEN
    CREATE COLLATION IF NOT EXISTS socex_search FROM "C";
END
$$
"""


def recreate(locale):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(RECREATE.format(locale=locale))

    return run


class Migration(migrations.Migration):
    dependencies = [("registration", "0027_constraint_messages")]

    operations = [
        migrations.RunPython(
            recreate("und-u-ks-level1-ka-shifted"), recreate("und-u-ks-level1"), elidable=False
        )
    ]
