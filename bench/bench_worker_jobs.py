"""The task worker's CPU per booking: the rush's jobs run in this process, timed and counted.

Run from the repository root with a PostgreSQL `DATABASE_URL`:
`python bench/bench_worker_jobs.py [--delegates 200] [--profile N]`. In a scratch
database beside yours (`<name>_bench_link_timing`, dropped at the end) it
queues what the rush's web requests queue for each delegate, then runs the
worker's loop (`worker.wakeup.ListeningWorker`, `--batch`) here until no job is
left, against an SMTP sink in this process:

- "registration": one `register_from_form` job per delegate (the form's
  sealed answers), which registers them and sends the code email itself;
- "booking_email": after the delegates are confirmed and booked four
  workshops (in this process, not timed), one `send_messages` job per
  booking-confirmation email.

Each phase reports the worker's CPU ms per job (`time.process_time`, this
process only: PostgreSQL's own CPU is not in it) and, on a second batch run
under CaptureQueriesContext, the statements per job. `--profile N` prints
cProfile's top N functions of each phase. Ends with one JSON line.
"""

import argparse
import cProfile
import json
import os
import pstats
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_link_request_timing import database_url, prepare  # noqa: E402
from bench.mail_servers import SinkServer  # noqa: E402
from bench.rush_http import server_environment  # noqa: E402

ORIGIN = "http://127.0.0.1:8000"


def setup_django(url, sink_port):
    """Configure Django in this process for the scratch database and the sink."""
    os.environ.update(server_environment(url))
    os.environ["EMAIL_URL"] = f"smtp://127.0.0.1:{sink_port}"
    os.environ["EMAIL_TIMEOUT"] = "10"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "socex.settings")
    import django

    django.setup()


def queue_registrations(count, prefix):
    """Enqueue `count` registrations as the form does; return their addresses."""
    from django.db import transaction

    from registration.models import Agency, Event
    from registration.tasks import register_from_form, registration_sealed

    event = Event.objects.current()
    agency = Agency.objects.filter(name__icontains="police").first() or Agency.objects.first()
    emails = []
    for number in range(count):
        email = f"{prefix}{number:05d}@force.police.uk"
        details = {
            "first_name": "Bench",
            "last_name": f"Delegate {number}",
            "email": email,
            "job_title": "Analyst",
            "phone": "",
            "attends_day_one": True,
            "attends_day_two": True,
            "dietary_requirements": "",
            "accessibility_needs": "",
            "badge_name": "",
        }
        with transaction.atomic():
            register_from_form.enqueue(
                sealed=registration_sealed(
                    event=event,
                    details=details,
                    agency_id=agency.pk,
                    other_agency="",
                    invitation_code="",
                    needs_consent=False,
                ),
                origin=ORIGIN,
            )
        emails.append(email)
    return emails


def confirm_and_book(emails):
    """Confirm and book each delegate four workshops as the web would; return emails queued."""
    from registration.models import Delegate
    from registration.services.confirmation import confirm_email_address
    from workshops.models import Session
    from workshops.services.booking import book_sessions

    queued = 0
    slots = {}
    for session in Session.objects.select_related("time_slot").order_by("pk"):
        slots.setdefault(session.time_slot_id, []).append(session)
    for number, delegate in enumerate(Delegate.objects.filter(email__in=emails).order_by("pk")):
        confirm_email_address(delegate=delegate)
        for attempt in range(6):
            chosen, workshops = [], set()
            for sessions in slots.values():
                for offset in range(len(sessions)):
                    session = sessions[(number + attempt + offset) % len(sessions)]
                    if session.workshop_id not in workshops:
                        chosen.append(session)
                        workshops.add(session.workshop_id)
                        break
            try:
                book_sessions(delegate=delegate, sessions=chosen)
            except Exception:  # full, or a rule of the programme: try other sessions
                continue
            queued += 1
            break
    return queued


def run_worker(*, profile=None):
    """Run every ready job in this process; return (jobs, CPU seconds)."""
    from worker.inline import inline_worker
    from worker.wakeup import ListeningWorker

    worker = inline_worker(
        worker_id="bench-worker-jobs", queue_names=["default"], worker_class=ListeningWorker
    )
    cpu = time.process_time()
    if profile is not None:
        profile.enable()
    worker.run()
    if profile is not None:
        profile.disable()
    return worker._run_tasks, time.process_time() - cpu


def phase(name, queue, *, profile_top, show_statements=0):
    """Queue a phase's jobs twice: once timed (maybe profiled), once with statements counted."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    queue("a")
    profile = cProfile.Profile(time.process_time) if profile_top else None
    jobs, cpu_s = run_worker(profile=profile)
    queue("b")
    with CaptureQueriesContext(connection) as queries:
        counted_jobs, _cpu = run_worker()
    if show_statements:
        print(f"--- {name}: the statements of the first jobs")
        for query in queries.captured_queries[:show_statements]:
            print("   ", query["sql"][:300])
    if profile is not None:
        print(f"--- {name}: top {profile_top} by cumulative time")
        pstats.Stats(profile).sort_stats("cumulative").print_stats(profile_top)
        pstats.Stats(profile).sort_stats("tottime").print_stats(profile_top)
    return {
        "jobs": jobs,
        "cpu_ms_per_job": round(cpu_s * 1000 / max(jobs, 1), 2),
        "counted_jobs": counted_jobs,
        "statements_per_job": round(len(queries) / max(counted_jobs, 1), 1),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    # The programme's seats hold about 2 x 150 delegates booked; more leave some unbooked.
    parser.add_argument("--delegates", type=int, default=150)
    parser.add_argument("--profile", type=int, default=0, help="print cProfile's top N")
    parser.add_argument("--statements", type=int, default=0, help="print the first N statements")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        print(json.dumps({"bench": "worker_jobs", "skipped": "PostgreSQL DATABASE_URL needed"}))
        return
    scratch, drop = database_url(tempfile.mkdtemp(prefix="bench-worker-jobs-"))
    sink = SinkServer().start()
    try:
        prepare(scratch)
        setup_django(scratch, sink.port)
        # Warm up: imports, templates, connections (not counted).
        queue_registrations(5, "warm")
        run_worker()
        registered = {}

        def registrations(batch):
            registered[batch] = queue_registrations(args.delegates, f"reg{batch}-")

        def bookings(batch):
            confirm_and_book(registered[batch])

        results = {
            "registration": phase(
                "registration",
                registrations,
                profile_top=args.profile,
                show_statements=args.statements,
            ),
            "booking_email": phase(
                "booking_email", bookings, profile_top=args.profile, show_statements=args.statements
            ),
        }
        results["emails_at_sink"] = len(sink.messages)
    finally:
        from django.db import connections

        connections.close_all()
        sink.shutdown()
        drop()
    print(json.dumps({"bench": "worker_jobs", "delegates": args.delegates, **results}))


if __name__ == "__main__":
    main()
