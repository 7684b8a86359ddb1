"""Benchmark every delegate page, rendered in-process with DEBUG off.

Run from the repository root with `python bench/bench_pages.py` (or `make bench`).
Loads the SOCEX 2019 programme into a throwaway SQLite file, or, when
DATABASE_URL is set, into a throwaway test database on that server (VACUUM ANALYZEd
after loading), at two sizes: SOCEX's own (200 delegates, rooms as in 2019) and
10,000 delegates (rooms scaled to seat 5% more than that). Three in four
delegates hold a full set of four workshops, so places left is a real count.

Each page is fetched through Django's test Client (the whole middleware stack,
sessions, CSRF, templates; no network), a few times to warm up, then `--repeat`
times; it reports the median wall time and the median CPU time of this process
(the client's share is Django's test Client, small beside the server's), and
the queries the page issues. Prints one JSON line per page and size, then a
summary JSON line. `--sizes 200` runs only SOCEX size; `--profile PAGE` prints
a cProfile of that page at the last size instead of timing.
"""

import argparse
import cProfile
import json
import math
import os
import pstats
import random
import statistics
import sys
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.in_process import configure  # noqa: E402

sqlite_file = configure("bench-pages")

# WhiteNoise warns once that no collected static files exist; pages do not need them here.
warnings.filterwarnings("ignore", message="No directory at")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from registration.models import Agency, Delegate, Event  # noqa: E402
from registration.services.link import issue_manage_link  # noqa: E402
from registration.views.access import CONFIRMING_KEY, SESSION_KEY  # noqa: E402
from workshops.models import Booking, Room, Session  # noqa: E402

SIZES = (200, 10_000)
SOCEX_SEATS_PER_SLOT = 200
SEAT_SLACK = 1.05
HOLDING_SHARE = 0.75
SEED = 1


def load(*, delegates, seed):
    """The SOCEX 2019 programme and `delegates` confirmed day-two delegates, 3 in 4 booked.

    Seats are bulk-inserted (not booked through the service) to build 10,000
    registrations in seconds, each a valid set: one session per round, four
    different workshops.
    """
    rng = random.Random(seed)
    call_command("load_event_data", verbosity=0)
    event = Event.objects.get()
    factor = max(1.0, delegates * SEAT_SLACK / SOCEX_SEATS_PER_SLOT)
    if factor > 1:
        for room in Room.objects.all():
            room.capacity = math.ceil(room.capacity * factor)
            room.save()
        for session in Session.objects.for_event(event).select_related("room"):
            session.capacity = session.room.capacity
            session.save(update_fields=["capacity"])
    agencies = list(Agency.objects.all())
    now = timezone.now()
    people = Delegate.objects.bulk_create(
        (
            Delegate(
                event=event,
                first_name=f"First{n:05}",
                last_name=f"Surname{n:05}",
                email=f"delegate{n:05}@force.example",
                agency=rng.choice(agencies),
                job_title="Detective Inspector",
                attends_day_one=True,
                attends_day_two=True,
                badge_name=f"First{n:05}",
                privacy_accepted_at=now,
                email_confirmed_at=now,
            )
            for n in range(delegates)
        ),
        batch_size=2000,
    )
    sessions = list(Session.objects.for_event(event).order_by("time_slot__starts_at", "pk"))
    by_slot = {}
    for session in sessions:
        by_slot.setdefault(session.time_slot_id, []).append(session)
    rounds = list(by_slot.values())
    choices = [
        combo
        for combo in _combinations(rounds)
        if len({s.workshop_id for s in combo}) == len(combo)
    ]
    taken = {s.pk: 0 for s in sessions}
    seats = []
    for person in people[: int(len(people) * HOLDING_SHARE)]:
        rng.shuffle(choices)
        combo = next(c for c in choices if all(taken[s.pk] < s.capacity for s in c))
        for session in combo:
            taken[session.pk] += 1
            seats.append(
                Booking(
                    delegate=person,
                    session=session,
                    time_slot_id=session.time_slot_id,
                    workshop_id=session.workshop_id,
                )
            )
    Booking.objects.bulk_create(seats, batch_size=5000)
    # Planner statistics and the visibility map, as a database in use has from autovacuum
    # (PostgreSQL here runs none): without VACUUM no count can be an index-only scan.
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    return event, people


def _combinations(rounds):
    if not rounds:
        return [()]
    return [(s, *rest) for s in rounds[0] for rest in _combinations(rounds[1:])]


def signed_in_client(delegate_id=None, confirming=None):
    client = Client(enforce_csrf_checks=True)
    session = client.session
    if delegate_id is not None:
        session[SESSION_KEY] = delegate_id
    if confirming is not None:
        session[CONFIRMING_KEY] = confirming
    session.save()
    client.cookies[settings.SESSION_COOKIE_NAME] = session.session_key
    return client


