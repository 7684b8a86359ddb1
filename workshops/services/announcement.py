"""Emails to everyone booked on a session, in a time slot or at the event, or checked in at a
session: organisers' announcements, and facilitators' emails to their sessions
(`workshops.services.facilitator`), recorded alike.

An announcement is saved as a draft, previewed in the admin, then sent once:
`send_announcement` queues one email per delegate through the outbox and
records who it went to.
"""

from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from outbox.services import queue_email, sending_together
from registration.errors import UserFacingError
from registration.models import Delegate, name_order
from registration.services.email import delegate_reference
from workshops.models import Announcement, AnnouncementRecipient
from workshops.services.locking import lock_announcement

TEMPLATE = "email/announcement"


class AnnouncementError(UserFacingError):
    """The announcement cannot be sent as it is; `message` tells the organiser why."""


def announcement_recipients(announcement):
    """The registered delegates an announcement goes to, as one query.

    Only confirmed addresses: an unconfirmed one may be anyone's.

    A delegate holds at most one seat per session and per time slot, so no
    delegate appears twice.
    """
    delegates = Delegate.objects.active().email_confirmed().filter(event_id=announcement.event_id)
    if announcement.audience == Announcement.Audience.SESSION:
        delegates = delegates.filter(bookings__session_id=announcement.session_id)
    elif announcement.audience == Announcement.Audience.ATTENDED:
        # At most one live admission per delegate per session (checkin_session_once).
        delegates = delegates.filter(
            checkins__session_id=announcement.session_id, checkins__admitted=True
        )
    elif announcement.audience == Announcement.Audience.TIME_SLOT:
        delegates = delegates.filter(bookings__time_slot_id=announcement.time_slot_id)
    return delegates.order_by(*name_order())


def announcement_context(*, announcement, delegate):
    return {"announcement": announcement, "delegate": delegate, "event": announcement.event}


def render_announcement(*, announcement, delegate):
    """The text and HTML bodies `delegate` would receive (pure; used for the preview)."""
    context = announcement_context(announcement=announcement, delegate=delegate)
    return (
        render_to_string(f"{TEMPLATE}.txt", context),
        render_to_string(f"{TEMPLATE}.html", context),
    )


@transaction.atomic
def send_announcement(*, announcement, actor, now=None):
    """Email the announcement to each of its recipients, once.

    Side effects: queues one `OutgoingEmail` per delegate, inserts an
    `AnnouncementRecipient` per delegate (with one `bulk_create`) and marks the
    announcement sent by `actor`. Raises `AnnouncementError` and sends nothing
    if it was already sent or nobody would receive it.
    """
    announcement = lock_announcement(
        announcement.pk,
        related=["event", "session__workshop", "session__time_slot", "time_slot", "facilitator"],
    )
    if announcement.sent_at is not None:
        raise AnnouncementError(
            f"“{announcement.subject}” was already sent on "
            f"{timezone.localtime(announcement.sent_at):%d %b %Y at %H:%M}."
        )
    delegates = list(announcement_recipients(announcement))
    if not delegates:
        raise AnnouncementError(
            f"Nobody would receive this: there is no registered delegate among "
            f"{announcement.audience_label}. Nothing was sent."
        )
    with sending_together():
        recipients = [
            AnnouncementRecipient(
                announcement=announcement,
                delegate=delegate,
                email=delegate.email,
                outgoing_email=queue_email(
                    to=delegate.email,
                    subject=announcement.subject,
                    template=TEMPLATE,
                    context=announcement_context(announcement=announcement, delegate=delegate),
                    about=delegate_reference(delegate),
                    reply_to=announcement.event.contact_email,
                ),
            )
            for delegate in delegates
        ]
    AnnouncementRecipient.objects.bulk_create(recipients)
    announcement.sent_at = now or timezone.now()
    announcement.sent_by = actor
    announcement.save(update_fields=["sent_at", "sent_by"])
    return recipients
