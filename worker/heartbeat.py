"""Each worker process says it is alive, from a thread, while its main thread runs jobs."""

import atexit
import logging
import os
import socket
import threading
from contextlib import contextmanager
from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.utils import timezone
from django.utils.crypto import get_random_string

from worker.models import WorkerHeartbeat
from worker.scheduler import enqueue_due_jobs

logger = logging.getLogger(__name__)


def new_worker_id():
    """A worker id unique across hosts, that still says where the worker runs."""
    return f"{socket.gethostname()[:40]}-{os.getpid()}-{get_random_string(8)}"


def beat(*, worker_id, now=None):
    """Record that `worker_id` is alive now. Side effects: upserts its `WorkerHeartbeat`."""
    now = now or timezone.now()
    updated = WorkerHeartbeat.objects.filter(worker_id=worker_id).update(last_seen_at=now)
    if not updated:
        WorkerHeartbeat.objects.create(
            worker_id=worker_id,
            hostname=socket.gethostname()[:255],
            pid=os.getpid(),
            started_at=now,
            last_seen_at=now,
        )


def alive_workers(*, now=None):
    """The heartbeats heard within `WORKER_DEAD_AFTER_SECONDS`."""
    now = now or timezone.now()
    silent_since = now - timedelta(seconds=settings.WORKER_DEAD_AFTER_SECONDS)
    return WorkerHeartbeat.objects.filter(last_seen_at__gte=silent_since)


@contextmanager
def keeping_watch(*, worker_id, schedule=True):
    """While the block runs (the worker's job loop), beat and, with `schedule`, enqueue due jobs.

    Side effects: a thread that, every `WORKER_HEARTBEAT_SECONDS`, updates this
    worker's heartbeat and enqueues due periodic jobs (`worker.scheduler`); the
    heartbeat row is deleted when the block ends. A process killed outright
    leaves its row behind, silent, which is how others know it died.
    """
    beat(worker_id=worker_id)
    stop = threading.Event()

    def forget():
        WorkerHeartbeat.objects.filter(worker_id=worker_id).delete()

    # Also when a signal ends the process from another thread (the autoreloader's).
    atexit.register(forget)

    def watch():
        try:
            while True:
                try:
                    beat(worker_id=worker_id)
                    if schedule:
                        enqueue_due_jobs()
                except Exception:  # a locked or lost database: try again next beat
                    logger.exception("Heartbeat or schedule failed; trying again")
                if stop.wait(settings.WORKER_HEARTBEAT_SECONDS):
                    return
        finally:
            connection.close()

    watcher = threading.Thread(target=watch, name=f"heartbeat {worker_id}", daemon=True)
    watcher.start()
    try:
        yield
    finally:
        stop.set()
        watcher.join(timeout=settings.WORKER_HEARTBEAT_SECONDS + 30)
        atexit.unregister(forget)
        forget()
