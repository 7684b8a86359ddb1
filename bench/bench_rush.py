"""Registration rush: N virtual delegates register and choose four workshops over HTTP.

Run from the repository root: `DATABASE_URL=postgres://user@host:5432/name python
bench/bench_rush.py [--delegates 1000] [--concurrency 32] [--workers 4]`.

It needs PostgreSQL (SQLite serialises every writer, so a rush measures nothing
useful): without a postgres `DATABASE_URL` it starts nothing, says so and prints a
JSON line marked skipped. With one, it works in a scratch database beside it
(`<name>_bench_rush`, created afresh and dropped at the end), so your data is
never touched.

Steps: migrate; load the SOCEX 2019 programme scaled so that every slot holds
about 5% more seats than delegates; start gunicorn; drive the virtual delegates
(threads, one cookie jar each, CSRF token from each form) through register and
choose-four, with a skewed (Zipf) taste for workshops so the popular sessions
fill and late choosers get "now full" and choose again; verify the database;
then time the same booking transaction issued directly with psycopg, and count
the queries of `book_sessions` with Django's CaptureQueriesContext.
"""

import argparse
import json
import math
import os
import random
import statistics
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.rush_codes import code_from_database  # noqa: E402
from bench.rush_http import (  # noqa: E402
    run_delegate,
    start_gunicorn,
    start_worker,
    stop_gunicorn,
)

SEAT_SLACK = 1.05
ZIPF_S = 1.1


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--delegates", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=32, help="client threads")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument("--raw-bookings", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep-database", action="store_true")
    return parser.parse_args()


def skip(reason):
    print(reason)
    print(json.dumps({"bench": "rush", "skipped": reason}))
    sys.exit(0)


def scratch_database(url):
    """Create `<name>_bench_rush` next to the database in `url`; return its URL."""
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/") + "_bench_rush"
    with psycopg.connect(maintenance_url(url), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return urlunsplit(parts._replace(path="/" + name)), name


def maintenance_url(url):
    """The server's `postgres` database: CREATE and DROP DATABASE cannot run inside the target."""
    return urlunsplit(urlsplit(url)._replace(path="/postgres"))


def drop_database(url, name):
    import psycopg

    with psycopg.connect(maintenance_url(url), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def setup_django(database_url):
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("SECRET_KEY", "bench-only-not-a-secret")
    os.environ["DEBUG"] = "false"
    os.environ["STATIC_MANIFEST"] = "false"
    os.environ["ALLOWED_HOSTS"] = "127.0.0.1,localhost,testserver"
    os.environ["EMAIL_URL"] = "dummymail://"
    os.environ["LOG_LEVEL"] = "WARNING"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "socex.settings")
    import django

    django.setup()


def build_event(delegates):
    """Load the SOCEX 2019 fixture and scale its rooms so each slot seats ~5% more than N."""
    from django.core.management import call_command
    from django.db.models import Sum

    from registration.models import Event
    from workshops.models import Room, Session

    call_command("migrate", verbosity=0)
    call_command("load_event_data", verbosity=0)  # dates moved ahead, so registration is open
    event = Event.objects.get()
    per_slot = (
        Session.objects.filter(time_slot__event=event)
        .values("time_slot")
        .annotate(seats=Sum("capacity"))
        .order_by("seats")
        .first()["seats"]
    )
    factor = delegates * SEAT_SLACK / per_slot
    for room in Room.objects.all():
        room.capacity = math.ceil(room.capacity * factor)
        room.save()
    for session in Session.objects.filter(time_slot__event=event).select_related("room"):
        session.capacity = session.room.capacity
        session.save(update_fields=["capacity"])
    return event


def tastes(workshops, count, seed):
    """Each virtual delegate's ranking of the workshops, drawn with Zipf-skewed weights."""
    rng = random.Random(seed)
    weights = [1 / (rank + 1) ** ZIPF_S for rank in range(len(workshops))]
    result = []
    for _ in range(count):
        pool, w, ranking = list(workshops), list(weights), []
        while pool:
            index = rng.choices(range(len(pool)), weights=w)[0]
            ranking.append(pool.pop(index))
            w.pop(index)
        result.append({title: rank for rank, title in enumerate(ranking)})
    return result


def percentile(values, q):
    if not values:
        return None
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, math.ceil(q / 100 * len(ordered)) - 1))
    return round(ordered[index] * 1000, 1)


TICKS = os.sysconf("SC_CLK_TCK")
TASK_WORKERS = 2


