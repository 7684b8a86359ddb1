"""Check-in rush: three doors scan 400 delegates at once, through gunicorn, on PostgreSQL.

Run from the repository root: `DATABASE_URL=postgres://user@host:5432/name python
bench/bench_checkin.py [--delegates 400] [--doors 3] [--workers 3]`.

Without a postgres `DATABASE_URL` it says so and prints a JSON line marked
skipped. With one, it works in a scratch database beside it
(`<name>_bench_checkin`, dropped at the end).

Today is made day two of an event with one workshop round starting now, one
session per door, each room seating a third of the delegates and a few more.
Each door is a phone signed in with its own check-in link, and sends one scan
per request, as the page does online. Two phases, all doors at once:

1. the entrance: every delegate once, at one of the doors, plus 5% scanned
   again at another door ("already checked in") and 2% unknown badges;
2. the session doors: each door scans the delegates booked there, a few booked
   at another door ("booked in another room") and walk-ins without a seat,
   who take the free places through the seat writer.

Every answer is compared with what it should be (wrong answers), the database
is checked afterwards (one admission per delegate and door, no session over
capacity), and the queries of each kind of scan are counted in-process with
Django's CaptureQueriesContext for delegates holding different numbers of
seats (queries per scan must not depend on them). Prints scans per second,
p50/p95/max per scan, CPU time of gunicorn and of this client, and one JSON
line `{"bench": "checkin", ...}`.
"""

import argparse
import http.cookiejar
import json
import math
import os
import random
import re
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_rush import (  # noqa: E402
    drop_database,
    maintenance_url,
    percentile,
    setup_django,
)
from bench.rush_http import start_gunicorn, stop_gunicorn  # noqa: E402

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--delegates", type=int, default=400)
    parser.add_argument("--doors", type=int, default=3)
    parser.add_argument("--workers", type=int, default=3, help="gunicorn worker processes")
    parser.add_argument("--seed", type=int, default=1)
    return parser.parse_args()


def skip(reason):
    print(reason)
    print(json.dumps({"bench": "checkin", "skipped": reason}))
    sys.exit(0)


def build(delegates, doors):
    """Today as day two: one round now, a session per door; delegates booked round robin."""
    import datetime

    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from registration.models import Agency, Delegate, Event
    from workshops.models import CheckinDevice, Room, Session, TimeSlot, Workshop
    from workshops.services.booking import bulk_seat_synthetic
    from workshops.services.checkin_devices import issue_checkin_link

    call_command("migrate", verbosity=0)
    today = timezone.localdate()
    event = Event.objects.create(
        name="Check-in bench",
        starts_on=today - datetime.timedelta(days=1),
        ends_on=today,
        venue_name="Chesford Grange",
        venue_address="Kenilworth",
        contact_email="events@socex.example",
        choices_required=1,
    )
    start = timezone.now() - datetime.timedelta(minutes=5)
    slot = TimeSlot.objects.create(
        event=event, name="Round 1", starts_at=start, ends_at=start + datetime.timedelta(hours=1)
    )
    seats = math.ceil(delegates / doors) + 10
    sessions = [
        Session.objects.create(
            workshop=Workshop.objects.create(event=event, title=f"Workshop {n}", summary="-"),
            time_slot=slot,
            room=Room.objects.create(name=f"Room {n}", capacity=seats),
        )
        for n in range(doors)
    ]
    agency = Agency.objects.create(name="Warwickshire Police")
    now = timezone.now()
    people = Delegate.objects.bulk_create(
        Delegate(
            event=event,
            first_name="Delegate",
            last_name=f"{n:04d}",
            email=f"delegate{n}@force.police.uk",
            agency=agency,
            job_title="Analyst",
            badge_name=f"Delegate {n}",
            privacy_accepted_at=now,
            email_confirmed_at=now,
        )
        for n in range(delegates + 2)
    )
    walk_ins = max(doors, delegates // 20)
    booked = people[: delegates - walk_ins]
    bulk_seat_synthetic(seats=[(d, sessions[i % doors]) for i, d in enumerate(booked)])
    links = []
    for n, session in enumerate(sessions):
        device = CheckinDevice(event=event, label=f"Door {n + 1}", day=today, entrance=True)
        links.append(issue_checkin_link(device=device))
        device.rooms.set([session.room])
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # autovacuum is off on this machine
    return {
        "event": event,
        "today": today,
        "sessions": sessions,
        "people": people[:delegates],
        "spare": people[delegates:],
        "booked": booked,
        "walk_ins": people[delegates - walk_ins : delegates],
        "links": links,
    }


class Phone:
    """One door's phone: a cookie jar signed in with its check-in link."""

    def __init__(self, base_url, link):
        self.base_url = base_url
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        path = link.split("://", 1)[1].split("/", 1)[1]
        page = self.opener.open(f"{base_url}/{path}", timeout=30).read().decode()
        token = CSRF.search(page).group(1)
        body = urllib.parse.urlencode({"csrfmiddlewaretoken": token}).encode()
        self.opener.open(urllib.request.Request(f"{base_url}/{path}", data=body), timeout=30)
        self.csrf = next(c.value for c in self.jar if c.name == "csrftoken")

    def scan(self, door, reference):
        body = json.dumps(
            {"scans": [{"id": str(uuid.uuid4()), "door": door, "reference": reference}]}
        ).encode()
        request = urllib.request.Request(
            f"{self.base_url}/checkin/scans/",
            data=body,
            headers={"Content-Type": "application/json", "X-CSRFToken": self.csrf},
        )
        started = time.perf_counter()
        try:
            with self.opener.open(request, timeout=60) as response:
                answer = json.loads(response.read())["results"][0]
        except (urllib.error.URLError, OSError, ValueError, KeyError) as error:
            return None, time.perf_counter() - started, str(error)
        return answer, time.perf_counter() - started, None


def run_phase(phones, work):
    """`work[i]` is door i's list of (door key, reference, what the answer should be)."""
    results = []
    lock = threading.Lock()

    def door_job(index):
        mine = []
        for door, reference, expected in work[index]:
            answer, elapsed, error = phones[index].scan(door, reference)
            mine.append((answer, elapsed, error, expected, reference))
        with lock:
            results.extend(mine)

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=len(phones)) as pool:
        list(pool.map(door_job, range(len(phones))))
    return results, time.perf_counter() - started


