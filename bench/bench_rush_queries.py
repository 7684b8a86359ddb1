"""The rush's requests in-process: queries and CPU per step of one delegate's registration.

Run from the repository root with `python bench/bench_rush_queries.py` (SQLite, a
throwaway file) or with DATABASE_URL set (a throwaway `<name>_bench_rush_queries`
database on that server). Loads the SOCEX 2019 programme, then walks `--delegates`
virtual delegates, one after another, through exactly the requests of
`bench/rush_http.py` (GET and POST /register/, GET and POST the code page, GET and
POST the choose page), through Django's test Client with DEBUG off (middleware,
sessions, CSRF, templates; no network). The background jobs a step queued (the
registration, the emails) run after it in the workers' own loop (`ListeningWorker`), counted apart.

Prints one JSON line per step: the median queries (everything Django logs, BEGIN
and COMMIT included) and CPU milliseconds of this process
(`{"bench": "rush_queries", "step": ..., "queries": ..., "cpu_ms_median": ...}`),
then `book_sessions`'s own statements for a first booking and a change (BEGIN and
COMMIT apart, as `bench/bench_rush.py` counts them), then a summary line.
`--sql STEP` also prints the SQL of that step for the last delegate; `--profile STEP[,STEP]`
prints a cProfile of each such step over all delegates (CPU figures then include the profiler's
own overhead).
"""

import argparse
import cProfile
import json
import os
import pstats
import statistics
import sys
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.in_process import configure  # noqa: E402

sqlite_file = configure("bench-rush-queries")
os.environ["RATE_LIMITS"] = "off"  # every virtual delegate comes from one address
os.environ["SECURE_SSL_REDIRECT"] = "false"

warnings.filterwarnings("ignore", message="No directory at")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402
from django_tasks import TaskResultStatus  # noqa: E402
from django_tasks_db.models import DBTaskResult  # noqa: E402

from bench.rush_http import AGENCY, CSRF, best_set, parse_options  # noqa: E402
from registration.models import Delegate, Event  # noqa: E402
from registration.services.confirmation import issue_confirmation_code  # noqa: E402
from worker.inline import inline_worker  # noqa: E402
from worker.wakeup import ListeningWorker  # noqa: E402
from workshops.models import Session  # noqa: E402
from workshops.services.booking import book_sessions  # noqa: E402

STEPS = ("register_form", "register", "confirm_form", "confirm", "choose_form", "choose")


def run_jobs():
    """Run every queued job with the workers' own loop (`ListeningWorker`, batch); return how many.

    Raises SystemExit if one failed.
    """
    worker = inline_worker(worker_id="bench", worker_class=ListeningWorker)
    worker.run()
    return worker._run_tasks


def check_no_job_failed():
    failed = DBTaskResult.objects.filter(status=TaskResultStatus.FAILED).first()
    if failed is not None:
        raise SystemExit(f"job {failed.task_path} failed:\n{failed.traceback}")


class Measured:
    """Queries, SQL and CPU of each step, over all delegates."""

    def __init__(self, profile_steps=()):
        self.queries = {}
        self.cpu = {}
        self.sql = {}
        # CPU time, as the JSON lines count it: waiting for the database is not our cost here.
        self.profilers = {step: cProfile.Profile(time.process_time) for step in profile_steps}

    def run(self, step, call, expect):
        profiler = self.profilers.get(step)
        with CaptureQueriesContext(connection) as captured:
            cpu = time.process_time()
            if profiler:
                profiler.enable()
            response = call()
            if profiler:
                profiler.disable()
            self.cpu.setdefault(step, []).append(time.process_time() - cpu)
        if response.status_code not in expect:
            raise SystemExit(f"{step} answered {response.status_code}, not {expect}")
        self.queries.setdefault(step, []).append(len(captured))
        self.sql[step] = [q["sql"] for q in captured.captured_queries]
        return response

    def jobs(self, step):
        with CaptureQueriesContext(connection) as captured:
            cpu = time.process_time()
            ran = run_jobs()
            self.cpu.setdefault(f"jobs_after_{step}", []).append(time.process_time() - cpu)
        self.queries.setdefault(f"jobs_after_{step}", []).append(len(captured))
        self.sql[f"jobs_after_{step}"] = [q["sql"] for q in captured.captured_queries]
        check_no_job_failed()
        return ran


def statements(captured):
    """How many statements `captured` holds, transaction control (BEGIN, COMMIT...) apart."""
    control = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE SAVEPOINT")
    return sum(1 for query in captured.captured_queries if not query["sql"].startswith(control))


def csrf(response):
    match = CSRF.search(response.content.decode())
    return match.group(1) if match else ""


