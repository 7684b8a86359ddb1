"""Waking idle workers when a job is enqueued, instead of polling the jobs table every 50 ms.

On PostgreSQL every new job row sends `NOTIFY socex_jobs` (a statement
trigger on the jobs table, `worker/migrations/0002_notify_workers_of_new_jobs.py`),
which PostgreSQL delivers when, and only if, the inserting transaction commits. An idle worker
(`ListeningWorker`) waits on its own `LISTEN socex_jobs` connection, so it
starts a job within milliseconds of its commit, while its `--interval` is only
how often it looks anyway (a job whose notification was missed, a lost
listening connection). On SQLite it sleeps `--interval`, as django-tasks-db's
worker does.

Polling every 50 ms cost each idle worker about 36 ms of its own CPU and 9 ms
of PostgreSQL's per second; waiting costs nothing until a job comes.
"""

import contextlib
import logging
import random
import time
from functools import partial

from django.db import close_old_connections, connections, router
from django.db.utils import OperationalError
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction, is_locked_database_exception

from worker.claim import NextJob, record_success

logger = logging.getLogger(__name__)

CHANNEL = "socex_jobs"


class JobNotices:
    """A connection of its own that LISTENs for new jobs' notices, opened when first waited on."""

    def __init__(self, alias):
        self.alias = alias
        self.listening = None

    def wait(self, timeout):
        """Return when a job is enqueued or after `timeout` seconds, whichever comes first.

        Side effects: opens (or, after an error, reopens next time) the listening
        connection; on any other database than PostgreSQL, just sleeps.
        """
        database = connections[self.alias]
        if database.vendor != "postgresql":
            time.sleep(timeout)
            return
        try:
            if self.listening is None:
                listening = database.get_new_connection(database.get_connection_params())
                listening.autocommit = True
                listening.execute(f"LISTEN {CHANNEL}")
                self.listening = listening
            for _notice in self.listening.notifies(timeout=timeout, stop_after=1):
                pass
        except Exception as error:  # a lost connection: poll instead, listen again next time
            logger.warning("Not listening for jobs (%s); polling every %s s", error, timeout)
            self.close()
            time.sleep(timeout)

    def close(self):
        if self.listening is not None:
            with contextlib.suppress(Exception):  # already broken; nothing to release
                self.listening.close()
            self.listening = None


class ListeningWorker(Worker):
    """django-tasks-db's worker, waiting for a new job's notice between jobs rather than sleeping.

    `run` is the library's loop (django-tasks-db 0.x, BSD licence) with its
    `time.sleep(interval)` replaced by `JobNotices.wait(interval)`.
    """

    def __init__(self, **options):
        super().__init__(**options)
        self._next_job = NextJob(
            backend_name=self.backend_name,
            queue_names=self.queue_names,
            excluded_queue_names=self.excluded_queue_names,
        )

    def run(self):
        logger.info("Starting worker worker_id=%s queues=%s", self.worker_id, self.queue_names)
        notices = JobNotices(router.db_for_write(DBTaskResult))
        if self.startup_delay and self.interval:
            time.sleep(random.random())  # spreads workers started together
        try:
            while self.running:
                close_old_connections()
                task_result, retrieved = self._claim_next()
                if task_result is not None:
                    self.run_task(task_result)
                if self.batch and retrieved and task_result is None:
                    return
                if self.max_tasks is not None and self._run_tasks >= self.max_tasks:
                    return
                close_old_connections()
                if self.running and not task_result:
                    notices.wait(self.interval)
        finally:
            notices.close()

    def run_task(self, db_task_result):
        """The library's `run_task`; on PostgreSQL its success recorded by `record_success`."""
        if connections[db_task_result._state.db].vendor == "postgresql":
            # The instance's own method, for this one job: the library calls it by name.
            db_task_result.set_successful = partial(record_success, db_task_result)
        super().run_task(db_task_result)

    def _claim_next(self):
        """Claim the next ready job; return (job or None, whether the table could be read)."""
        using = router.db_for_write(DBTaskResult)
        if connections[using].vendor == "postgresql":
            return self._next_job.claim(self.worker_id, using=using), True
        tasks = self._next_job.tasks(timezone.now())
        with exclusive_transaction(tasks.db):
            try:
                task_result = tasks.get_locked()
                if task_result is not None:
                    task_result.claim(self.worker_id)  # no other worker runs it now
            except OperationalError as error:
                if is_locked_database_exception(error):
                    return None, False  # SQLite busy: try again
                raise
        return task_result, True
