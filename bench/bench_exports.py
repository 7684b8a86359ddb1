"""Benchmark the staff exports on 10,000 synthetic delegates.

Run from the repository root with `python bench/bench_exports.py` (or `make bench`).
Builds the data in a throwaway SQLite file, or, when DATABASE_URL is set, in a
throwaway database `<name>_bench_exports` on that server, then times each download
end to end (permission check, record, every byte of the body), its CPU time in
this process (the database server's is not counted), its peak Python memory
(tracemalloc, a second run) and its query count. Prints one JSON line per export
(a PDF's with its pages and pages per second), then a summary line with the load
average: other work on the machine stretches the seconds, far less the CPU seconds.
`--only badges.pdf,sign-in-sheets.pdf` times just those; `--world-names` gives
every tenth delegate a Welsh, Polish, Arabic or Chinese name (the PDFs then draw
those through their fallback fonts); `--profile rosters.xlsx` prints where one
export's time goes (cProfile) instead of timing.
"""

import argparse
import cProfile
import io
import json
import os
import pstats
import random
import sys
import tempfile
import time
import tracemalloc
from datetime import UTC, date, datetime, timedelta
from itertools import product
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DELEGATES = 10_000
SEED = 1
EXPORTS = [
    ("attendees", "csv"),
    ("attendees", "xlsx"),
    ("rosters", "csv"),
    ("rosters", "xlsx"),
    ("catering", "csv"),
    ("catering", "xlsx"),
    ("access", "csv"),
    ("access", "xlsx"),
    ("sign-in-sheets", "pdf"),
    ("badges", "pdf"),
]
# The target for CSV and XLSX at 10,000 delegates (issue 16); PDFs report pages per second.
TABULAR_TARGET_SECONDS = 2.0
# The SOCEX 2019 shape: eight workshops, each run twice, in four rounds of four rooms.
PLAN = [(0, 1, 2, 3), (4, 5, 6, 7), (2, 3, 4, 5), (0, 1, 6, 7)]
DIETS = ["Vegetarian", "Vegan", "Halal", "Gluten free", "No nuts", "=Kosher"]
NEEDS = ["Step-free access", "Hearing loop", "Large print", "-Seat near the door"]
WORLD_NAMES = [
    ("Gwenllïan", "Ŵyn"),
    ("Łukasz", "Żółć-Wąsowicz"),
    ("محمد", "عبد الله"),
    ("小明", "王"),
    ("Anna", "Müller 李"),
]

sqlite_file = None
if not os.environ.get("DATABASE_URL"):
    sqlite_file = Path(tempfile.mkdtemp()) / "bench-exports.sqlite3"
    os.environ["DATABASE_URL"] = f"sqlite:///{sqlite_file}"
os.environ.setdefault("SECRET_KEY", "bench-only-not-a-secret")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "socex.settings")
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402
from pypdf import PdfReader  # noqa: E402

from registration.models import (  # noqa: E402
    Agency,
    Delegate,
    Event,
)
from workshops.exports.downloads import EXPORTS as CATALOGUE  # noqa: E402
from workshops.exports.downloads import download  # noqa: E402
from workshops.models import (  # noqa: E402
    Booking,
    ExportRecord,
    Room,
    Session,
    TimeSlot,
    Workshop,
)


def valid_choices():
    """Every way to pick one session per round without repeating a workshop (room indexes)."""
    return [
        rooms
        for rooms in product(range(4), repeat=4)
        if len({PLAN[r][room] for r, room in enumerate(rooms)}) == 4
    ]


def _name(n, rng, *, world_names):
    if world_names and n % 10 == 0:
        return rng.choice(WORLD_NAMES)
    return f"First{n:05}", f"Surname{rng.randrange(100_000):05}"


