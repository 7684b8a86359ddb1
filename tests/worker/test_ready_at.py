"""The worker's ready jobs at a given time are django-tasks-db's own `ready()` jobs."""

from datetime import timedelta

from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from worker.claim import ready_at


def test_ready_at_is_the_librarys_ready_filter_with_the_time_passed_in():
    now = timezone.now() - timedelta(days=1)
    ours, our_params = ready_at(now).query.sql_with_params()
    library, library_params = DBTaskResult.objects.ready().query.sql_with_params()

    assert ours == library
    # Every parameter the same but the time, which the library takes when it builds.
    pairs = zip(our_params, library_params, strict=True)
    differ = [ours for ours, theirs in pairs if ours != theirs]
    assert len(differ) == 1
