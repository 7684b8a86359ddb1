"""The `socex_search` collation on PostgreSQL: names compared ignoring case and accents.

ICU's root locale at primary strength ("und-u-ks-level1"), nondeterministic, so
"celik" equals "Çelik": door staff typing on a phone find people whatever the
accents (`Delegate.objects.named_like`). A PostgreSQL built without ICU gets a
copy of "C" under the same name (searches then match case and accents exactly).
SQLite registers the collation per connection instead (`socex.collation`).
"""

from django.db import migrations

CREATE = """
DO $$
BEGIN
    CREATE COLLATION IF NOT EXISTS socex_search
        (provider = icu, locale = 'und-u-ks-level1', deterministic = false);
EXCEPTION WHEN feature_not_supported OR invalid_parameter_value OR undefined_object THEN
    CREATE COLLATION IF NOT EXISTS socex_search FROM "C";
END
$$
"""
DROP = "DROP COLLATION IF EXISTS socex_search"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("registration", "0024_name_collation")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