def walk(number, measured):
    """One delegate through the rush's steps; the choose POST must book (302)."""
    client = Client(enforce_csrf_checks=True)
    email = f"virtual.delegate{number}@force.police.uk"
    form = measured.run("register_form", lambda: client.get("/register/"), (200,))
    body = form.content.decode()
    data = {
        "csrfmiddlewaretoken": csrf(form),
        "first_name": "Virtual",
        "last_name": f"Delegate {number}",
        "email": email,
        "job_title": "Detective Inspector",
        "agency": AGENCY.search(body).group(1),
        "attends_day_one": "on",
        "attends_day_two": "on",
        "privacy_accepted": "on",
    }
    measured.run("register", lambda: client.post("/register/", data), (303,))
    measured.jobs("register")
    code = issue_confirmation_code(delegate=Delegate.objects.get(email=email))
    form = measured.run("confirm_form", lambda: client.get("/booking/confirm/"), (200,))
    measured.run(
        "confirm",
        lambda: client.post("/booking/confirm/", {"csrfmiddlewaretoken": csrf(form), "code": code}),
        (302,),
    )
    page = measured.run("choose_form", lambda: client.get("/booking/workshops/"), (200,))
    picks = best_set(parse_options(page.content.decode()), {})
    measured.run(
        "choose",
        lambda: client.post("/booking/workshops/", {"csrfmiddlewaretoken": csrf(page), **picks}),
        (302,),
    )
    measured.jobs("choose")


def booking_queries(event):
    """`book_sessions`'s queries for a first booking and a change of one slot, outside requests."""
    delegate = Delegate.objects.filter(event=event, bookings__isnull=True).first()
    by_slot = {}
    for session in Session.objects.for_event(event).select_related("time_slot"):
        by_slot.setdefault(session.time_slot.starts_at, []).append(session)
    first, used = [], set()
    for starts in sorted(by_slot):
        option = next(s for s in by_slot[starts] if s.workshop_id not in used)
        first.append(option)
        used.add(option.workshop_id)
    other = next(s for s in by_slot[max(by_slot)] if s.workshop_id not in used)
    with CaptureQueriesContext(connection) as first_queries:
        book_sessions(delegate=delegate, sessions=first)
    with CaptureQueriesContext(connection) as change_queries:
        book_sessions(delegate=delegate, sessions=[*first[:-1], other])
    return first_queries, change_queries


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--delegates", type=int, default=20)
    parser.add_argument("--sql", default="", help="print the SQL of this step (or 'booking')")
    parser.add_argument(
        "--profile", default="", help="print a cProfile of these steps (comma-separated)"
    )
    arguments = parser.parse_args()
    postgres = sqlite_file is None
    if postgres:
        # Not the test suite's `test_<name>`: a suite may be running on the same server.
        name = connection.settings_dict["NAME"] + "_bench_rush_queries"
        connection.settings_dict["TEST"]["NAME"] = name
        connection.creation.create_test_db(verbosity=0, autoclobber=True)
    else:
        call_command("migrate", verbosity=0)
    load_avg = os.getloadavg()
    try:
        call_command("load_event_data", verbosity=0)
        event = Event.objects.get()
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        measured = Measured(profile_steps=[s for s in arguments.profile.split(",") if s])
        for number in range(arguments.delegates):
            walk(number, measured)
        Delegate.objects.create(
            event=event,
            first_name="Change",
            last_name="Counter",
            email="change.counter@force.police.uk",
            agency=Delegate.objects.first().agency,
            job_title="Analyst",
            attends_day_two=True,
            privacy_accepted_at=timezone.now(),
            email_confirmed_at=timezone.now(),
        )
        first, change = booking_queries(event)
        measured.sql["booking_first"] = [q["sql"] for q in first.captured_queries]
        measured.sql["booking_change"] = [q["sql"] for q in change.captured_queries]
    finally:
        if postgres:
            connection.creation.destroy_test_db(connection.settings_dict["NAME"], verbosity=0)
        else:
            connection.close()
            for path in sqlite_file.parent.glob(sqlite_file.name + "*"):
                path.unlink()
            sqlite_file.parent.rmdir()
    total_queries = total_cpu = 0
    for step in measured.queries:
        queries = statistics.median(measured.queries[step])
        cpu_ms = statistics.median(measured.cpu[step]) * 1000
        if step in STEPS:
            total_queries += queries
            total_cpu += cpu_ms
        line = {
            "bench": "rush_queries",
            "step": step,
            "database": connection.vendor,
            "queries": queries,
            "cpu_ms_median": round(cpu_ms, 2),
        }
        print(json.dumps(line))
    print(
        json.dumps(
            {
                "bench": "rush_queries",
                "step": "book_sessions",
                "database": connection.vendor,
                # BEGIN and COMMIT apart, as bench_rush.py counts them
                "queries_first_booking": statements(first),
                "queries_change": statements(change),
            }
        )
    )
    for step, profiler in measured.profilers.items():
        print(f"== cProfile of {step}", file=sys.stderr)
        stats = pstats.Stats(profiler, stream=sys.stderr)
        stats.sort_stats("cumulative").print_stats(70)
        stats.sort_stats("tottime").print_stats(30)
    if arguments.sql:
        for number, sql in enumerate(measured.sql.get(arguments.sql, []), start=1):
            print(f"{number:3} {sql[:400]}")
    print(
        json.dumps(
            {
                "bench": "rush_queries",
                "summary": True,
                "database": connection.vendor,
                "delegates": arguments.delegates,
                "load_average_at_start": [round(x, 2) for x in load_avg],
                "request_queries_per_booking": total_queries,
                "request_cpu_ms_per_booking": round(total_cpu, 1),
            }
        )
    )


if __name__ == "__main__":
    main()
