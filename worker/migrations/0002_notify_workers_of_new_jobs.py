"""On PostgreSQL, a new job row announces itself to idle workers (worker/wakeup.py).

A statement trigger on django-tasks-db's table sends `NOTIFY socex_jobs` for
every INSERT: PostgreSQL delivers it when the inserting transaction commits
(once per transaction, however many jobs), never for one that rolls back. The
code enqueueing a job issues nothing more. Nothing on SQLite, whose workers poll.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION socex_notify_workers() RETURNS trigger AS $$
BEGIN
    PERFORM pg_notify('socex_jobs', '');
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS socex_notify_workers ON django_tasks_database_dbtaskresult;
CREATE TRIGGER socex_notify_workers
    AFTER INSERT ON django_tasks_database_dbtaskresult
    FOR EACH STATEMENT EXECUTE FUNCTION socex_notify_workers();
"""

DROP = """
DROP TRIGGER IF EXISTS socex_notify_workers ON django_tasks_database_dbtaskresult;
DROP FUNCTION IF EXISTS socex_notify_workers();
"""


def create_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [
        ("worker", "0001_initial"),
        ("django_tasks_database", "0021_conditional_partial_index_ordering"),
    ]

    operations = [migrations.RunPython(create_trigger, drop_trigger, elidable=False)]
