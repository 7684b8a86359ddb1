"""The `socex_names` collation on PostgreSQL: people's names in a reader's order.

ICU's root locale ("und") files "de Souza" under D and "Çelik" under C, whatever
the database's own locale (often C, byte order). A PostgreSQL built without ICU
gets a copy of "C" under the same name, so the queries still run. SQLite
registers the collation per connection instead (`socex.collation`).
"""

from django.db import migrations

CREATE = """
DO $$
BEGIN
    CREATE COLLATION IF NOT EXISTS socex_names (provider = icu, locale = 'und');
EXCEPTION WHEN feature_not_supported OR invalid_parameter_value OR undefined_object THEN
    CREATE COLLATION IF NOT EXISTS socex_names FROM "C";
END
$$
"""
DROP = "DROP COLLATION IF EXISTS socex_names"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("registration", "0023_agency_aliases_help")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
