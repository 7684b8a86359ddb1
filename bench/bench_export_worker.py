"""Benchmark large downloads built by a worker: badges (and sign-in sheets) for 10,000 delegates.

Run from the repository root with `DATABASE_URL=postgres://… python
bench/bench_export_worker.py`. Makes a throwaway test database on that server with
bench_exports.py's 10,000 delegates and their seats, starts a worker for the
"long" queue, then, signed in as an organiser, asks the exports page for the file,
follows the file's page (as its meta refresh does) until it is ready, and downloads
it. Prints readable lines, then one JSON line per file: the request's time, the
time to the first progress shown, to the file being ready, and the download.
"""

import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
    # Before bench_exports is imported: without DATABASE_URL it builds a SQLite file.
    skipped = "PostgreSQL is needed: set DATABASE_URL=postgres://user@host:5432/name"
    print(json.dumps({"bench": "export_worker", "skipped": skipped}))
    sys.exit(0)
os.environ.setdefault("SECRET_KEY", "bench-only-not-a-secret")
# The organiser's requests go through Django's test client, signed in without the
# second factor the admin asks for once DEBUG is off; the worker runs with DEBUG off.
os.environ["DEBUG"] = "true"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "socex.settings")
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from bench.bench_exports import DELEGATES, SEED, generate  # noqa: E402
from bench.worker_process import running_worker  # noqa: E402
from workshops.models import ExportFile, ExportRecord  # noqa: E402

FILES = ["badges.pdf", "sign-in-sheets.pdf"]
POLL_SECONDS = 0.25


def main():
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        started = time.perf_counter()
        generate(delegates=DELEGATES, seed=SEED)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        print(f"generated {DELEGATES} delegates in {time.perf_counter() - started:.1f} s")
        client = Client(HTTP_HOST="localhost")
        client.force_login(get_user_model().objects.create_superuser("bench", "", "bench"))
        results = {}
        with running_worker():
            for name in FILES:
                results[name] = ask_and_fetch(client=client, name=name)
                print(f"  {name:<20} {results[name]}")
    finally:
        connection.creation.destroy_test_db(connection.settings_dict["NAME"], verbosity=0)
    print(json.dumps({"bench": "export_worker", "delegates": DELEGATES, "files": results}))


def ask_and_fetch(*, client, name):
    clicked = time.perf_counter()
    response = client.get(f"/admin/exports/{name}")
    request_s = time.perf_counter() - clicked
    if response.status_code != 302:
        raise RuntimeError(f"{name} was not queued: {response.status_code}")
    page = response["Location"]
    first_progress_s = None
    while True:
        export_file = ExportFile.objects.defer("content").order_by("-pk").first()
        if first_progress_s is None and export_file.done:
            first_progress_s = time.perf_counter() - clicked
        if export_file.state not in (ExportFile.State.QUEUED, ExportFile.State.RUNNING):
            break
        client.get(page)
        time.sleep(POLL_SECONDS)
    ready_s = time.perf_counter() - clicked
    if export_file.state != ExportFile.State.READY:
        raise RuntimeError(f"{name} failed: {export_file.failure}")
    fetched = time.perf_counter()
    download = client.get(f"{page}download")
    fetch_s = time.perf_counter() - fetched
    assert download.status_code == 200 and download.content.startswith(b"%PDF")
    assert ExportRecord.objects.filter(export_name=export_file.export_name).exists()
    return {
        "request_s": round(request_s, 3),
        "first_progress_s": None if first_progress_s is None else round(first_progress_s, 2),
        "ready_s": round(ready_s, 2),
        "worker_s": round((export_file.finished_at - export_file.created_at).total_seconds(), 2),
        "fetch_s": round(fetch_s, 3),
        "rows": export_file.row_count,
        "mb": round(export_file.size / 2**20, 2),
    }


if __name__ == "__main__":
    main()