def group_cpu_seconds(group):
    """User + system CPU seconds of the live processes in process group `group` (Linux /proc)."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # the process ended meanwhile
            continue
        # After the command name: state, ppid, pgrp, ... utime (12th) and stime (13th).
        if int(fields[2]) == group:
            total += int(fields[11]) + int(fields[12])
    return total / TICKS


def wait_until_settled(processes, *, quiet_cpu_seconds=0.05, interval=0.5, timeout=90):
    """Return once `processes` (process groups) have started: idle for one `interval`.

    A task worker spends about 2.5 s of CPU starting (Django, system checks, its
    periodic jobs' first run); measured from its launch, that cost was counted per
    booking (about 5 ms for two workers) and ran against the rush's first seconds.
    """
    deadline = time.monotonic() + timeout
    before = sum(group_cpu_seconds(p.pid) for p in processes)
    while time.monotonic() < deadline:
        time.sleep(interval)
        now = sum(group_cpu_seconds(p.pid) for p in processes)
        if now - before < quiet_cpu_seconds:
            return
        before = now
    raise RuntimeError(f"the servers were still busy after {timeout} s")


def database_backend_cpu(database_name):
    """{pid: CPU seconds} of the PostgreSQL backends serving `database_name` now (same machine)."""
    import psycopg

    with psycopg.connect(maintenance_url(os.environ["DATABASE_URL"]), autocommit=True) as conn:
        pids = [
            row[0]
            for row in conn.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = %s", [database_name]
            )
        ]
    cpu = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        cpu[pid] = (int(fields[11]) + int(fields[12])) / TICKS
    return cpu


class DatabaseCpu:
    """CPU of a database's backends over a stretch of time, sampled every second.

    A backend that ends during it (a connection closed) keeps its last sample, so
    its CPU is not lost; what it used after that sample is (a second's worth at most).
    """

    def __init__(self, database_name):
        self.database_name = database_name
        self.before = database_backend_cpu(database_name)
        self.last = dict(self.before)
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._sample, daemon=True)
        self.thread.start()

    def _sample(self):
        while not self.stopped.wait(1.0):
            self.last.update(database_backend_cpu(self.database_name))

    def stop(self, *, apart=()):
        """Return (CPU seconds of the backends, of those among them whose pid is in `apart`)."""
        self.stopped.set()
        self.thread.join()
        self.last.update(database_backend_cpu(self.database_name))
        used = {pid: cpu - self.before.get(pid, 0.0) for pid, cpu in self.last.items()}
        return sum(used.values()), sum(cpu for pid, cpu in used.items() if pid in apart)


def drive(base_url, preferences, concurrency, client_backends):
    """Run every virtual delegate on `concurrency` threads; return (results, seconds).

    Each thread keeps one database connection for the codes it reads (closed when
    the scratch database is dropped); their backends' pids go into `client_backends`,
    so their CPU counts as the client's, not the server's.
    """
    from django.db import connection

    def code_for(email):
        code = code_from_database(email, wait=120.0, close=False)
        client_backends.add(connection.connection.info.backend_pid)
        return code

    started_at = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        results = list(
            pool.map(
                lambda item: run_delegate(
                    base_url=base_url,
                    number=item[0],
                    preference=item[1],
                    # Registrations queue for the task workers: on a loaded machine the
                    # first ones can wait longer than the tests' 10 s.
                    code_for=code_for,
                ),
                enumerate(preferences),
            )
        )
    return results, time.perf_counter() - started_at


def verify(event):
    """Count sessions over capacity and delegates whose seats break a rule."""
    from registration.models import Delegate
    from workshops.models import Booking, Session

    overbooked = sum(
        1 for s in Session.objects.for_event(event).with_seats() if s.seats_taken > s.capacity
    )
    rows = {}
    for delegate_id, slot, workshop, session_slot in Booking.objects.filter(
        delegate__event=event
    ).values_list("delegate_id", "time_slot_id", "workshop_id", "session__time_slot_id"):
        rows.setdefault(delegate_id, []).append((slot, workshop, session_slot))
    invalid = 0
    for delegate in Delegate.objects.filter(event=event):
        held = rows.get(delegate.pk, [])
        ok = (
            (not held or len(held) == event.choices_required)
            and len({r[0] for r in held}) == len(held)
            and len({r[1] for r in held}) == len(held)
            and all(r[0] == r[2] for r in held)
            and (delegate.is_active or not held)
        )
        invalid += not ok
    return overbooked, invalid, len(rows)


def clone_event_for_raw_sql(event, delegates):
    """A copy of the programme with unlimited seats, and `delegates` day-two delegates in it."""
    from django.utils import timezone

    from registration.models import Agency, Delegate, Event
    from workshops.models import Session, TimeSlot, Workshop

    raw = Event.objects.create(
        name="Raw SQL baseline",
        starts_on=event.starts_on,
        ends_on=event.ends_on,
        venue_name=event.venue_name,
        venue_address=event.venue_address,
        contact_email=event.contact_email,
        is_current=False,
    )
    slots = {
        s.pk: TimeSlot.objects.create(
            event=raw, name=s.name, starts_at=s.starts_at, ends_at=s.ends_at
        )
        for s in event.time_slots.all()
    }
    workshops = {
        w.pk: Workshop.objects.create(event=raw, title=w.title, summary=w.summary)
        for w in event.workshops.all()
    }
    for session in Session.objects.for_event(event):
        Session.objects.create(
            workshop=workshops[session.workshop_id],
            time_slot=slots[session.time_slot_id],
            room_id=session.room_id,
            capacity=10 * delegates,
        )
    agency = Agency.objects.first()
    Delegate.objects.bulk_create(
        Delegate(
            event=raw,
            first_name="Raw",
            last_name=str(n),
            email=f"raw{n}@force.police.uk",
            agency=agency,
            job_title="Analyst",
            badge_name=f"Raw {n}",
            privacy_accepted_at=timezone.now(),
            email_confirmed_at=timezone.now(),
        )
        for n in range(delegates)
    )
    return raw


def valid_sets(event, preferences):
    """The greedy set each preference picks: (delegate ids, lists of session ids)."""
    from registration.models import Delegate
    from workshops.models import Session

    by_slot = {}
    for session in Session.objects.for_event(event).select_related("workshop", "time_slot"):
        by_slot.setdefault(session.time_slot.starts_at, []).append(session)
    sets = []
    for preference in preferences:
        used, chosen = set(), []
        for starts in sorted(by_slot):
            options = [s for s in by_slot[starts] if s.workshop.title not in used]
            best = min(options, key=lambda s: preference.get(s.workshop.title, 999))
            used.add(best.workshop.title)
            chosen.append(best.pk)
        sets.append(chosen)
    ids = list(Delegate.objects.filter(event=event).order_by("pk").values_list("pk", flat=True))
    return ids, sets


RAW_BOOKING = [
    # The statements book_sessions issues for a first booking, in the same order and locks.
    (
        "SELECT d.id, d.status, d.attends_day_two, e.id, e.choices_required"
        " FROM registration_delegate d JOIN registration_event e ON e.id = d.event_id"
        " WHERE d.id = %(delegate)s FOR NO KEY UPDATE OF d"
    ),
    (
        "SELECT s.id, s.time_slot_id, s.workshop_id, t.event_id FROM workshops_session s"
        " JOIN workshops_timeslot t ON t.id = s.time_slot_id"
        " JOIN workshops_workshop w ON w.id = s.workshop_id WHERE s.id = ANY(%(sessions)s)"
    ),
    "SELECT session_id FROM workshops_booking WHERE delegate_id = %(delegate)s",
    (
        "SELECT id, capacity FROM workshops_session WHERE id = ANY(%(sessions)s)"
        " ORDER BY id FOR NO KEY UPDATE"
    ),
    (
        "SELECT session_id, count(*) FROM workshops_booking WHERE session_id = ANY(%(sessions)s)"
        " GROUP BY session_id"
    ),
    (
        "INSERT INTO workshops_booking (delegate_id, session_id, time_slot_id, workshop_id,"
        " created_at) SELECT %(delegate)s, s.id, s.time_slot_id, s.workshop_id, now()"
        " FROM workshops_session s WHERE s.id = ANY(%(sessions)s)"
    ),
    (
        # The booking history rows book_sessions records (workshops.services.booking).
        "INSERT INTO workshops_bookingchange (delegate_id, action, session_id, session_label,"
        " from_session_label, actor_name, capacity_override, reason, at)"
        " SELECT %(delegate)s, 'booked', s.id, w.title || ' (' || t.name || ')', '', '', 0, '',"
        " now() FROM workshops_session s JOIN workshops_workshop w ON w.id = s.workshop_id"
        " JOIN workshops_timeslot t ON t.id = s.time_slot_id WHERE s.id = ANY(%(sessions)s)"
    ),
]


def raw_sql_bookings(database_url, delegate_ids, sets, concurrency):
    """Book each delegate's set with plain psycopg transactions; return bookings per second."""
    import psycopg

    jobs = list(zip(delegate_ids, sets, strict=False))
    lock = threading.Lock()
    errors = []

    def worker(share):
        with psycopg.connect(database_url) as conn:
            for delegate_id, sessions in share:
                params = {"delegate": delegate_id, "sessions": sessions}
                try:
                    with conn.transaction():
                        for statement in RAW_BOOKING:
                            cursor = conn.execute(statement, params)
                            if statement.startswith("SELECT"):
                                cursor.fetchall()
                except psycopg.Error as error:
                    with lock:
                        errors.append(str(error))

    shares = [jobs[i::concurrency] for i in range(concurrency)]
    started_at = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(share,)) for share in shares]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started_at
    return (len(jobs) - len(errors)) / elapsed, errors


