"""Telling booked delegates that a round's times, a session's room, or a name changed.

An organiser who moves a time slot, puts a session in another room, renames a
room (or changes its directions) or retitles a workshop makes every booked
delegate's diary entry wrong. The admin calls
`queue_timetable_news` in its own transaction: one job for the worker
(`workshops.tasks.email_timetable_news`), which emails each delegate booked in
those rounds or sessions once (`notifications.send_timetable_news`), with the
rounds as they are then and a calendar file whose SEQUENCE is one higher, so
the entry they already have moves rather than doubles. Seats do not change, so
the seat writer (`workshops.services.booking`) is not involved.
"""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from workshops.models import Booking
from workshops.tasks import email_timetable_news


def queue_timetable_news(*, time_slot_ids=(), session_ids=()):
    """Have everyone booked in these rounds or sessions emailed; return how many.

    The job runs `TIMETABLE_NEWS_DELAY_SECONDS` from now, and reads the times and
    rooms then; if the same job is still waiting (a second save, a change put
    back), it is left to tell them once. Side effects: one job, committed with
    the caller's transaction, when anyone is booked there and none is waiting.
    """
    count = (
        Booking.objects.in_rounds_or_sessions(time_slot_ids=time_slot_ids, session_ids=session_ids)
        .values("delegate_id")
        .distinct()
        .count()
    )
    arguments = {"time_slot_ids": sorted(time_slot_ids), "session_ids": sorted(session_ids)}
    if count and not _waiting(arguments):
        run_after = timezone.now() + timedelta(seconds=settings.TIMETABLE_NEWS_DELAY_SECONDS)
        email_timetable_news.using(run_after=run_after).enqueue(**arguments)
    return count


def _waiting(arguments):
    """Whether a job with these arguments is queued and not started yet."""
    jobs = DBTaskResult.objects.filter(
        task_path=email_timetable_news.module_path, status=TaskResultStatus.READY
    ).values_list("args_kwargs", flat=True)
    return any(job["kwargs"] == arguments for job in jobs)
