"""Does "Find my booking" answer a registered address faster or slower than an unknown one?

Run from the repository root with `python bench/bench_link_request_timing.py`
(`--rounds N`, default 200 of each). Measured at the socket, as a stranger
would: gunicorn (2 processes, DEBUG off) and a task worker serve a throwaway
SQLite database (or the PostgreSQL server of `DATABASE_URL`, in a scratch
database beside it); each try opens a connection, posts the form and times
the first byte of the answer and the moment the server closes the
connection. Registered and unknown addresses (the same length) alternate in
shuffled order. A stranger's best guess from one try is a threshold between
the two medians: the "classified" figures apply it, fitted on the first half
of the tries, to the second half (50% is a coin toss). Ends with one JSON line.
"""

import argparse
import json
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.rush_http import (  # noqa: E402
    prepare_database,
    server_environment,
    start_gunicorn,
    start_worker,
    stop_gunicorn,
    timed_post,
)

KNOWN = "known@force.police.uk"
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def database_url(directory):
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        scratch = url.rsplit("/", 1)[0] + "/" + url.rsplit("/", 1)[1] + "_bench_link_timing"
        name = scratch.rsplit("/", 1)[1]
        admin = url.rsplit("/", 1)[0] + "/postgres"
        subprocess.run(["psql", admin, "-qc", f"DROP DATABASE IF EXISTS {name}"], check=True)
        subprocess.run(["psql", admin, "-qc", f"CREATE DATABASE {name}"], check=True)
        return scratch, lambda: subprocess.run(
            ["psql", admin, "-qc", f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"], check=False
        )
    return f"sqlite:///{directory}/bench.sqlite3", lambda: None


def prepare(url):
    """Migrate, load the SOCEX 2019 data and register KNOWN, through manage.py."""
    env = server_environment(url)
    prepare_database(env)
    register = (
        "from registration.models import Agency, Delegate, Event;"
        "from django.utils import timezone;"
        "e = Event.objects.current();"
        f"Delegate.objects.create(event=e, agency=Agency.objects.first(), email='{KNOWN}',"
        "first_name='Known', last_name='Delegate', privacy_accepted_at=timezone.now(),"
        "email_confirmed_at=timezone.now())"
    )
    subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", register], cwd=ROOT, env=env, check=True
    )


def form_token(base_url):
    """A CSRF cookie and the form's token, as a browser would get them."""
    with urllib.request.urlopen(base_url + "/booking/link/") as response:
        cookie = response.headers["Set-Cookie"].split(";", 1)[0]
        token = CSRF_INPUT.search(response.read().decode()).group(1)
    return cookie, token


def one_try(port, cookie, token, email):
    """Post the form on a fresh connection; return (ms to first byte, ms to close, status)."""
    fields = {"csrfmiddlewaretoken": token, "email": email}
    status, first_byte_ms, close_ms = timed_post(port, "/booking/link/", cookie, fields)
    return first_byte_ms, close_ms, status


def classified(samples):
    """Share of the second half told apart by a threshold fitted on the first half."""
    half = {kind: len(values) // 2 for kind, values in samples.items()}
    train = {kind: values[: half[kind]] for kind, values in samples.items()}
    test = {kind: values[half[kind] :] for kind, values in samples.items()}
    known_median = statistics.median(train["registered"])
    unknown_median = statistics.median(train["unknown"])
    threshold = (known_median + unknown_median) / 2
    slower = "registered" if known_median > unknown_median else "unknown"
    right = sum(
        (value > threshold) == (kind == slower) for kind, values in test.items() for value in values
    )
    return right, sum(len(values) for values in test.values())


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument(
        "--no-worker",
        action="store_true",
        help="start no task worker (to measure a version of the site that has none)",
    )
    args = parser.parse_args()
    directory = tempfile.mkdtemp(prefix="bench-link-timing-")
    url, drop = database_url(directory)
    gunicorn = worker = None
    try:
        prepare(url)
        gunicorn, base_url = start_gunicorn(database_url=url, workers=2)
        worker = None if args.no_worker else start_worker(database_url=url)
        port = int(base_url.rsplit(":", 1)[1])
        cookie, token = form_token(base_url)
        kinds = ["registered", "unknown"] * args.rounds
        random.Random(1).shuffle(kinds)
        first_byte = {"registered": [], "unknown": []}
        close = {"registered": [], "unknown": []}
        for i, kind in enumerate(kinds):
            email = KNOWN if kind == "registered" else f"n{i:04d}@force.police.uk"
            assert len(email) == len(KNOWN)
            first_ms, close_ms, status = one_try(port, cookie, token, email)
            assert status == 200, status
            first_byte[kind].append(first_ms)
            close[kind].append(close_ms)
            time.sleep(0.02)  # let the worker take the job, as between strangers' tries
    finally:
        for process in (worker, gunicorn):
            if process is not None:
                stop_gunicorn(process)
        drop()
    right, tries = classified(close)
    result = {
        "bench": "link_request_timing",
        "database": url.split(":", 1)[0],
        "rounds": args.rounds,
        "first_byte_ms_median_registered": round(statistics.median(first_byte["registered"]), 2),
        "first_byte_ms_median_unknown": round(statistics.median(first_byte["unknown"]), 2),
        "close_ms_median_registered": round(statistics.median(close["registered"]), 2),
        "close_ms_median_unknown": round(statistics.median(close["unknown"]), 2),
        "classified_right": right,
        "classified_tries": tries,
    }
    result["close_ms_median_difference"] = round(
        result["close_ms_median_registered"] - result["close_ms_median_unknown"], 2
    )
    print(
        f"connection closed after {result['close_ms_median_registered']} ms for a registered "
        f"address, {result['close_ms_median_unknown']} ms for an unknown one (medians of "
        f"{args.rounds}); a threshold told {right} of {tries} held-out tries apart"
    )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
