"""Doing a job's work at most once, even when the job runs twice.

A job runs again when its worker died after the work committed but before the
job was marked finished (`worker.recovery`). `running_once` records the job's
id in the same transaction as its work, so the second run finds it and does
nothing; and it blanks the job's sealed arguments in that transaction, so
they are forgotten the moment they have served.
"""

from contextlib import contextmanager

from django.db import transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from worker.models import CompletedTask
from worker.sealed import SPENT


@contextmanager
def running_once(context):
    """Run the block in a transaction, once per task result; yield False if it already ran.

    `context` is the `TaskContext` of a task declared with `takes_context=True`.
    Side effects: inserts a `CompletedTask` and replaces the job's stored
    `sealed` keyword argument with an empty string, both committed with the
    block's work (or rolled back with it). On PostgreSQL both are one statement.
    """
    task_result = context.task_result
    with transaction.atomic():
        first = _record_completion(str(task_result.id), wipe_sealed="sealed" in task_result.kwargs)
        yield first


def _record_completion(task_id, *, wipe_sealed):
    """Insert the `CompletedTask` of `task_id`; return False if it was there already.

    With `wipe_sealed`, also sets the job's stored `sealed` argument to `SPENT`
    if the insert happened. One `INSERT ... ON CONFLICT DO NOTHING`: no
    savepoint to catch a duplicate key in, and no error that would spoil the
    transaction. On PostgreSQL the wipe is in the same statement (a
    data-modifying WITH); on SQLite it is an UPDATE after it.
    """
    connection = transaction.get_connection()
    completed_at = connection.ops.adapt_datetimefield_value(timezone.now())
    insert = (
        f'INSERT INTO "{CompletedTask._meta.db_table}" ("task_id", "completed_at") '
        "VALUES (%s, %s) ON CONFLICT DO NOTHING"
    )
    jobs = DBTaskResult._meta.db_table
    job_id = DBTaskResult._meta.pk.get_db_prep_value(task_id, connection)
    with connection.cursor() as cursor:
        if not wipe_sealed:
            cursor.execute(insert, [task_id, completed_at])
            return cursor.rowcount == 1
        if connection.vendor == "postgresql":
            cursor.execute(
                f"WITH done AS ({insert} RETURNING 1), "
                f'wiped AS (UPDATE "{jobs}" SET "args_kwargs" = '
                """jsonb_set("args_kwargs", '{kwargs,sealed}', to_jsonb(%s::text)) """
                'WHERE "id" = %s AND EXISTS (SELECT FROM done)) '
                "SELECT count(*) FROM done",
                [task_id, completed_at, SPENT, job_id],
            )
            return cursor.fetchone()[0] == 1
        cursor.execute(insert, [task_id, completed_at])
        if cursor.rowcount != 1:
            return False
        cursor.execute(
            f'UPDATE "{jobs}" SET "args_kwargs" = json_set("args_kwargs", \'$.kwargs.sealed\', %s) '
            'WHERE "id" = %s',
            [SPENT, job_id],
        )
        return True
