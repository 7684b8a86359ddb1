"""Doing a job's work at most once, even when the job runs twice.

A job runs again when its worker died after the work committed but before the
job was marked finished (`worker.recovery`). `running_once` records the job's
id in the same transaction as its work, so the second run finds it and does
nothing; and it blanks the job's sealed arguments in that transaction, so
they are forgotten the moment they have served.
"""

from contextlib import contextmanager

from django.db import IntegrityError, transaction
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
    task_id = str(context.task_result.id)
    with transaction.atomic():
        try:
            with transaction.atomic():
                CompletedTask.objects.create(task_id=task_id, completed_at=timezone.now())
        except IntegrityError:
            yield False
            return
        yield True
        row = DBTaskResult.objects.filter(pk=task_id).values_list("args_kwargs", flat=True)
        stored = row.first()
        if stored and "sealed" in stored.get("kwargs", {}):
            stored["kwargs"]["sealed"] = SPENT
            DBTaskResult.objects.filter(pk=task_id).update(args_kwargs=stored)
