"""Benchmark the ballot allocation of 10,000 delegates as an organiser starts it, run by a worker.

Run from the repository root with `DATABASE_URL=postgres://… python
bench/bench_allocation_worker.py`. Makes a throwaway test database on that server,
loads bench_ballot.py's 10,000-delegate instance (50 workshops run twice in ten
rounds, each delegate ranking ten) as an event whose ballot has closed, starts a
worker for the "long" queue, then, signed in as an organiser, posts the admin's
*Run allocation* form and polls the run's page (as its meta refresh does) until the
run ends. Prints readable lines, then one JSON line: how long the request took,
the time to the first progress the page can show, the time to the report, and the
solver's own time and gap.
"""

import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("SECRET_KEY", "bench-only-not-a-secret")
# The organiser's requests go through Django's test client, signed in without the
# second factor the admin asks for once DEBUG is off; the worker runs with DEBUG off.
os.environ["DEBUG"] = "true"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "socex.settings")
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from bench.ballot_in_database import load_ballot  # noqa: E402
from bench.worker_process import running_worker, skip_without_postgres  # noqa: E402
from workshops.models import AllocationRun  # noqa: E402

INSTANCE = {
    "delegates": 10_000,
    "workshops": 50,
    "slots": 10,
    "runs_per_workshop": 2,
    "ranked": 10,
    "k": 4,
    "seed": 2,
    "popularity_exponent": 0.6,
}
TIME_LIMIT_MINUTES = 10
POLL_SECONDS = 0.25


def main():
    skip_without_postgres("allocation_worker", vendor=connection.vendor)
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        started = time.perf_counter()
        event, _instance = load_ballot(**INSTANCE)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        print(f"loaded {INSTANCE['delegates']} rankings in {time.perf_counter() - started:.1f} s")
        organiser = get_user_model().objects.create_superuser("bench", "", "bench")
        client = Client(HTTP_HOST="localhost")
        client.force_login(organiser)
        with running_worker():
            figures = start_and_follow(client=client, event=event)
    finally:
        connection.creation.destroy_test_db(connection.settings_dict["NAME"], verbosity=0)
    for key, value in figures.items():
        print(f"  {key:<28} {value}")
    print(json.dumps({"bench": "allocation_worker", **INSTANCE, **figures}))


def start_and_follow(*, client, event):
    clicked = time.perf_counter()
    response = client.post(
        "/admin/workshops/allocationrun/run/",
        {"event": str(event.pk), "seed": "1", "time_limit": str(TIME_LIMIT_MINUTES)},
    )
    request_s = time.perf_counter() - clicked
    if response.status_code != 302:
        raise RuntimeError(f"the run was not started: {response.status_code}")
    page = response["Location"]
    first_progress_s = None
    while True:
        run = AllocationRun.objects.get()
        if first_progress_s is None and run.progress_at is not None:
            first_progress_s = time.perf_counter() - clicked
        if not run.is_active:
            break
        client.get(page)  # what the organiser's browser does while waiting
        time.sleep(POLL_SECONDS)
    report_s = time.perf_counter() - clicked
    if run.state != AllocationRun.State.FINISHED:
        raise RuntimeError(f"the run ended {run.state}: {run.failure}")
    return {
        "request_s": round(request_s, 3),
        "first_progress_s": round(first_progress_s, 2),
        "report_s": round(report_s, 2),
        "queued_s": round((run.started_at - run.created_at).total_seconds(), 2),
        "worker_s": round((run.finished_at - run.started_at).total_seconds(), 2),
        "solve_s": round(run.solve_seconds, 2),
        "gap": run.mip_gap,
        "completed": run.report["methods"][0]["completed"],
        "status": run.solver_status,
    }


if __name__ == "__main__":
    main()
