"""Registration latency through gunicorn with the mail server up, down and silent.

Run from the repository root with `python bench/bench_registration_latency.py`
(`--registrations N` per case, default 30). gunicorn (2 processes, DEBUG off)
and one task worker serve a throwaway SQLite database (or, with a PostgreSQL
`DATABASE_URL`, a scratch database beside it). For each case the mail server
is an SMTP sink that takes everything ("up"), a port where nothing listens
("down"), or a listener that accepts connections and never answers
("silent"; `EMAIL_TIMEOUT` is 10 s). Each registration is a browser's: get the
form, post it on a fresh connection; the figures are the post's time to the
first byte and to the server closing the connection, and, with the server up,
how long until the confirmation email reached the sink. CPU is the servers'
(gunicorn and the worker, from /proc) and this client's. Ends with one JSON line.
"""

import argparse
import json
import os
import re
import statistics
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_link_request_timing import database_url, prepare  # noqa: E402
from bench.mail_servers import SilentServer, SinkServer, refused_port  # noqa: E402
from bench.rush_http import start_gunicorn, start_worker, stop_gunicorn, timed_post  # noqa: E402

CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
POLICE = re.compile(r'<option value="(\d+)"[^>]*>[^<]*Police[^<]*</option>')
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def session_cpu_seconds(session_ids):
    """CPU seconds (user + system) of every live process in these sessions."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[3]) in session_ids:  # field 6 of stat: the session id
            total += int(fields[11]) + int(fields[12])
    return total / CLOCK_TICKS


def register_once(base_url, port, number, case):
    """Get the form and post it on a fresh connection; return (ms first byte, ms close)."""
    with urllib.request.urlopen(base_url + "/register/") as response:
        cookie = response.headers["Set-Cookie"].split(";", 1)[0]
        page = response.read().decode()
    fields = {
        "csrfmiddlewaretoken": CSRF_INPUT.search(page).group(1),
        "first_name": "Bench",
        "last_name": f"Delegate {number}",
        "email": f"{case}{number:04d}@force.police.uk",
        "agency": POLICE.search(page).group(1),
        "job_title": "Analyst",
        "attends_day_one": "on",
        "attends_day_two": "on",
        "privacy_accepted": "on",
    }
    status, first_byte_ms, close_ms = timed_post(port, "/register/", cookie, fields)
    assert status == 303, status
    return first_byte_ms, close_ms, time.time()


def run_case(url, case, registrations, *, with_worker=True):
    sink = silent = None
    if case == "up":
        sink = SinkServer().start()
        port = sink.port
    elif case == "silent":
        silent = SilentServer().start()
        port = silent.port
    else:
        port = refused_port()
    mail = {"EMAIL_URL": f"smtp://127.0.0.1:{port}", "EMAIL_TIMEOUT": "10"}
    worker = start_worker(database_url=url, environment=mail) if with_worker else None
    gunicorn, base_url = start_gunicorn(database_url=url, workers=2, environment=mail)
    sessions = {gunicorn.pid} | ({worker.pid} if worker else set())
    try:
        server_port = int(base_url.rsplit(":", 1)[1])
        # A warm-up registration, not counted: the worker has started when its email arrives.
        register_once(base_url, server_port, 9999, case)
        deadline = time.monotonic() + (60 if sink is not None and worker else 3)
        while time.monotonic() < deadline and not (sink is not None and sink.messages):
            time.sleep(0.05)
        if sink is not None:
            sink.messages.clear()
            sink.messages_at.clear()
        cpu_before = session_cpu_seconds(sessions)
        client_before = time.process_time()
        first, close, posted_at = [], [], {}
        started = time.perf_counter()
        for number in range(registrations):
            first_ms, close_ms, at = register_once(base_url, server_port, number, case)
            first.append(first_ms)
            close.append(close_ms)
            posted_at[f"{case}{number:04d}@force.police.uk"] = at
        wall_s = time.perf_counter() - started
        delivered_ms = []
        if sink is not None:
            deadline = time.monotonic() + 60
            while len(sink.messages) < registrations and time.monotonic() < deadline:
                time.sleep(0.05)
        cpu_s = session_cpu_seconds(sessions) - cpu_before
    finally:
        if worker is not None:
            stop_gunicorn(worker)
        stop_gunicorn(gunicorn)
        if silent is not None:
            silent.stop()
    if sink is not None:
        for recipients, _body, at in sink.messages_at:
            delivered_ms.append((at - posted_at[recipients[0]]) * 1000)
        sink.shutdown()
    return {
        "registrations": registrations,
        "first_byte_ms_median": round(statistics.median(first), 1),
        "close_ms_median": round(statistics.median(close), 1),
        "close_ms_max": round(max(close), 1),
        "wall_s": round(wall_s, 2),
        "server_cpu_s": round(cpu_s, 2),
        "client_cpu_s": round(time.process_time() - client_before, 2),
        "emails_at_sink": len(delivered_ms) if sink is not None else None,
        "email_delivered_ms_median": round(statistics.median(delivered_ms), 1)
        if delivered_ms
        else None,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--registrations", type=int, default=30)
    parser.add_argument(
        "--no-worker",
        action="store_true",
        help="start no task worker (to measure a version of the site that has none)",
    )
    parser.add_argument("--cases", default="up,down,silent")
    args = parser.parse_args()
    directory = tempfile.mkdtemp(prefix="bench-registration-latency-")
    url, drop = database_url(directory)
    try:
        prepare(url)
        cases = {
            case: run_case(url, case, args.registrations, with_worker=not args.no_worker)
            for case in args.cases.split(",")
        }
    finally:
        drop()
    for case, figures in cases.items():
        print(f"mail server {case:6}: {figures}")
    print(json.dumps({"bench": "registration_latency", "database": url.split(":", 1)[0], **cases}))


if __name__ == "__main__":
    main()
