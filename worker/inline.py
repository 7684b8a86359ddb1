"""A worker that runs queued jobs in the calling process: for tests and benchmarks."""

from django_tasks_db.management.commands.db_worker import Worker


def inline_worker(*, worker_id, queue_names=("*",), worker_class=Worker):
    """A django-tasks-db `Worker` (or `worker_class`) that runs jobs here and now.

    No polling interval, no start-up delay, no limit on jobs, every queue unless
    `queue_names` says otherwise; the caller runs the loop (`run_task`).
    """
    return worker_class(
        queue_names=list(queue_names),
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id=worker_id,
        excluded_queue_names=[],
    )
