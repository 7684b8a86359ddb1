"""Benchmark a batch of email (a ballot's timetables, an announcement): queueing, then sending.

Run from the repository root with `python bench/bench_outbox.py`. Starts a small
SMTP server on 127.0.0.1 that answers each command after a round trip of `RTT_S`
and each new connection after `CONNECT_S` more (a remote server with TLS), uses a
throwaway SQLite database, and queues `MESSAGES` emails in one transaction two
ways, each then sent by a worker (`run_worker --batch`, in this process):

- one by one: a plain `queue_email` each, so a job and a connection each;
- together (`sending_together`): a job, and a connection, per 100 messages.

"queue_s" is what the organiser's request spends (no mail connection is
opened there); "worker_s" is how long the worker takes to send them all.
Prints one JSON line.
"""

import json
import os
import shutil
import socketserver
import sys
import tempfile
import threading
import time
from contextlib import nullcontext
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

MESSAGES = 300
RTT_S = 0.01
CONNECT_S = 0.05


class SlowSMTPHandler(socketserver.StreamRequestHandler):
    """Just enough SMTP for Django's backend: every reply after a round trip."""

    def reply(self, line):
        time.sleep(RTT_S)
        self.wfile.write(f"{line}\r\n".encode())

    def handle(self):
        self.server.connections += 1
        time.sleep(CONNECT_S)
        self.reply("220 bench ESMTP")
        while line := self.rfile.readline():
            command = line.decode(errors="replace").strip().upper()
            if command.startswith("EHLO"):
                self.reply("250 bench")
            elif command == "DATA":
                self.reply("354 go ahead")
                while self.rfile.readline() not in (b".\r\n", b""):
                    pass
                self.server.messages += 1
                self.reply("250 queued")
            elif command == "QUIT":
                self.reply("221 bye")
                return
            else:  # MAIL, RCPT, RSET, NOOP, HELO
                self.reply("250 ok")


class SlowSMTPServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    connections = 0
    messages = 0


SERVER = SlowSMTPServer(("127.0.0.1", 0), SlowSMTPHandler)
threading.Thread(target=SERVER.serve_forever, daemon=True).start()

DIRECTORY = tempfile.mkdtemp(prefix="bench-outbox-")
os.environ["DATABASE_URL"] = f"sqlite:///{DIRECTORY}/bench.sqlite3"
os.environ["DEBUG"] = "false"
os.environ.setdefault("SECRET_KEY", "benchmark-only")
os.environ["EMAIL_URL"] = f"smtp://127.0.0.1:{SERVER.server_address[1]}"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "socex.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import transaction  # noqa: E402
from django_tasks_db.models import DBTaskResult  # noqa: E402

from outbox.models import OutgoingEmail  # noqa: E402
from outbox.services import queue_email, sending_together  # noqa: E402
from registration.models import Event  # noqa: E402


def queue_batch(*, event, together):
    """Queue MESSAGES emails in one transaction; return seconds until the commit returns."""
    started = time.perf_counter()
    with transaction.atomic():
        batch = sending_together() if together else nullcontext()
        with batch:
            for n in range(MESSAGES):
                queue_email(
                    to=f"delegate{n}@force.police.uk",
                    subject="Strategic SOCEX: your workshops",
                    template="email/cancelled",
                    context={"delegate": {"first_name": "Sam"}, "event": event},
                )
    return time.perf_counter() - started


def measure(*, event, together):
    """Return the figures for one way of sending, starting from an empty outbox."""
    OutgoingEmail.objects.all().delete()
    DBTaskResult.objects.all().delete()
    SERVER.connections = SERVER.messages = 0
    queue_s = queue_batch(event=event, together=together)
    connections_while_queueing = SERVER.connections
    jobs = DBTaskResult.objects.count()
    started = time.perf_counter()
    call_command("run_worker", "--batch", "--no-startup-delay", verbosity=0)
    worker_s = time.perf_counter() - started
    return {
        "queue_s": round(queue_s, 2),
        "connections_while_queueing": connections_while_queueing,
        "jobs": jobs,
        "worker_s": round(worker_s, 2),
        "sent": SERVER.messages,
        "connections": SERVER.connections,
    }


def main():
    call_command("migrate", verbosity=0)
    call_command("load_event_data", verbosity=0)
    event = Event.objects.current()
    one_by_one = measure(event=event, together=False)
    together = measure(event=event, together=True)
    print(
        f"{MESSAGES} emails, SMTP round trip {RTT_S * 1000:g} ms, "
        f"+{CONNECT_S * 1000:g} ms a connection:\n"
        f"  one by one: {one_by_one}\n"
        f"  together:   {together}"
    )
    print(
        json.dumps(
            {
                "bench": "outbox",
                "messages": MESSAGES,
                "rtt_s": RTT_S,
                "connect_s": CONNECT_S,
                "one_by_one": one_by_one,
                "together": together,
            }
        )
    )


if __name__ == "__main__":
    try:
        main()
    finally:
        SERVER.shutdown()
        shutil.rmtree(DIRECTORY, ignore_errors=True)
