"""Run a task worker: django-tasks-db's job loop, plus a heartbeat and the periodic schedule.

Start as many as you like, on any host that reaches the database. Each one
runs queued jobs, says every `WORKER_HEARTBEAT_SECONDS` that it is alive (so
the jobs of a worker that dies are handed on, `worker.recovery`), and enqueues
the periodic jobs that are due (`worker.schedule`), once per period between
them all. Between jobs it waits to be told of a new one (`worker.wakeup`) for at
most `--interval` seconds. SIGTERM or Ctrl-C lets the current job finish; a second one stops it.
"""

import gc
import logging
import os

from django.utils.autoreload import DJANGO_AUTORELOAD_ENV, run_with_reloader
from django_tasks_db.management.commands import db_worker

from worker.heartbeat import keeping_watch, new_worker_id
from worker.wakeup import ListeningWorker


class Command(db_worker.Command):
    help = (
        "Run queued background jobs, and the periodic ones when due. --batch runs what is "
        "queued and exits (no schedule)."
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        # Generated per process (host and pid in it), not once when the parser is built.
        parser.set_defaults(worker_id=None)

    def configure_logging(self, verbosity):
        """The job lines at the level `LOG_LEVEL` (the settings' root level) sets, by default.

        django-tasks-db's worker sets its loggers to INFO at the default verbosity,
        so with `LOG_LEVEL=WARNING` every job still wrote two lines (started,
        finished): about 5% of a worker's CPU in the rush. `--verbosity 0` still
        silences them and `--verbosity 2` still shows the debug lines.
        """
        if verbosity != 1:
            super().configure_logging(verbosity)
            return
        for name in (db_worker.TASKS_LOGGER, db_worker.logger.name):
            logging.getLogger(name).setLevel(logging.NOTSET)  # the root's level decides

    def handle(
        self,
        *,
        verbosity,
        queue_name,
        interval,
        batch,
        backend_name,
        startup_delay,
        reload,
        max_tasks,
        worker_id,
        exclude_queues,
        **options,
    ):
        self.configure_logging(verbosity)
        queue_names = queue_name.split(",")
        excluded = exclude_queues.split(",") if exclude_queues else []
        if excluded and "*" not in queue_names:
            raise db_worker.CommandError("--exclude-queues can only be used with --queue-name=*")

        worker = ListeningWorker(
            queue_names=queue_names,
            interval=interval,
            batch=batch,
            backend_name=backend_name,
            startup_delay=startup_delay,
            max_tasks=max_tasks,
            # With --reload, the process that runs jobs is the reloader's child, which runs
            # this command again: the id (host and pid) is made there.
            worker_id=worker_id or new_worker_id(),
            excluded_queue_names=excluded,
        )

        def work():
            gc.freeze()  # what start-up made lives as long as the process: never scan it again
            with keeping_watch(worker_id=worker.worker_id, schedule=not batch):
                worker.run()

        if reload and not batch:
            if os.environ.get(DJANGO_AUTORELOAD_ENV) == "true":
                worker.configure_signals()  # only the child runs jobs
            run_with_reloader(work)
        else:
            worker.configure_signals()
            work()
