"""Benchmark the ballot end to end in Django: build, run (three methods) and publish.

Run from the repository root with `python bench/bench_ballot_publish.py`. Uses a
throwaway SQLite database in a temporary directory, the SOCEX 2019 programme
(200 seats a round) and 200 day-two delegates ranking all eight workshops with
skewed popularity. Publishing books through `book_sessions` one delegate at a
time and queues each timetable email, all in one transaction. Prints one JSON line.
"""

import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DIRECTORY = tempfile.mkdtemp(prefix="bench-ballot-")
os.environ["DATABASE_URL"] = f"sqlite:///{DIRECTORY}/bench.sqlite3"
os.environ["DEBUG"] = "false"
os.environ.setdefault("SECRET_KEY", "benchmark-only")
os.environ["EMAIL_URL"] = "dummymail://"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "socex.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from registration.models import (  # noqa: E402
    Agency,
    Delegate,
    Event,
)
from workshops.models import (  # noqa: E402
    Booking,
    Preference,
)
from workshops.services.ballot import build_ballot, publish_allocation  # noqa: E402
from workshops.services.ballot_runs import run_allocation  # noqa: E402

DELEGATES = 200
SEED = 1


def main():
    call_command("migrate", verbosity=0)
    call_command("load_event_data", verbosity=0)
    event = Event.objects.current()
    event.booking_mode = Event.BookingMode.BALLOT
    event.ballot_closes_at = timezone.now() - timezone.timedelta(minutes=1)
    event.save()
    agency = Agency.objects.create(name="Bench Constabulary")
    workshops = list(event.workshops.order_by("pk").values_list("pk", flat=True))
    rng = np.random.default_rng(SEED)
    popularity = np.log(1.0 / np.arange(1, len(workshops) + 1))
    delegates = Delegate.objects.bulk_create(
        Delegate(
            event=event,
            first_name="Bench",
            last_name=str(n),
            email=f"bench{n}@force.police.uk",
            agency=agency,
            job_title="Analyst",
            badge_name=f"Bench {n}",
            privacy_accepted_at=timezone.now(),
            email_confirmed_at=timezone.now(),
        )
        for n in range(DELEGATES)
    )
    Preference.objects.bulk_create(
        Preference(delegate=delegate, workshop_id=workshops[w], rank=rank)
        for delegate in delegates
        for rank, w in enumerate(
            np.argsort(-(popularity + rng.gumbel(size=len(workshops)))).tolist(), start=1
        )
    )
    with CaptureQueriesContext(connection) as build_queries:
        build_ballot(event=event, seed=SEED)
    started = time.perf_counter()
    run = run_allocation(event=event, seed=SEED)
    run_s = time.perf_counter() - started
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as publish_queries:
        booked = publish_allocation(run=run)
    publish_s = time.perf_counter() - started
    optimal, fcfs, rsd = run.report["methods"]

    def figures(method):
        return {
            key: method[key]
            for key in ("incomplete", "all_top_k", "at_least_k_minus_1", "mean_rank", "worst_rank")
        }

    print(
        json.dumps(
            {
                "bench": "ballot_publish",
                "delegates": DELEGATES,
                "build_queries": len(build_queries),
                "run_s": round(run_s, 3),
                "solve_s": round(run.solve_seconds, 3),
                "gap": run.mip_gap,
                "publish_s": round(publish_s, 3),
                "publish_queries": len(publish_queries),
                "booked": booked,
                "bookings": Booking.objects.count(),
                **figures(optimal),
                "fcfs": figures(fcfs),
                "rsd": figures(rsd),
            }
        )
    )


if __name__ == "__main__":
    try:
        main()
    finally:
        shutil.rmtree(DIRECTORY, ignore_errors=True)
