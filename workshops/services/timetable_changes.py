"""Telling booked delegates that a round's times, or a session's room, changed.

An organiser who moves a time slot, or puts a session in another room, makes
every booked delegate's diary entry wrong. The admin calls
`queue_timetable_news` in its own transaction: one job for the worker
(`workshops.tasks.email_timetable_news`), which emails each delegate booked in
those rounds or sessions once (`notifications.send_timetable_news`), with the
rounds as they are then and a calendar file whose SEQUENCE is one higher, so
the entry they already have moves rather than doubles. Seats do not change, so
the seat writer (`workshops.services.booking`) is not involved.
"""

from workshops.models import Booking
from workshops.tasks import email_timetable_news


def queue_timetable_news(*, time_slot_ids=(), session_ids=()):
    """Enqueue the job that emails everyone booked in these rounds or sessions; return how many.

    Side effects: one job, committed with the caller's transaction, when anyone
    is booked there; nothing otherwise.
    """
    count = (
        Booking.objects.in_rounds_or_sessions(time_slot_ids=time_slot_ids, session_ids=session_ids)
        .values("delegate_id")
        .distinct()
        .count()
    )
    if count:
        email_timetable_news.enqueue(
            time_slot_ids=sorted(time_slot_ids), session_ids=sorted(session_ids)
        )
    return count
