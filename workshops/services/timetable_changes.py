"""Telling booked delegates that a round's times, a session's room, or a name changed.

An organiser who moves a time slot, puts a session in another room, renames a
room (or changes its directions) or retitles a workshop makes every booked
delegate's diary entry wrong. The admin calls `queue_timetable_news` in its
own transaction, with how each round or session was before the change: one
job for the worker (`workshops.tasks.email_timetable_news`), which emails each
delegate booked in those rounds or sessions once (`notifications.send_timetable_news`),
each round as it was and as it is then, with a calendar file whose SEQUENCE is
one higher, so the entry they already have moves rather than doubles. Seats do
not change, so the seat writer (`workshops.services.booking`) is not involved.

A sitting of edits (retiming four rounds one after another) is one job: while
the job has not started, each save adds its rounds to it and puts it off again.
"""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from workshops.models import Booking
from workshops.services.locking import lock_waiting_job
from workshops.services.timetable_diff import merge_changes, noted
from workshops.tasks import email_timetable_news


def queue_timetable_news(*, time_slots=None, sessions=None):
    """Have everyone booked in these rounds or sessions emailed; return how many.

    `time_slots` and `sessions` map ids to how each was before this change
    (`timetable_diff.time_slot_was`, `session_was`). The job runs
    `TIMETABLE_NEWS_DELAY_SECONDS` from now and compares with the rounds as
    they are then. Side effects: when anyone is booked there, either the
    waiting job (not started) gains the ids it lacks, with how they were, and
    is put off to run the delay from now, or a new job is queued; committed
    with the caller's transaction.
    """
    time_slots, sessions = time_slots or {}, sessions or {}
    count = (
        Booking.objects.in_rounds_or_sessions(time_slot_ids=time_slots, session_ids=sessions)
        .values("delegate_id")
        .distinct()
        .count()
    )
    if not count:
        return 0
    now = timezone.now()
    changes = {"time_slots": noted(time_slots, at=now), "sessions": noted(sessions, at=now)}
    run_after = now + timedelta(seconds=settings.TIMETABLE_NEWS_DELAY_SECONDS)
    with transaction.atomic():
        # Locked, the job cannot be claimed by a worker (which skips locked jobs) nor
        # extended by another organiser until this commits: no id is lost either way.
        job = lock_waiting_job(email_timetable_news.module_path)
        if job is None:
            email_timetable_news.using(run_after=run_after).enqueue(changes=changes)
        else:
            kept = job.args_kwargs["kwargs"].get("changes", {})
            job.args_kwargs = {"args": [], "kwargs": {"changes": merge_changes(kept, changes)}}
            job.run_after = run_after
            job.save(update_fields=["args_kwargs", "run_after"])
    return count