def count_booking_queries(event):
    """Statements for a first booking and for a change, counted with CaptureQueriesContext."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from registration.models import Delegate
    from workshops.models import Session
    from workshops.services.booking import book_sessions

    delegate = Delegate.objects.filter(event=event, bookings__isnull=True).first()
    sessions = list(Session.objects.for_event(event).select_related("time_slot"))
    by_slot = {}
    for session in sessions:
        by_slot.setdefault(session.time_slot.starts_at, []).append(session)
    first, change = [], []
    used = set()
    for starts in sorted(by_slot):
        options = [s for s in by_slot[starts] if s.workshop_id not in used]
        first.append(options[0])
        used.add(options[0].workshop_id)
    # The change swaps the last slot for another workshop not yet held.
    last_options = [s for s in by_slot[max(by_slot)] if s.workshop_id not in used]
    change = [*first[:-1], last_options[0]]
    with CaptureQueriesContext(connection) as first_queries:
        book_sessions(delegate=delegate, sessions=first)
    with CaptureQueriesContext(connection) as change_queries:
        book_sessions(delegate=delegate, sessions=change)
    return statements(first_queries), statements(change_queries)


def statements(captured):
    """How many statements `captured` holds, BEGIN and COMMIT apart (Django logs them too)."""
    control = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE SAVEPOINT")
    return sum(1 for query in captured.captured_queries if not query["sql"].startswith(control))


def main():
    args = parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://", "pgsql://")):
        skip("PostgreSQL is needed: set DATABASE_URL=postgres://user@host:5432/name")
    try:
        bench_url, bench_name = scratch_database(url)
    except Exception as error:
        skip(f"PostgreSQL is needed and could not be reached: {error}")
    print(
        f"Scratch database {bench_name}; {args.delegates} delegates, "
        f"{args.concurrency} client threads, {args.workers} gunicorn workers, "
        f"{os.cpu_count()} cores."
    )
    setup_django(bench_url)
    from django.db import connections

    event = build_event(args.delegates)
    titles = list(event.workshops.order_by("pk").values_list("title", flat=True))
    preferences = tastes(titles, args.delegates, args.seed)
    connections.close_all()

    # Registrations are made by task workers, as in production, where they run before a
    # rush opens: started first, and the drive waits until they have settled.
    task_workers = [start_worker(database_url=bench_url) for _ in range(TASK_WORKERS)]
    process, base_url = start_gunicorn(database_url=bench_url, workers=args.workers)
    try:
        wait_until_settled([*task_workers, process])
        # CPU over the drive, per side: the web server (gunicorn's master and workers),
        # the task workers, the PostgreSQL backends of the scratch database (connections
        # are opened during the drive and kept, CONN_MAX_AGE), and this client.
        web_before = group_cpu_seconds(process.pid)
        tasks_before = sum(group_cpu_seconds(w.pid) for w in task_workers)
        database_cpu = DatabaseCpu(bench_name)
        client_before = time.process_time()
        client_backends = set()
        results, elapsed = drive(base_url, preferences, args.concurrency, client_backends)
        postgres, client_postgres = database_cpu.stop(apart=client_backends)
        cpu = {
            "client": time.process_time() - client_before,
            "web": group_cpu_seconds(process.pid) - web_before,
            "task_workers": sum(group_cpu_seconds(w.pid) for w in task_workers) - tasks_before,
            # The server's backends; the client's own (reading codes) apart.
            "postgres": postgres - client_postgres,
            "client_postgres": client_postgres,
        }
        load_average = os.getloadavg()
    finally:
        for task_worker in task_workers:
            stop_gunicorn(task_worker)
        stop_gunicorn(process)

    outcomes = {k: sum(r["outcome"] == k for r in results) for k in ("booked", "full", "error")}
    errors = [e for r in results for e in r["errors"]]
    steps = ["register_form", "register", "confirm", "choose_form", "choose"]
    latencies = {step: [t for r in results for t in r["timings"][step]] for step in steps}
    requests = sum(len(v) for v in latencies.values())
    bookings_per_s = outcomes["booked"] / elapsed
    overbooked, invalid, holding = verify(event)

    raw_event = clone_event_for_raw_sql(event, args.raw_bookings)
    raw_ids, raw_sets = valid_sets(raw_event, tastes(titles, args.raw_bookings, args.seed + 1))
    connections.close_all()
    raw_per_s, raw_errors = raw_sql_bookings(bench_url, raw_ids, raw_sets, min(args.concurrency, 8))
    extra = clone_event_for_raw_sql(event, 1)
    first_queries, change_queries = count_booking_queries(extra)
    connections.close_all()
    if not args.keep_database:
        drop_database(url, bench_name)

    print(
        f"Ran {args.delegates} delegates in {elapsed:.1f} s: {outcomes['booked']} booked four "
        f"workshops, {outcomes['full']} found day two full, {outcomes['error']} hit an error "
        f"({len(errors)} unexpected responses: {sorted(set(errors))[:5]})."
    )
    print(
        f"{requests} requests, {requests / elapsed:.0f} requests/s; "
        f"{bookings_per_s:.1f} complete bookings/s; retries after 'now full': "
        f"{len(latencies['choose']) - outcomes['booked']}."
    )
    for step in steps:
        values = latencies[step]
        print(
            f"  {step:14} n={len(values):5}  p50={percentile(values, 50)} ms  "
            f"p95={percentile(values, 95)} ms  p99={percentile(values, 99)} ms  "
            f"mean={statistics.fmean(values) * 1000 if values else 0:.1f} ms"
        )
    print(
        f"Database: {holding} delegates hold seats, {overbooked} sessions over capacity, "
        f"{invalid} delegates with an invalid set."
    )
    print(
        f"Raw SQL: {args.raw_bookings} booking transactions on {min(args.concurrency, 8)} "
        f"connections, {raw_per_s:.0f} bookings/s ({len(raw_errors)} errors); "
        f"app/raw ratio {bookings_per_s / raw_per_s:.3f}."
    )
    print(
        f"book_sessions queries (CaptureQueriesContext, BEGIN/COMMIT not counted): "
        f"{first_queries} for a first booking, {change_queries} for a change of one slot."
    )
    booked = max(outcomes["booked"], 1)
    print(
        "CPU over the drive: "
        + ", ".join(
            f"{side} {seconds:.1f} s ({seconds * 1000 / booked:.0f} ms per booking)"
            for side, seconds in cpu.items()
        )
        + f"; load average {load_average[0]:.1f}."
    )
    print(
        json.dumps(
            {
                "bench": "rush",
                "delegates": args.delegates,
                "bookings_per_s": round(bookings_per_s, 1),
                "requests_per_s": round(requests / elapsed, 1),
                "p50_ms": {step: percentile(latencies[step], 50) for step in steps},
                "p95_ms": {step: percentile(latencies[step], 95) for step in steps},
                "p99_ms": {step: percentile(latencies[step], 99) for step in steps},
                "booked": outcomes["booked"],
                "full": outcomes["full"],
                "errors": len(errors),
                "failed_delegates": outcomes["error"],
                "overbooked": overbooked,
                "invalid_delegates": invalid,
                "raw_sql_bookings_per_s": round(raw_per_s, 1),
                "ratio_to_raw_sql": round(bookings_per_s / raw_per_s, 4),
                "queries_per_booking": first_queries,
                "queries_per_change": change_queries,
                "queries_counted_with": "django CaptureQueriesContext around book_sessions",
                "cpu_s": {side: round(seconds, 2) for side, seconds in cpu.items()},
                "cpu_ms_per_booking": {
                    side: round(seconds * 1000 / booked, 1) for side, seconds in cpu.items()
                },
                "web_cpu_ms_per_request": round(cpu["web"] * 1000 / max(requests, 1), 1),
                "load_average_1m_end": round(load_average[0], 2),
            }
        )
    )


if __name__ == "__main__":
    main()
