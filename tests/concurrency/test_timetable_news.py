"""Two organisers saving timetable changes at once: no round is lost from the waiting email.
Needs real row locks: PostgreSQL."""

import pytest
from django_tasks_db.models import DBTaskResult

from tests.attending import booked_delegate
from tests.concurrency.threads import run_at_once, skip_unless_postgres
from workshops.services.timetable_changes import queue_timetable_news
from workshops.services.timetable_diff import time_slot_was

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def needs_postgres():
    skip_unless_postgres()


def queued_rounds():
    jobs = DBTaskResult.objects.filter(task_path__endswith="email_timetable_news")
    return jobs.count(), {
        int(pk) for job in jobs for pk in job.args_kwargs["kwargs"]["changes"]["time_slots"]
    }


@pytest.mark.parametrize("waiting", [False, True])
def test_race_rounds_saved_at_once_all_reach_a_waiting_job(programme, waiting, settings):
    settings.TIMETABLE_NEWS_DELAY_SECONDS = 120
    s = programme["sessions"]
    booked_delegate(programme["event"], [s[k] for k in [(0, 0), (1, 4), (2, 2), (3, 6)]])
    slots = programme["slots"]
    if waiting:
        queue_timetable_news(sessions={s[(0, 0)].pk: {"title": "", "room": "", "location": ""}})

    def save(slot):
        was = time_slot_was(starts_at=slot.starts_at, ends_at=slot.ends_at)
        return lambda: queue_timetable_news(time_slots={slot.pk: was})

    results = run_at_once([save(slot) for slot in slots])
    assert results == [1, 1, 1, 1]
    jobs, rounds = queued_rounds()
    assert rounds == {slot.pk for slot in slots}
    # With a job waiting, every save waited for its lock and extended it; with none,
    # the first save queued it and the others, queued behind its advisory lock, extended it.
    assert jobs == 1
