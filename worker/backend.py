"""django-tasks-db's backend, each job's row inserted by an INSERT prepared once per connection.

`DatabaseBackend.enqueue` saves the job's row with `QuerySet.create()`: Django
built and compiled the same ten-column INSERT for every job, and sent
`pre_save` to the library's one receiver (which puts the far-future date in
`run_after` for a job with no time to wait for). Every registration and every
booking enqueues a job from the web request, so that was CPU on the busiest
path. Here the row is the same and so are its values; the receiver's rule is
applied here, and `task_enqueued` is still sent by the library's `enqueue`.
"""

from django_tasks_db import DatabaseBackend
from django_tasks_db.compat import normalize_json
from django_tasks_db.models import DBTaskResult, get_date_max

from socex.prepared import PreparedInsert

_insert_job = PreparedInsert(DBTaskResult)


class PreparedDatabaseBackend(DatabaseBackend):
    """`django_tasks_db.DatabaseBackend`, inserting each job with `_insert_job`."""

    def _task_to_db_task(self, task, args, kwargs):
        job = DBTaskResult(
            id=self._get_id(),
            args_kwargs=normalize_json({"args": args, "kwargs": kwargs}),
            priority=task.priority,
            task_path=task.module_path,
            queue_name=task.queue_name,
            # django_tasks_db.signal_handlers.set_run_after, which save() would have sent for.
            run_after=get_date_max() if task.run_after is None else task.run_after,
            backend_name=self.alias,
        )
        _insert_job(job)
        return job
