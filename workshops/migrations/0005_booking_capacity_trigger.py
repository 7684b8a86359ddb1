"""The database itself refuses a seat in a full session.

`workshops.services.booking` locks the session rows and counts before it books; this
trigger makes the rule hold for any other writer too (a raw insert, a bulk
insert, a future code path that forgets to count). It counts the session's seats
as the inserting transaction sees them and takes no lock of its own: waiting-list
promotions are designed never to wait for a lock (see `workshops.services.waitlist`), and a
lock here made them deadlock under load. So two writers that bypass the service
and race for the last seat are still stopped only by the service's locks on
PostgreSQL (on SQLite, IMMEDIATE transactions serialise every writer, so the
trigger alone suffices there). A row with `beyond_capacity` set, an organiser's
override recorded in the booking history, is let through.

SQLite loses triggers when Django rebuilds a table, so a later migration that
alters `workshops_booking` must create them again; the tests in
`tests/workshops/migrations/test_capacity_trigger.py` fail if it does not.
"""

from django.db import migrations, models

POSTGRESQL_CREATE = [
    """
CREATE FUNCTION workshops_booking_within_capacity() RETURNS trigger AS $$
DECLARE
    seats integer;
    taken integer;
BEGIN
    IF NEW.beyond_capacity THEN
        RETURN NEW;
    END IF;
    SELECT capacity INTO seats FROM workshops_session WHERE id = NEW.session_id;
    SELECT count(*) INTO taken FROM workshops_booking
        WHERE session_id = NEW.session_id AND id <> NEW.id;
    IF taken >= seats THEN
        RAISE EXCEPTION 'session % is full: % of % seats taken', NEW.session_id, taken, seats
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END
$$ LANGUAGE plpgsql
""",
    """
CREATE TRIGGER booking_within_capacity
    BEFORE INSERT OR UPDATE OF session_id, beyond_capacity ON workshops_booking
    FOR EACH ROW EXECUTE FUNCTION workshops_booking_within_capacity()
""",
]
POSTGRESQL_DROP = [
    "DROP TRIGGER booking_within_capacity ON workshops_booking",
    "DROP FUNCTION workshops_booking_within_capacity()",
]

SQLITE_FULL = """
NOT NEW.beyond_capacity AND (
    SELECT count(*) FROM workshops_booking
    WHERE session_id = NEW.session_id AND id IS NOT NEW.id
) >= (SELECT capacity FROM workshops_session WHERE id = NEW.session_id)
"""
SQLITE_CREATE = [
    f"""
    CREATE TRIGGER booking_within_capacity_insert BEFORE INSERT ON workshops_booking
    WHEN {SQLITE_FULL}
    BEGIN SELECT RAISE(ABORT, 'session is full'); END
    """,
    f"""
    CREATE TRIGGER booking_within_capacity_update
    BEFORE UPDATE OF session_id, beyond_capacity ON workshops_booking
    WHEN {SQLITE_FULL}
    BEGIN SELECT RAISE(ABORT, 'session is full'); END
    """,
]
SQLITE_DROP = [
    "DROP TRIGGER booking_within_capacity_insert",
    "DROP TRIGGER booking_within_capacity_update",
]


def run(schema_editor, *, postgresql, sqlite):
    vendor = schema_editor.connection.vendor
    statements = {"postgresql": postgresql, "sqlite": sqlite}.get(vendor, [])
    for statement in statements:
        # No parameters: the SQL's own % signs are not placeholders.
        schema_editor.execute(statement, params=None)


def create_trigger(apps, schema_editor):
    run(schema_editor, postgresql=POSTGRESQL_CREATE, sqlite=SQLITE_CREATE)


def drop_trigger(apps, schema_editor):
    run(schema_editor, postgresql=POSTGRESQL_DROP, sqlite=SQLITE_DROP)


class Migration(migrations.Migration):
    dependencies = [
        ("workshops", "0004_ballot"),
    ]

    operations = [
        migrations.AddField(
            model_name="booking",
            name="beyond_capacity",
            field=models.BooleanField(
                default=False,
                db_default=False,
                help_text="Given over the session's capacity by an organiser's override.",
            ),
        ),
        migrations.RunPython(create_trigger, drop_trigger),
    ]
