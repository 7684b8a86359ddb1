"""The workshops app's background jobs (run by `worker`; declared in its one schedule)."""

from datetime import timedelta

from django_tasks import task

from registration.models import Event
from socex.site_url import links_from
from worker.once import running_once
from worker.schedule import every
from worker.sealed import unseal_arguments
from workshops.exports.files import build_export_file, delete_expired_export_files
from workshops.services.ballot_solving import perform_allocation, settle_abandoned_runs
from workshops.services.certificates import send_certificates
from workshops.services.checkin import seat_standby_everywhere
from workshops.services.facilitator import send_facilitator_link_if_known
from workshops.services.feedback import send_survey_reminders, send_surveys
from workshops.services.notifications import send_timetable_news


@every(timedelta(minutes=2))
@task
def release_no_shows():
    """On the day: seat the people on standby at today's session doors, in free places and,
    once the event's release time after each start has passed, in no-shows' seats.

    Safe to run again: people seated and seats released are recorded once, and a run
    finds nobody left to seat. Outside the event's days it finds no session.
    """
    event = Event.objects.current()
    return {"seated": seat_standby_everywhere(event=event) if event else 0}


@task(queue_name="long")
def allocate_ballot(*, run_id):
    """Run the queued allocation run `run_id` (`ballot_solving.perform_allocation`).

    Safe to run again: a run that has ended is left alone, and a second attempt
    at a running one (its first worker died) starts it afresh, after which only
    the latest attempt may write.
    """
    return {"state": perform_allocation(run_id=run_id)}


@every(timedelta(minutes=1))
@task
def settle_abandoned_allocation_runs():
    """Idempotent: conditional UPDATEs of runs still active whose job has ended."""
    return {"failed": settle_abandoned_runs()}


@task(queue_name="long")
def build_export(*, file_id):
    """Build the queued large download `file_id` (`exports.files.build_export_file`).

    Safe to run again: a file that is ready or failed is left alone; one still
    being built (its worker died) is built again from the start.
    """
    return {"state": build_export_file(file_id=file_id)}


@every(timedelta(minutes=15))
@task
def delete_expired_exports():
    """Idempotent: deletes the large downloads past their expiry (EXPORT_FILE_KEEP_HOURS)."""
    return {"deleted": delete_expired_export_files()}


@task(takes_context=True)
def send_facilitator_link_to(context, *, sealed, origin=None):
    """Email a facilitator's sign-in link to the sealed address if it is a facilitator's.

    The request that asked answers the same whatever the address (as "Find my
    booking" does, `registration.tasks.send_link_to`). Idempotent: `running_once`.
    """
    with links_from(origin), running_once(context) as first:
        if first:
            send_facilitator_link_if_known(email=unseal_arguments(sealed)["email"])


@every(timedelta(minutes=15))
@task
def send_session_surveys():
    """Ask the attendees of every session that has ended for feedback, and remind once.

    Safe to run again, or twice at once: each delegate is asked once per session
    (`send_surveys`) and reminded once (`send_survey_reminders`).
    """
    return {"asked": send_surveys(), "reminded": send_survey_reminders()}


@every(timedelta(hours=1))
@task
def send_attendance_certificates():
    """Once an event has ended, email everyone who attended a session their certificate.

    Safe to run again: a delegate is emailed once (`send_certificates`).
    """
    return {"emailed": send_certificates()}


@task
def email_timetable_news(*, changes=None, time_slot_ids=(), session_ids=()):
    """Email everyone booked in the rounds or sessions changed how each was and is now.

    `changes` is what `timetable_changes.queue_timetable_news` noted; the bare
    ids are jobs queued before it noted how things were (told as they are now).
    Run again, it emails them again (with the calendar SEQUENCE one higher): the
    entry in their diary still ends up right.
    """
    changes = changes or {
        "time_slots": {str(pk): {} for pk in time_slot_ids},
        "sessions": {str(pk): {} for pk in session_ids},
    }
    return {"told": send_timetable_news(changes=changes)}
