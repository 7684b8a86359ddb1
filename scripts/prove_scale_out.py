"""Prove the deployment's shape on one machine: two app servers, two workers, one database.

Run from the repository root:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/socex_proof \\
    REDIS_URL=redis://127.0.0.1:6379/1 .venv/bin/python scripts/prove_scale_out.py

The PostgreSQL database named is dropped and created afresh, and the Redis
database named is flushed: give it ones of its own. It starts two gunicorn
instances (`--ports`, default 8110 and 8111), two task workers and an SMTP
sink (`--smtp-port`, default 8125), all sharing that database and Redis, then:

- registers `--delegates` delegates (default 40), alternating between the servers;
- asks for one delegate's booking link 10 times, alternating between the
  servers, against the "5 an hour per address" limit;
- waits a little over a minute, so the periodic jobs come due again.

It checks that the rate limit held across both servers (exactly 5 answered,
5 refused), that every job ran once and succeeded, that each periodic job ran
once per period, and that every email reached the sink exactly once. Prints
what it found, then one JSON line; exits 1 if a check failed.
"""

import argparse
import http.cookiejar
import json
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_registration_latency import register_once  # noqa: E402
from bench.mail_servers import SinkServer  # noqa: E402
from bench.rush_http import (  # noqa: E402
    prepare_database,
    server_environment,
    start_gunicorn,
    stop_gunicorn,
)

CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
LINK_TRIES = 10


def fresh_database(url):
    base, name = url.rsplit("/", 1)
    admin = f"{base}/postgres"
    subprocess.run(
        ["psql", admin, "-qc", f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"], check=True
    )
    subprocess.run(["psql", admin, "-qc", f"CREATE DATABASE {name}"], check=True)


def start_worker(env, name):
    return subprocess.Popen(
        [sys.executable, "manage.py", "run_worker", "--no-reload", "--worker-id", name],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )


def ask_for_link(base_url, email, jar):
    """Post "Find my booking" as a browser; return the HTTP status."""
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    with opener.open(base_url + "/booking/link/") as response:
        token = CSRF_INPUT.search(response.read().decode()).group(1)
    data = urllib.parse.urlencode({"csrfmiddlewaretoken": token, "email": email}).encode()
    request = urllib.request.Request(
        base_url + "/booking/link/", data=data, headers={"Referer": base_url + "/booking/link/"}
    )
    try:
        with opener.open(request) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ports", default="8110,8111")
    parser.add_argument("--smtp-port", type=int, default=8125)
    parser.add_argument("--delegates", type=int, default=40)
    parser.add_argument("--settle-seconds", type=float, default=65.0)
    args = parser.parse_args()
    url, redis_url = os.environ.get("DATABASE_URL", ""), os.environ.get("REDIS_URL", "")
    if not url.startswith("postgres") or not redis_url:
        sys.exit("Needs a PostgreSQL DATABASE_URL and a REDIS_URL (see the docstring).")

    import redis

    redis.Redis.from_url(redis_url).flushdb()
    fresh_database(url)
    sink = SinkServer(args.smtp_port).start()
    env = {
        **server_environment(url),
        "REDIS_URL": redis_url,
        "RATE_LIMITS": "on",
        "RATE_LIMIT_LINK_EMAIL": "5/h",
        "EMAIL_URL": f"smtp://127.0.0.1:{args.smtp_port}",
        "LOG_LEVEL": "WARNING",
    }
    prepare_database(env)
    os.environ.update({key: env[key] for key in ("DATABASE_URL", "SECRET_KEY", "DEBUG")})
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "socex.settings")
    import django

    django.setup()
    from django_tasks_db.models import DBTaskResult

    from outbox.models import OutgoingEmail
    from worker.schedule import periodic_jobs

    servers, workers = [], []
    started = time.monotonic()
    try:
        for port in args.ports.split(","):
            servers.append(
                start_gunicorn(database_url=url, workers=2, port=int(port), environment=env)
            )
        workers = [start_worker(env, name) for name in ("worker-a", "worker-b")]
        bases = [base for _process, base in servers]

        for number in range(args.delegates):
            base = bases[number % len(bases)]
            register_once(base, int(base.rsplit(":", 1)[1]), number, "proof")
        registered = "proof0000@force.police.uk"
        jar = http.cookiejar.CookieJar()
        link_answers = Counter(
            ask_for_link(bases[n % len(bases)], registered, jar) for n in range(LINK_TRIES)
        )

        expected_emails = args.delegates + link_answers[200]
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and len(sink.messages) < expected_emails:
            time.sleep(0.2)
        time.sleep(max(0.0, args.settle_seconds - (time.monotonic() - started)))
        elapsed = time.monotonic() - started
    finally:
        for process in workers:
            stop_gunicorn(process)
        for process, _base in servers:
            stop_gunicorn(process)
        sink.shutdown()

    jobs = list(DBTaskResult.objects.values("task_path", "status", "worker_ids"))
    by_task = Counter(job["task_path"] for job in jobs)
    ran_by = Counter(job["worker_ids"][-1] for job in jobs if job["worker_ids"])
    periodic = {}
    for name, job in periodic_jobs().items():
        if job.interval is not None:
            allowed = int(elapsed // job.interval.total_seconds()) + 1
            periodic[name] = {"ran": by_task[name], "periods": allowed}
    sent = OutgoingEmail.objects.filter(status="sent").count()
    mail_to = Counter(to[0] for to, _body in sink.messages)
    checks = {
        "rate limit shared (5 answered, 5 refused)": link_answers == Counter({200: 5, 429: 5}),
        "every job ran once and succeeded": all(
            job["status"] == "SUCCESSFUL" and len(job["worker_ids"]) == 1 for job in jobs
        ),
        "each periodic job at most once per period": all(
            1 <= p["ran"] <= p["periods"] for p in periodic.values()
        ),
        "every email reached the sink once": len(sink.messages) == sent == expected_emails,
        # Each delegate's confirmation code; the first also gets the 5 links let through.
        "each delegate's emails exactly once": all(
            mail_to[f"proof{n:04d}@force.police.uk"] == (1 if n else 1 + link_answers[200])
            for n in range(args.delegates)
        ),
    }
    result = {
        "proof": "scale_out",
        "app_servers": bases,
        "workers": 2,
        "delegates": args.delegates,
        "link_answers": {str(k): v for k, v in sorted(link_answers.items())},
        "jobs": len(jobs),
        "jobs_by_task": dict(by_task),
        "jobs_by_worker": dict(ran_by),
        "periodic": periodic,
        "emails_sent": sent,
        "emails_at_sink": len(sink.messages),
        "elapsed_s": round(elapsed, 1),
        "checks": checks,
    }
    for check, ok in checks.items():
        print(f"{'ok  ' if ok else 'FAIL'} {check}")
    print(json.dumps(result))
    sys.exit(0 if all(checks.values()) else 1)


if __name__ == "__main__":
    main()
