"""The workshops app's part in a delegate's privacy rights: their data, erasure, retention.

Registration owns those rights (`registration.services.privacy`) but not the
tables here; it asks through `registration.signals` and these receivers answer.
"""

from django.db.models import Q
from django.dispatch import receiver

from registration.services.privacy import isoformat_or_none
from registration.signals import delegate_data_asked, delegate_erasing, delegate_forgotten
from workshops.models import AllocationRun, AnnouncementRecipient
from workshops.services.booking import cancel_registration, forget_history_reasons
from workshops.services.calendar_feed import revoke_calendar_feed
from workshops.services.certificates import forget_certificate_holder
from workshops.services.feedback import forget_survey_names


@receiver(delegate_data_asked)
def export_workshops(sender, *, delegate, **kwargs):
    """The delegate's seats, for their copy of their data."""
    return {
        "workshops": [
            {
                "time_slot": booking.time_slot.name,
                "times": booking.time_slot.times,
                "workshop": booking.session.workshop.title,
                "room": booking.session.room.name,
                "booked_at": isoformat_or_none(booking.created_at),
            }
            for booking in delegate.bookings.select_related(
                "time_slot", "session__workshop", "session__room"
            )
        ],
        # Every scan of their badge at a door: where, when, what it found.
        "check_ins": [
            {
                "door": checkin.door_label,
                "at": isoformat_or_none(checkin.at),
                "outcome": checkin.get_outcome_display(),
                "undone_at": isoformat_or_none(checkin.undone_at),
            }
            for checkin in delegate.checkins.order_by("at", "pk")
        ],
        # Ballot runs name delegates by id in their assignment and report.
        "ballot_allocations": [
            {
                "run": str(run),
                "created_at": isoformat_or_none(run.created_at),
                "published_at": isoformat_or_none(run.published_at),
                "sessions_allocated": run.assignment.get(str(delegate.pk), []),
                "left_without_seats": delegate.pk in run.report.get("incomplete", []),
            }
            for run in AllocationRun.objects.filter(event_id=delegate.event_id).order_by("pk")
            if str(delegate.pk) in run.assignment or delegate.pk in run.report.get("incomplete", [])
        ],
    }


@receiver(delegate_erasing)
def release_everything(sender, *, delegate, **kwargs):
    """Erasure: release every seat, end the registration, turn off the calendar feed."""
    cancel_registration(delegate=delegate, notify=False)  # erasure mails nobody
    revoke_calendar_feed(delegate=delegate)


@receiver(delegate_forgotten)
def forget_in_history(sender, *, delegate, old_email, **kwargs):
    """Keep history and recipients as rows for the counts, without the address or reasons.

    The calendar feed goes: nothing should keep serving a forgotten delegate's seats.
    """
    AnnouncementRecipient.objects.filter(Q(delegate=delegate) | Q(email__iexact=old_email)).update(
        email=delegate.email
    )
    forget_history_reasons(delegate=delegate)
    revoke_calendar_feed(delegate=delegate)  # a forgotten delegate has no calendar to follow
    # Answers stay, anonymous; certificates keep verifying without pointing at anyone.
    forget_survey_names(delegate=delegate)
    forget_certificate_holder(delegate=delegate)
