"""A real `manage.py run_worker` process for the benchmarks that time work done by a worker.

The benchmark makes a throwaway PostgreSQL test database, starts a worker on it
(for the "long" queue, where allocations and large files run) and waits for its
first heartbeat, so the figures measure the job and not the worker's start-up.
"""

import json
import os
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

from django.db import connection

from worker.models import WorkerHeartbeat

ROOT = Path(__file__).resolve().parent.parent


@contextmanager
def running_worker(*, queues="long", name="bench-worker"):
    """Run a worker against this connection's database while the block runs."""
    database = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST']}:"
        f"{database['PORT']}/{database['NAME']}",
        "DEBUG": "false",
        "SECRET_KEY": os.environ.get("SECRET_KEY", "bench-only-not-a-secret"),
        "WORKER_HEARTBEAT_SECONDS": "1",
        "LOG_LEVEL": "WARNING",
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "manage.py",
            "run_worker",
            "--no-reload",
            "--no-startup-delay",
            "--interval",
            "0.2",
            f"--queue-name={queues}",
            "--worker-id",
            name,
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 180
        while not WorkerHeartbeat.objects.filter(worker_id=name).exists():
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the worker did not start")
            time.sleep(0.2)
        yield process
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


POSTGRES_NEEDED = (
    "PostgreSQL is needed (the worker is another process on the database): "
    "set DATABASE_URL=postgres://user@host:5432/name"
)


def skip_without_postgres(bench, *, vendor):
    """Without PostgreSQL, say so in the JSON line and exit 0, so `make bench` goes on."""
    if vendor != "postgresql":
        print(json.dumps({"bench": bench, "skipped": POSTGRES_NEEDED}))
        sys.exit(0)
