"""Tasks that exist only for the worker's own tests (imported by path by worker processes)."""

import time
from pathlib import Path

from django_tasks import task

from worker.models import CompletedTask
from worker.once import running_once
from worker.sealed import unseal_arguments


@task
def record(*, path, text):
    """Append `text` to the file at `path`."""
    with Path(path).open("a") as file:
        file.write(f"{text}\n")
    return text


@task
def hold_then_record(*, started, path, seconds):
    """Say it started (a file at `started`), wait `seconds`, then append a line to `path`."""
    Path(started).write_text("started")
    time.sleep(seconds)
    with Path(path).open("a") as file:
        file.write("finished\n")
    return "finished"


@task(takes_context=True)
def count_once(context, *, sealed):
    """Unseal a name and record it as a completed task, at most once per job."""
    with running_once(context) as first:
        if not first:
            return None
        name = unseal_arguments(sealed)["name"]
        return {"name": name, "keys": CompletedTask.objects.count()}


@task
def return_a_set():
    """Return what a job result cannot hold (not JSON)."""
    return {"not", "json"}
