"""Each delegate's seats held and whether day two owes them a set, kept by the database.

`workshops.models.SeatTally` has one row per delegate, written only by the
triggers below, in the statement that changes what it counts:

- a delegate inserted gets a row (holding nothing); a change of their event,
  status, day two or confirmed address updates `counts`, which is
  `Delegate.objects.attending_day_two().email_confirmed()` for that one row;
- a booking inserted adds one to its delegate's `held`, one deleted takes one
  off, one given to another delegate (a handover) moves one across.

So "who is owed a full set" (`workshops.services.availability`) is an indexed
count of the few rows with `counts` and fewer than the required seats, exact in
every transaction's view, whoever writes: the services, bulk inserts, cascades
of admin deletes, raw SQL. No time-based cache: nothing here can be stale.

Locks (PostgreSQL): a delegate's row is updated only with a write of that
delegate's row or of their seats, and every such write holds the delegate's
lock (`registration.services.locking`; promotions take it with SKIP LOCKED
first), so a transaction waits for a tally row only if another one writes that
delegate's seats without their lock: an admin delete of a session, workshop or
time slot, whose cascade the admin now runs after locking the delegates seated
there (`workshops.services.locking.lock_seated_delegates`). Nothing here locks a
session, so booking writers that count seats under a session's lock wait for
nothing new.

SQLite loses triggers when Django rebuilds a table: a later migration that alters
`workshops_booking` or `registration_delegate` must create them again
(`tests/workshops/migrations/test_seat_tally.py` fails if it does not).
"""

import django.db.models.deletion
from django.db import migrations, models



def counts(row):
    """`Delegate.objects.attending_day_two().email_confirmed()`, for the delegate `row`."""
    return (
        f"{row}.attends_day_two AND {row}.status NOT IN ('cancelled', 'erased')"
        f" AND {row}.email_confirmed_at IS NOT NULL"
    )


COUNTS = counts("NEW")

POSTGRESQL_CREATE = [
    f"""
CREATE FUNCTION workshops_seat_tally_delegate() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO workshops_seattally (delegate_id, event_id, counts, held)
            VALUES (NEW.id, NEW.event_id, {COUNTS}, 0);
    ELSE
        UPDATE workshops_seattally SET event_id = NEW.event_id, counts = {COUNTS}
            WHERE delegate_id = NEW.id
            AND (event_id, counts) IS DISTINCT FROM (NEW.event_id, {COUNTS});
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql
""",
    """
CREATE TRIGGER seat_tally_delegate
    AFTER INSERT OR UPDATE OF event_id, status, attends_day_two, email_confirmed_at
    ON registration_delegate
    FOR EACH ROW EXECUTE FUNCTION workshops_seat_tally_delegate()
""",
    """
CREATE FUNCTION workshops_seat_tally_booking() RETURNS trigger AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        UPDATE workshops_seattally SET held = held - 1 WHERE delegate_id = OLD.delegate_id;
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') THEN
        UPDATE workshops_seattally SET held = held + 1 WHERE delegate_id = NEW.delegate_id;
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql
""",
    """
CREATE TRIGGER seat_tally_booking
    AFTER INSERT OR DELETE ON workshops_booking
    FOR EACH ROW EXECUTE FUNCTION workshops_seat_tally_booking()
""",
    """
CREATE TRIGGER seat_tally_booking_handed_over
    AFTER UPDATE OF delegate_id ON workshops_booking
    FOR EACH ROW WHEN (OLD.delegate_id IS DISTINCT FROM NEW.delegate_id)
    EXECUTE FUNCTION workshops_seat_tally_booking()
""",
]
POSTGRESQL_DROP = [
    "DROP TRIGGER seat_tally_booking_handed_over ON workshops_booking",
    "DROP TRIGGER seat_tally_booking ON workshops_booking",
    "DROP FUNCTION workshops_seat_tally_booking()",
    "DROP TRIGGER seat_tally_delegate ON registration_delegate",
    "DROP FUNCTION workshops_seat_tally_delegate()",
]