def generate(*, delegates, seed, world_names=False):
    """Bulk-create an event, its programme and `delegates` delegates holding four seats each.

    Seats are bulk-inserted here, not booked through the service, to build
    10,000 registrations in seconds; session capacities are raised to fit.
    """
    rng = random.Random(seed)
    event = Event.objects.create(
        name="Strategic SOCEX 2019 (synthetic)",
        starts_on=date(2019, 5, 22),
        ends_on=date(2019, 5, 23),
        venue_name="Chesford Grange",
        venue_address="Kenilworth, Warwick CV8 2LD",
        contact_email="events@socex.example",
    )
    agencies = Agency.objects.bulk_create(
        Agency(name=f"Agency {n:03}", kind=rng.choice(Agency.Kind.values)) for n in range(60)
    )
    rooms = Room.objects.bulk_create(
        Room(name=f"Room {chr(65 + n)}", capacity=delegates) for n in range(4)
    )
    start = datetime(2019, 5, 23, 10, 0, tzinfo=UTC)
    slots = TimeSlot.objects.bulk_create(
        TimeSlot(
            event=event,
            name=f"Round {n + 1}",
            starts_at=start + timedelta(hours=n),
            ends_at=start + timedelta(hours=n, minutes=50),
        )
        for n in range(4)
    )
    workshops = Workshop.objects.bulk_create(
        Workshop(event=event, title=f"Workshop {n + 1}", summary="Synthetic.") for n in range(8)
    )
    sessions = {}
    for r, row in enumerate(PLAN):
        for position, w in enumerate(row):
            sessions[(r, position)] = Session(
                # Room-sized while seats are written (the database refuses a full session),
                # then cut to the seats taken below.
                workshop=workshops[w],
                time_slot=slots[r],
                room=rooms[position],
                capacity=delegates,
            )
    Session.objects.bulk_create(sessions.values())
    now = timezone.now()
    people = Delegate.objects.bulk_create(
        (
            Delegate(
                event=event,
                first_name=first,
                last_name=last,
                email=f"delegate{n:05}@force.example",
                agency=rng.choice(agencies),
                job_title="Detective Inspector",
                attends_day_one=rng.random() < 0.8,
                attends_day_two=True,
                dietary_requirements=rng.choice(DIETS) if rng.random() < 0.2 else "",
                accessibility_needs=rng.choice(NEEDS) if rng.random() < 0.05 else "",
                badge_name=first,
                privacy_accepted_at=now,
                email_confirmed_at=now,
            )
            # The name is drawn first, as it always was, so the data stay the same.
            for n in range(delegates)
            for first, last in [_name(n, rng, world_names=world_names)]
        ),
        batch_size=2000,
    )
    choices = valid_choices()
    seats = []
    for person in people:
        for r, position in enumerate(rng.choice(choices)):
            session = sessions[(r, position)]
            seats.append(
                Booking(
                    delegate=person,
                    session=session,
                    time_slot_id=session.time_slot_id,
                    workshop_id=session.workshop_id,
                )
            )
    Booking.objects.bulk_create(seats, batch_size=5000)
    for session in sessions.values():
        session.capacity = max(session.bookings.count(), 1)
    Session.objects.bulk_update(sessions.values(), ["capacity"])
    return event


def run_export(*, slug, file_format, user, event):
    """Download one export as the exports page does; return its body (bytes)."""
    export = CATALOGUE[slug]
    scope = (
        {"sessions": Session.objects.for_event(event)}
        if export.per_session
        else {"delegates": Delegate.objects.filter(event=event)}
    )
    response = download(export=export, file_format=file_format, user=user, **scope)
    content = b"".join(response.streaming_content)
    response.close()
    return content


def measure(*, slug, file_format, user, event):
    """One export's figures: a dict ready for its JSON line."""
    with CaptureQueriesContext(connection) as queries:
        started, cpu_started = time.perf_counter(), time.process_time()
        content = run_export(slug=slug, file_format=file_format, user=user, event=event)
        seconds = time.perf_counter() - started
        cpu_seconds = time.process_time() - cpu_started
    rows = ExportRecord.objects.latest("pk").row_count
    tracemalloc.start()
    run_export(slug=slug, file_format=file_format, user=user, event=event)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    figures = {
        "seconds": round(seconds, 3),
        # This process's CPU (not the database server's): steadier than wall time on a busy machine.
        "cpu_s": round(cpu_seconds, 3),
        "peak_mb": round(peak / 2**20, 2),
        "queries": len(queries),
        "rows": rows,
        "mb_out": round(len(content) / 2**20, 2),
    }
    if file_format == "pdf":
        pages = len(PdfReader(io.BytesIO(content)).pages)
        figures |= {
            "pages": pages,
            "pages_per_s": round(pages / seconds, 1),
            "pages_per_cpu_s": round(pages / cpu_seconds, 1),
        }
    return figures


