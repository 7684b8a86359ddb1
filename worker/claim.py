"""A worker's own statements on PostgreSQL: claiming the next job, recording its success.

django-tasks-db claims a job in a transaction of four statements (BEGIN,
SELECT ... FOR UPDATE SKIP LOCKED, UPDATE, COMMIT); `claim_in_one_statement`
does it in one UPDATE whose subquery locks the row. Building and compiling
that subquery's queryset cost the worker about 0.6 ms of CPU per claim, more
than the statement itself; a worker's queues never change, so `NextJob`
compiles it once, with a stand-in for the time, and then puts in the time of
each claim. Nothing is kept but the SQL: every claim asks the database.
`record_success` marks a job successful as the library does, in a plain UPDATE.
"""

import datetime

from django.db import connections
from django.db.models import Q
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult, get_date_max
from django_tasks_db.utils import retry

from socex.prepared import update_returning_row

# A time no claim passes (a microsecond in 2001), found among the compiled parameters.
_NOW_STAND_IN = datetime.datetime(2001, 2, 3, 4, 5, 6, 7, tzinfo=datetime.UTC)


def ready_at(now):
    """Jobs ready at `now`: django-tasks-db's `DBTaskResultQuerySet.ready()`, `now` passed in.

    The same filter as the library's (tests/worker/test_claim.py compares their SQL), so
    the time can be put into SQL compiled once.
    """
    return DBTaskResult.objects.filter(status=TaskResultStatus.READY).filter(
        Q(run_after=get_date_max()) | Q(run_after__lte=now)
    )


class NextJob:
    """The claim statement of one worker's queues, compiled on first use; `claim` runs it."""

    def __init__(self, *, backend_name, queue_names, excluded_queue_names):
        self.backend_name = backend_name
        self.queue_names = list(queue_names)
        self.excluded_queue_names = list(excluded_queue_names)
        self._compiled = {}  # database alias -> (subquery SQL, its parameters, where `now` goes)

    def tasks(self, now):
        """The worker's ready jobs at `now`, in the order they are claimed."""
        tasks = ready_at(now).filter(backend_name=self.backend_name)
        if "*" not in self.queue_names:
            tasks = tasks.filter(queue_name__in=self.queue_names)
        if self.excluded_queue_names:
            tasks = tasks.exclude(queue_name__in=self.excluded_queue_names)
        return tasks

    def claim(self, worker_id, *, using):
        """Claim the next ready job for `worker_id`; return it, or None. PostgreSQL.

        Side effects: as `claim_in_one_statement`.
        """
        compiled = self._compiled.get(using)
        if compiled is None:
            compiled = self._compiled[using] = _compile(self.tasks(_NOW_STAND_IN), using)
        subquery, params, now_at = compiled
        params = list(params)
        params[now_at] = timezone.now()
        return _claim(subquery, params, worker_id, using)


def _compile(tasks, using):
    subquery, params = _subquery(tasks, using)
    found = [index for index, value in enumerate(params) if value == _NOW_STAND_IN]
    if len(found) != 1:
        raise ValueError(f"the claim's time is in {len(found)} parameters, not one: {subquery}")
    return subquery, tuple(params), found[0]


def _subquery(tasks, using):
    # Compiled without select_for_update (which Django compiles only inside atomic()) and
    # locked by the caller: PostgreSQL takes the locking clause after the LIMIT.
    return tasks.values("pk")[:1].query.get_compiler(using).as_sql()


def claim_in_one_statement(tasks, worker_id):
    """Claim the first of `tasks` (in their order) for `worker_id`; return it, or None. PostgreSQL.

    What django-tasks-db's `get_locked()` and `claim()` do in a transaction of
    four statements (BEGIN, SELECT ... FOR UPDATE SKIP LOCKED, UPDATE, COMMIT),
    as one UPDATE whose subquery locks the row, skipping any another worker
    holds: the same row, the same RUNNING status, start time and appended
    worker id. Side effects: that UPDATE, committed at once.
    """
    subquery, params = _subquery(tasks, tasks.db)
    return _claim(subquery, list(params), worker_id, tasks.db)


@retry()
def record_success(db_task_result, return_value):
    """What django-tasks-db's `DBTaskResult.set_successful` does, in a plain UPDATE.

    The same columns and values, and the same retries, without `save()`'s
    per-call set-up (half a millisecond of CPU per job). Raises as it does if
    `return_value` is not JSON (the worker then records the job failed).
    """
    connection = connections[db_task_result._state.db]
    fields = DBTaskResult._meta
    return_json = fields.get_field("return_value").get_db_prep_save(return_value, connection)
    finished_at = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            f'UPDATE "{fields.db_table}" SET "status" = %s, "return_value" = %s, '
            '"finished_at" = %s, "exception_class_path" = %s, "traceback" = %s WHERE "id" = %s',
            [
                TaskResultStatus.SUCCESSFUL,
                return_json,
                connection.ops.adapt_datetimefield_value(finished_at),
                "",
                "",
                fields.pk.get_db_prep_value(db_task_result.pk, connection),
            ],
        )
    db_task_result.status = TaskResultStatus.SUCCESSFUL
    db_task_result.finished_at = finished_at
    db_task_result.return_value = return_value
    db_task_result.exception_class_path = ""
    db_task_result.traceback = ""


def _claim(subquery, params, worker_id, using):
    table = DBTaskResult._meta.db_table
    # The row made into the job as raw() would, with what raw() works out each time kept.
    return update_returning_row(
        DBTaskResult,
        f'UPDATE "{table}" SET "status" = %s, "started_at" = %s, '
        '"worker_ids" = "worker_ids" || jsonb_build_array(%s::text) '
        f'WHERE "id" = ({subquery} FOR UPDATE SKIP LOCKED)',
        [TaskResultStatus.RUNNING, timezone.now(), worker_id, *params],
        using=using,
    )
