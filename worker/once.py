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
    block's work (or rolled back with it).
    """
    task_result = context.task_result
    task_id = str(task_result.id)
    with transaction.atomic():
        if not _record_completion(task_id):
            yield False
            return
        yield True
        if "sealed" in task_result.kwargs:
            # The job's arguments as stored, which the worker read when it claimed the job.
            stored = {"args": list(task_result.args), "kwargs": {**task_result.kwargs}}
            stored["kwargs"]["sealed"] = SPENT
            DBTaskResult.objects.filter(pk=task_id).update(args_kwargs=stored)


def _record_completion(task_id):
    """Insert the `CompletedTask` of `task_id`; return False if it was there already.

    One `INSERT ... ON CONFLICT DO NOTHING` (PostgreSQL, SQLite): no savepoint
    to catch a duplicate key in, and no error that would spoil the transaction.
    """
    connection = transaction.get_connection()
    completed_at = connection.ops.adapt_datetimefield_value(timezone.now())
    with connection.cursor() as cursor:
        cursor.execute(
            f'INSERT INTO "{CompletedTask._meta.db_table}" ("task_id", "completed_at") '
            "VALUES (%s, %s) ON CONFLICT DO NOTHING",
            [task_id, completed_at],
        )
        return cursor.rowcount == 1
