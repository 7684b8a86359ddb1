"""Real worker processes on PostgreSQL: one killed mid-job, and two sharing the work.

Each worker is `manage.py run_worker` in its own process, against the test
database, with short heartbeat and dead-worker thresholds so the tests take
seconds. They need PostgreSQL: several processes share the database.
"""

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from bench.mail_servers import SilentServer, SinkServer
from outbox.models import OutgoingEmail
from outbox.services import queue_email
from tests.worker.jobs_for_tests import hold_then_record
from worker.models import PeriodicJob

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("several worker processes share one database: set DATABASE_URL=postgres://…")


@pytest.fixture
def workers():
    """Start `manage.py run_worker` processes against the test database; stop them after."""
    started = []

    def start(name, *arguments, **environment):
        """Start worker `name`; `arguments` go to run_worker (e.g. "--queue-name=long")."""
        database = connection.settings_dict
        env = {
            **os.environ,
            "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST']}:"
            f"{database['PORT']}/{database['NAME']}",
            "DEBUG": "false",
            "SECRET_KEY": os.environ.get("SECRET_KEY", "tests-only-not-a-secret"),
            "WORKER_HEARTBEAT_SECONDS": "0.3",
            "WORKER_DEAD_AFTER_SECONDS": "2",
            "LOG_LEVEL": "WARNING",
            **environment,
        }
        process = subprocess.Popen(
            [
                sys.executable,
                "manage.py",
                "run_worker",
                "--no-reload",
                "--no-startup-delay",
                "--interval",
                "0.1",
                "--worker-id",
                name,
                *arguments,
            ],
            cwd=ROOT,
            env=env,
            start_new_session=True,
        )
        started.append(process)
        return process

    yield start
    for process in started:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def wait_for(condition, *, seconds=30, what="it"):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"{what} did not happen within {seconds} s")


def test_a_job_whose_worker_is_killed_is_finished_by_another(workers, tmp_path):
    started, finished = tmp_path / "started", tmp_path / "finished"
    job = hold_then_record.enqueue(started=str(started), path=str(finished), seconds=3)
    first = workers("first")
    wait_for(started.exists, what="the first worker starting the job")

    os.killpg(first.pid, signal.SIGKILL)  # mid-job: no chance to record anything
    first.wait()
    assert DBTaskResult.objects.get(pk=job.id).status == TaskResultStatus.RUNNING

    workers("second")
    wait_for(
        lambda: DBTaskResult.objects.get(pk=job.id).status == TaskResultStatus.SUCCESSFUL,
        what="another worker finishing the job",
    )
    row = DBTaskResult.objects.get(pk=job.id)
    assert row.worker_ids == ["first", "second"]
    assert finished.read_text() == "finished\n"  # the killed worker never got that far


def test_an_email_whose_worker_is_killed_mid_send_is_sent_once_by_another(workers, event, settings):
    silent = SilentServer().start()
    sink = SinkServer().start()
    try:
        queue_email(
            to="priya@warwickshire.police.uk",
            subject="Your code",
            template="email/cancelled",
            context={"delegate": {"first_name": "Priya"}, "event": event},
        )
        # The first worker's mail server never answers: it hangs mid-send, and is killed.
        first = workers("first", EMAIL_URL=f"smtp://127.0.0.1:{silent.port}", EMAIL_TIMEOUT="60")
        wait_for(lambda: silent.connections == 1, what="the first worker connecting")
        os.killpg(first.pid, signal.SIGKILL)
        first.wait()
        message = OutgoingEmail.objects.get()
        assert (message.status, message.attempts) == ("pending", 1)  # leased, not lost

        # Another worker, with a working mail server, sends it once the lease ends (five
        # minutes; run out here) and the dead worker's job is handed on.
        OutgoingEmail.objects.update(next_attempt_at=timezone.now())
        workers("second", EMAIL_URL=f"smtp://127.0.0.1:{sink.port}")
        wait_for(
            lambda: OutgoingEmail.objects.get().status == "sent",
            what="the second worker sending it",
        )
        assert [to for to, _body in sink.messages] == [["priya@warwickshire.police.uk"]]
    finally:
        silent.stop()
        sink.shutdown()


def test_two_workers_run_each_periodic_job_once_and_send_each_email_once(workers, event):
    sink = SinkServer().start()
    try:
        for n in range(40):
            queue_email(
                to=f"delegate{n}@kent.police.uk",
                subject="Timetable",
                template="email/cancelled",
                context={"delegate": {"first_name": "A"}, "event": event},
            )
        mail = f"smtp://127.0.0.1:{sink.port}"
        started = time.monotonic()
        workers("one", EMAIL_URL=mail)
        workers("two", EMAIL_URL=mail)
        wait_for(
            lambda: not OutgoingEmail.objects.exclude(status="sent").exists(),
            what="every email sent",
        )
        # Let both workers look at the schedule many times (every 0.3 s, for 3 s).
        time.sleep(3)

        sent_to = Counter(to[0] for to, _body in sink.messages)
        assert len(sent_to) == 40
        assert set(sent_to.values()) == {1}
        jobs = Counter(DBTaskResult.objects.values_list("task_path", flat=True))
        for name in PeriodicJob.objects.values_list("name", flat=True):
            if name.endswith(("send_due_email",)):
                assert jobs[name] == 1, name  # every minute: once in these seconds
        # Every WORKER_DEAD_AFTER_SECONDS / 2 = 1 s, whichever worker looks: at most one
        # run per second that passed (plus the first), however many workers look.
        seconds = time.monotonic() - started
        requeues = jobs["worker.tasks.requeue_jobs_of_dead_workers"]
        assert 1 <= requeues <= int(seconds) + 1, (requeues, seconds)
        assert not DBTaskResult.objects.exclude(status=TaskResultStatus.SUCCESSFUL).exists()
    finally:
        sink.shutdown()