def entrance_work(data, rng):
    """Every delegate once at one door; 5% again at another door; 2% unknown badges."""
    doors = len(data["links"])
    entrance = f"entrance:{data['today']:%Y-%m-%d}"
    work = [[] for _ in range(doors)]
    for i, person in enumerate(data["people"]):
        work[i % doors].append((entrance, person.checkin_reference, {"admitted", "already"}))
    for person in rng.sample(data["people"], len(data["people"]) // 20):
        door = rng.randrange(doors)
        work[door].append((entrance, person.checkin_reference, {"admitted", "already"}))
    for n in range(len(data["people"]) // 50):
        work[n % doors].append((entrance, f"not-a-badge-{n}", {"unknown"}))
    for share in work:
        rng.shuffle(share)
    return work


def session_work(data, rng):
    """Each door: its booked delegates, a few booked at the next door, its share of walk-ins."""
    sessions = data["sessions"]
    doors = len(sessions)
    work = [[] for _ in range(doors)]
    for i, person in enumerate(data["booked"]):
        work[i % doors].append(
            (f"session:{sessions[i % doors].pk}", person.checkin_reference, {"admitted"})
        )
    for i, person in enumerate(data["booked"][: doors * 3]):
        elsewhere = (i + 1) % doors
        work[elsewhere].append(
            (f"session:{sessions[elsewhere].pk}", person.checkin_reference, {"elsewhere"})
        )
    for i, person in enumerate(data["walk_ins"]):
        work[i % doors].append(
            (f"session:{sessions[i % doors].pk}", person.checkin_reference, {"walk_in"})
        )
    for share in work:
        rng.shuffle(share)
    return work


def gunicorn_cpu_seconds(pid):
    """User + system CPU of gunicorn's master and workers so far, from /proc."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(entry.name) == pid or int(fields[1]) == pid:
            total += int(fields[11]) + int(fields[12])
    return total / tick


def count_wrong(results):
    wrong, errors = 0, 0
    admitted = {}
    for answer, _elapsed, error, expected, reference in results:
        if error or answer is None or "error" in answer:
            errors += 1
            continue
        if answer["outcome"] not in expected:
            wrong += 1
        if answer["outcome"] == "admitted" and "already" in expected:
            admitted[reference] = admitted.get(reference, 0) + 1
    # At the entrance each delegate is let in exactly once, whichever door was first.
    wrong += sum(1 for n in admitted.values() if n != 1)
    return wrong, errors


def verify(data):
    from workshops.models import Booking, CheckIn

    over = sum(
        1
        for session in data["sessions"]
        if Booking.objects.filter(session=session).count() > session.capacity
    )
    entrance = CheckIn.objects.filter(door="entrance", admitted=True).count()
    return over, entrance


def queries_per_scan(data):
    """Queries of each kind of scan, for a delegate with no seat and one with a seat."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from workshops.models import CheckinDevice

    client = Client()
    device = CheckinDevice.objects.first()
    session = client.session
    session["socex_checkin_device"] = device.pk
    session.save()
    client.cookies["sessionid"] = session.session_key
    entrance = f"entrance:{data['today']:%Y-%m-%d}"
    spare, holder = data["spare"][0], data["booked"][0]
    door = f"session:{data['sessions'][0].pk}"

    def count(door, reference):
        body = json.dumps(
            {"scans": [{"id": str(uuid.uuid4()), "door": door, "reference": reference}]}
        )
        with CaptureQueriesContext(connection) as queries:
            response = client.post(
                "/checkin/scans/", body, content_type="application/json", secure=True
            )
        assert response.status_code == 200, response.content
        return response.json()["results"][0]["outcome"], len(queries)

    kinds = {}
    for label, door_key, person in [
        ("entrance, no seat", entrance, spare),
        ("entrance, a seat", entrance, data["spare"][1]),
        ("entrance again", entrance, spare),
        ("session, walk-in", door, data["spare"][1]),
        ("session, booked there", door, holder),
    ]:
        outcome, n = count(door_key, person.checkin_reference)
        kinds[f"{label} ({outcome})"] = n
    return kinds


def summarise(name, results, wall):
    times = [elapsed for _a, elapsed, _e, _x, _r in results]
    return {
        "scans": len(results),
        "wall_s": round(wall, 2),
        "scans_per_s": round(len(results) / wall, 1) if wall else None,
        "p50_ms": percentile(times, 50),
        "p95_ms": percentile(times, 95),
        "max_ms": percentile(times, 100),
    }


def main():
    args = parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        skip("bench_checkin needs PostgreSQL: set DATABASE_URL=postgres://…")
    database_url, name = scratch_database(url)
    setup_django(database_url)
    process = None
    try:
        data = build(args.delegates, args.doors)
        rng = random.Random(args.seed)
        process, base_url = start_gunicorn(database_url=database_url, workers=args.workers)
        phones = [Phone(base_url, link) for link in data["links"]]
        cpu_before, client_before = gunicorn_cpu_seconds(process.pid), time.process_time()
        phases = {}
        all_results = []
        for phase, work in [
            ("entrance", entrance_work(data, rng)),
            ("sessions", session_work(data, rng)),
        ]:
            results, wall = run_phase(phones, work)
            phases[phase] = summarise(phase, results, wall)
            all_results += results
        server_cpu = gunicorn_cpu_seconds(process.pid) - cpu_before
        client_cpu = time.process_time() - client_before
        stop_gunicorn(process)
        process = None
        wrong, errors = count_wrong(all_results)
        over, entrance = verify(data)
        wrong += over + (entrance != args.delegates)
        kinds = queries_per_scan(data)
        wall = sum(p["wall_s"] for p in phases.values())
        times = [elapsed for _a, elapsed, _e, _x, _r in all_results]
        report = {
            "bench": "checkin",
            "delegates": args.delegates,
            "doors": args.doors,
            "workers": args.workers,
            "scans": len(all_results),
            "scans_per_s": round(len(all_results) / wall, 1),
            "p50_ms": percentile(times, 50),
            "p95_ms": percentile(times, 95),
            "max_ms": percentile(times, 100),
            "wall_s": round(wall, 2),
            "server_cpu_s": round(server_cpu, 2),
            "server_cpu_ms_per_scan": round(1000 * server_cpu / len(all_results), 2),
            "client_cpu_s": round(client_cpu, 2),
            "queries_per_scan": kinds,
            "errors": errors,
            "wrong_answers": wrong,
            "sessions_over_capacity": over,
            "phases": phases,
            "cores": os.cpu_count(),
        }
        for phase, figures in phases.items():
            print(
                f"{phase}: {figures['scans']} scans in {figures['wall_s']} s, "
                f"{figures['scans_per_s']}/s, p95 {figures['p95_ms']} ms"
            )
        print(f"queries per scan: {kinds}")
        print(
            f"gunicorn CPU {server_cpu:.2f} s, client CPU {client_cpu:.2f} s, "
            f"{os.cpu_count()} cores"
        )
        print(json.dumps(report))
    finally:
        if process is not None:
            stop_gunicorn(process)
        from django.db import connections

        connections.close_all()
        drop_database(url, name)


def scratch_database(url):
    """Create `<name>_bench_checkin` next to the database in `url`; return its URL and name."""
    import psycopg

    parts = urllib.parse.urlsplit(url)
    name = parts.path.lstrip("/") + "_bench_checkin"
    with psycopg.connect(maintenance_url(url), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return urllib.parse.urlunsplit(parts._replace(path="/" + name)), name


if __name__ == "__main__":
    main()