def profile(*, slug, file_format, user, event):
    """Print where one export's time goes: cProfile, the 30 costliest functions by own time."""
    run_export(slug=slug, file_format=file_format, user=user, event=event)  # warm caches, fonts
    profiler = cProfile.Profile()
    profiler.runcall(run_export, slug=slug, file_format=file_format, user=user, event=event)
    pstats.Stats(profiler).sort_stats("tottime").print_stats(30)


def summary(results, *, world_names, load_average):
    """The last JSON line: every export's figures, the slowest tables, PDF pages per second."""
    tabular = {name: r for name, r in results.items() if not name.endswith(".pdf")}
    slowest = max(tabular, key=lambda name: tabular[name]["seconds"], default=None)
    return {
        "bench": "exports",
        "summary": True,
        "delegates": DELEGATES,
        "database": connection.vendor,
        "world_names": world_names,
        # Others' work on the machine stretches "seconds"; "cpu_s" is this process's alone.
        "load_average_at_start": [round(x, 2) for x in load_average],
        "load_average_at_end": [round(x, 2) for x in os.getloadavg()],
        "slowest_tabular": slowest,
        "max_tabular_seconds": slowest and tabular[slowest]["seconds"],
        "max_tabular_cpu_s": max((r["cpu_s"] for r in tabular.values()), default=None),
        "tabular_over_target": sorted(
            name for name, r in tabular.items() if r["seconds"] >= TABULAR_TARGET_SECONDS
        ),
        "pdf_pages_per_s": {
            name: r["pages_per_s"] for name, r in results.items() if name.endswith(".pdf")
        },
        "exports": results,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="", help="comma-separated exports, e.g. badges.pdf")
    parser.add_argument("--world-names", action="store_true", help="one in ten names non-Latin")
    parser.add_argument("--profile", default="", help="profile this export, e.g. rosters.xlsx")
    arguments = parser.parse_args()
    only = {name for name in arguments.only.split(",") if name}
    postgres = sqlite_file is None
    if postgres:
        # Not the test suite's `test_<name>`: a suite may be running on the same server.
        test_settings = connection.settings_dict["TEST"]
        test_settings["NAME"] = connection.settings_dict["NAME"] + "_bench_exports"
        connection.creation.create_test_db(verbosity=0, autoclobber=True)
    else:
        call_command("migrate", verbosity=0)
    load_average = os.getloadavg()
    results = {}
    try:
        started = time.perf_counter()
        event = generate(delegates=DELEGATES, seed=SEED, world_names=arguments.world_names)
        print(
            f"generated {DELEGATES} delegates and {Booking.objects.count()} seats "
            f"on {connection.vendor} in {time.perf_counter() - started:.1f} s"
        )
        user = get_user_model().objects.create_superuser("bench", "", "bench")
        for slug, file_format in EXPORTS:
            name = f"{slug}.{file_format}"
            if arguments.profile:
                if name == arguments.profile:
                    profile(slug=slug, file_format=file_format, user=user, event=event)
                continue
            if only and name not in only:
                continue
            results[name] = measure(slug=slug, file_format=file_format, user=user, event=event)
            line = {"bench": "exports", "export": name, "delegates": DELEGATES}
            print(json.dumps(line | results[name]), flush=True)
    finally:
        if postgres:
            connection.creation.destroy_test_db(connection.settings_dict["NAME"], verbosity=0)
        else:
            connection.close()
            for path in sqlite_file.parent.glob(sqlite_file.name + "*"):
                path.unlink()
            sqlite_file.parent.rmdir()
    if not arguments.profile:
        print(
            json.dumps(
                summary(results, world_names=arguments.world_names, load_average=load_average)
            )
        )


if __name__ == "__main__":
    main()