SQLITE_CREATE = [
    f"""
    CREATE TRIGGER seat_tally_delegate_insert AFTER INSERT ON registration_delegate
    BEGIN
        INSERT INTO workshops_seattally (delegate_id, event_id, counts, held)
            VALUES (NEW.id, NEW.event_id, {COUNTS}, 0);
    END
    """,
    f"""
    CREATE TRIGGER seat_tally_delegate_update
    AFTER UPDATE OF event_id, status, attends_day_two, email_confirmed_at
    ON registration_delegate
    BEGIN
        UPDATE workshops_seattally SET event_id = NEW.event_id, counts = {COUNTS}
            WHERE delegate_id = NEW.id;
    END
    """,
    """
    CREATE TRIGGER seat_tally_booking_insert AFTER INSERT ON workshops_booking
    BEGIN
        UPDATE workshops_seattally SET held = held + 1 WHERE delegate_id = NEW.delegate_id;
    END
    """,
    """
    CREATE TRIGGER seat_tally_booking_delete AFTER DELETE ON workshops_booking
    BEGIN
        UPDATE workshops_seattally SET held = held - 1 WHERE delegate_id = OLD.delegate_id;
    END
    """,
    """
    CREATE TRIGGER seat_tally_booking_handed_over AFTER UPDATE OF delegate_id ON workshops_booking
    WHEN OLD.delegate_id IS NOT NEW.delegate_id
    BEGIN
        UPDATE workshops_seattally SET held = held - 1 WHERE delegate_id = OLD.delegate_id;
        UPDATE workshops_seattally SET held = held + 1 WHERE delegate_id = NEW.delegate_id;
    END
    """,
]
SQLITE_DROP = [
    "DROP TRIGGER seat_tally_booking_handed_over",
    "DROP TRIGGER seat_tally_booking_delete",
    "DROP TRIGGER seat_tally_booking_insert",
    "DROP TRIGGER seat_tally_delegate_update",
    "DROP TRIGGER seat_tally_delegate_insert",
]

# After the triggers, in the same transaction: on PostgreSQL creating them locks both
# tables against writes until the migration commits, so no row is missed or counted twice.
BACKFILL = f"""
INSERT INTO workshops_seattally (delegate_id, event_id, counts, held)
SELECT d.id, d.event_id, {counts("d")},
    (SELECT count(*) FROM workshops_booking b WHERE b.delegate_id = d.id)
FROM registration_delegate d
"""


def run(schema_editor, *, postgresql, sqlite):
    vendor = schema_editor.connection.vendor
    statements = {"postgresql": postgresql, "sqlite": sqlite}.get(vendor, [])
    for statement in statements:
        # No parameters: the SQL's own % signs are not placeholders.
        schema_editor.execute(statement, params=None)


def create_triggers(apps, schema_editor):
    run(schema_editor, postgresql=POSTGRESQL_CREATE, sqlite=SQLITE_CREATE)
    schema_editor.execute(BACKFILL, params=None)


def drop_triggers(apps, schema_editor):
    run(schema_editor, postgresql=POSTGRESQL_DROP, sqlite=SQLITE_DROP)


class Migration(migrations.Migration):
    dependencies = [
        ("registration", "0023_agency_aliases_help"),
        ("workshops", "0020_calendars"),
    ]

    operations = [
        migrations.CreateModel(
            name="SeatTally",
            fields=[
                (
                    "delegate",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="+",
                        serialize=False,
                        to="registration.delegate",
                    ),
                ),
                (
                    "counts",
                    models.BooleanField(
                        help_text="Active, attending day two and address confirmed: counted "
                        "for day-two places."
                    ),
                ),
                ("held", models.PositiveIntegerField(help_text="Seats held now, on any day.")),
                (
                    "event",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="registration.event",
                    ),
                ),
            ],
            options={
                "indexes": [
                    models.Index(
                        condition=models.Q(("counts", True)),
                        fields=["event", "held"],
                        name="seattally_counted",
                    )
                ],
            },
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