def pages(*, people):
    """(name, client, url) for every delegate page, each client set up as a real visitor's."""
    holding = people[0]  # holds four seats
    choosing = people[-1]  # holds none yet
    anonymous = Client(enforce_csrf_checks=True)
    link_url = issue_manage_link(delegate=choosing)
    return [
        ("home", anonymous, "/"),
        ("register", anonymous, "/register/"),
        ("confirm_email", signed_in_client(confirming=choosing.email), "/booking/confirm/"),
        ("request_link", anonymous, "/booking/link/"),
        ("open_link", anonymous, link_url.split(settings.SITE_URL, 1)[-1]),
        ("link_invalid", anonymous, "/booking/link/not-a-real-token/"),
        ("choose_new", signed_in_client(choosing.pk), "/booking/workshops/"),
        ("choose_change", signed_in_client(holding.pk), "/booking/workshops/"),
        ("manage", signed_in_client(holding.pk), "/booking/"),
        ("confirmed", signed_in_client(holding.pk), "/booking/confirmed/"),
        ("details", signed_in_client(holding.pk), "/booking/details/"),
        ("hand_over", signed_in_client(holding.pk), "/booking/hand-over/"),
        ("cancel", signed_in_client(holding.pk), "/booking/cancel/"),
    ]


def fetch(client, url):
    response = client.get(url, secure=True)
    if response.status_code != 200:
        raise SystemExit(f"{url} answered {response.status_code}, not 200")
    return response


def measure(*, client, url, repeat, warmup=3):
    for _ in range(warmup):
        fetch(client, url)
    walls, cpus = [], []
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        fetch(client, url)
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    with CaptureQueriesContext(connection) as queries:
        fetch(client, url)
    return {
        "ms_median": round(statistics.median(walls) * 1000, 2),
        "cpu_ms_median": round(statistics.median(cpus) * 1000, 2),
        "ms_p90": round(sorted(walls)[int(0.9 * (len(walls) - 1))] * 1000, 2),
        "queries": len(queries),
    }


def profile(*, client, url, repeat):
    for _ in range(3):
        fetch(client, url)
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(repeat):
        fetch(client, url)
    profiler.disable()
    stats = pstats.Stats(profiler)
    stats.sort_stats("cumulative").print_stats(45)
    stats.sort_stats("tottime").print_stats(25)
    if os.environ.get("CALLERS"):
        stats.print_callers(os.environ["CALLERS"])


def reset():
    if sqlite_file is None:
        connection.creation.destroy_test_db(connection.settings_dict["NAME"], verbosity=0)
        connection.creation.create_test_db(verbosity=0, autoclobber=True)
    else:
        connection.close()
        for path in sqlite_file.parent.glob(sqlite_file.name + "*"):
            path.unlink()
        call_command("migrate", verbosity=0)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)))
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--only", default="", help="comma-separated page names")
    parser.add_argument("--profile", default="", help="profile this page instead of timing")
    arguments = parser.parse_args()
    sizes = [int(size) for size in arguments.sizes.split(",")]
    only = {name for name in arguments.only.split(",") if name}
    # setup_test_environment() is never called: templates render as in production,
    # without the test instrumentation that records every context.
    postgres = sqlite_file is None
    if postgres:
        # Not the test suite's `test_<name>`: a suite may be running on the same server.
        connection.settings_dict["TEST"]["NAME"] = connection.settings_dict["NAME"] + "_bench_pages"
        connection.creation.create_test_db(verbosity=0, autoclobber=True)
    else:
        call_command("migrate", verbosity=0)
    load_avg = os.getloadavg()
    results = []
    try:
        for index, size in enumerate(sizes):
            if index:
                reset()
            started = time.perf_counter()
            _event, people = load(delegates=size, seed=SEED)
            print(
                f"{connection.vendor}: {size} delegates, {Booking.objects.count()} seats "
                f"loaded in {time.perf_counter() - started:.1f} s"
            )
            for name, client, url in pages(people=people):
                if only and name not in only:
                    continue
                if arguments.profile:
                    if name == arguments.profile and index == len(sizes) - 1:
                        profile(client=client, url=url, repeat=arguments.repeat)
                    continue
                figures = measure(client=client, url=url, repeat=arguments.repeat)
                line = {
                    "bench": "pages",
                    "page": name,
                    "delegates": size,
                    "database": connection.vendor,
                } | figures
                results.append(line)
                print(json.dumps(line))
    finally:
        if postgres:
            connection.creation.destroy_test_db(connection.settings_dict["NAME"], verbosity=0)
        else:
            connection.close()
            for path in sqlite_file.parent.glob(sqlite_file.name + "*"):
                path.unlink()
            sqlite_file.parent.rmdir()
    slowest = max(results, key=lambda r: r["cpu_ms_median"], default=None)
    print(
        json.dumps(
            {
                "bench": "pages",
                "summary": True,
                "database": connection.vendor,
                "sizes": sizes,
                "pages": len(results),
                "load_average_at_start": [round(x, 2) for x in load_avg],
                "max_ms_median": max((r["ms_median"] for r in results), default=None),
                "max_cpu_ms_median": slowest and slowest["cpu_ms_median"],
                "slowest_page": slowest and f"{slowest['page']}@{slowest['delegates']}",
                "pages_over_10_ms_cpu": sorted(
                    {f"{r['page']}@{r['delegates']}" for r in results if r["cpu_ms_median"] > 10}
                ),
            }
        )
    )


if __name__ == "__main__":
    main()
