import logging

import pytest
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from tests.worker.jobs_for_tests import record
from worker.models import WorkerHeartbeat


@pytest.mark.django_db(transaction=True)
def test_run_worker_batch_runs_what_is_queued_then_stops_and_leaves_no_heartbeat(tmp_path):
    for text in ("one", "two"):
        record.enqueue(path=str(tmp_path / "out"), text=text)

    call_command("run_worker", "--batch", "--no-startup-delay", "--worker-id", "batch-1")

    assert (tmp_path / "out").read_text() == "one\ntwo\n"
    assert list(DBTaskResult.objects.values_list("status", "worker_ids")) == [
        ("SUCCESSFUL", ["batch-1"]),
        ("SUCCESSFUL", ["batch-1"]),
    ]
    assert not WorkerHeartbeat.objects.exists()  # it stopped cleanly


@pytest.fixture
def root_level():
    """Set the root logger's level (LOG_LEVEL's), putting it and the job loggers back after."""
    names = ("", "django_tasks", "django_tasks_db")
    before = {name: logging.getLogger(name).level for name in names}
    yield logging.getLogger().setLevel
    for name, level in before.items():
        logging.getLogger(name).setLevel(level)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("log_level", "verbosity", "lines"),
    [
        (logging.WARNING, 1, 0),  # LOG_LEVEL=WARNING: no line per job
        (logging.INFO, 1, 2),  # the default LOG_LEVEL: started and finished
        (logging.WARNING, 2, 2),  # asked for on the command line
        (logging.INFO, 0, 0),
    ],
)
def test_run_worker_job_lines_follow_log_level_unless_verbosity_says(
    tmp_path, caplog, root_level, log_level, verbosity, lines
):
    root_level(log_level)
    record.enqueue(path=str(tmp_path / "out"), text="one")
    with caplog.at_level(logging.NOTSET):  # capture whatever the loggers let through
        logging.getLogger().setLevel(log_level)
        call_command("run_worker", "--batch", "--no-startup-delay", f"--verbosity={verbosity}")
    job_lines = [r for r in caplog.records if r.getMessage().startswith("Task id=")]
    assert len(job_lines) == lines
    assert (tmp_path / "out").read_text() == "one\n"
