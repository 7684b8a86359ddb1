"""Facilitators: signing in by emailed link, their sessions, rosters and emails to attendees.

A facilitator reaches only the sessions of the workshops organisers named them
for (`facilitator_sessions`); every read here starts from that queryset, so an
id typed into a URL or form that is not one of theirs finds nothing. A
session's roster shows name, agency, badge name and whether each delegate has
been checked in there; accessibility needs only where an organiser granted it
for that session (`Facilitator.needs_sessions`).

Links work like delegates' booking links (`registration.services.link`): a
random token, only its hash stored, single use, expiring after
`MANAGE_LINK_HOURS`; the emailed copy is sealed in the outbox. Asking for one
answers the same whether or not the address is a facilitator's: the look-up
happens in a worker (`workshops.tasks.send_facilitator_link_to`).
"""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from outbox.services import queue_email
from registration.errors import UserFacingError
from registration.models import Event, name_order
from workshops.models import Announcement, Booking, CheckIn, Facilitator, FacilitatorLink, Session
from workshops.services.announcement import (
    AnnouncementError,
    announcement_recipients,
    render_announcement,
    send_announcement,
)
from workshops.services.locking import lock_facilitator

LINK_TEMPLATE = "email/facilitator_link"
# What a facilitator may email: everyone booked on their session, or those checked in there.
EMAIL_AUDIENCES = (Announcement.Audience.ATTENDED, Announcement.Audience.SESSION)
# The same email to the same people again within this long is a second click, not a reminder.
SAME_EMAIL_WINDOW = timedelta(minutes=10)


class FacilitatorError(UserFacingError):
    """A facilitator's request cannot be done; `message` says why."""


def facilitator_reference(facilitator):
    """The outbox tag of every message to `facilitator` (`OutgoingEmail.about`)."""
    return f"facilitator:{facilitator.pk}"


def issue_facilitator_link(*, facilitator, now=None):
    """Create a single-use sign-in link for `facilitator` and return its URL.

    Side effects: inserts a `FacilitatorLink`. The raw token exists only in the URL.
    """
    now = now or timezone.now()
    token = FacilitatorLink.new_token()
    FacilitatorLink.objects.create(
        facilitator=facilitator,
        token_hash=FacilitatorLink.token_hash_of(token),
        expires_at=now + timedelta(hours=settings.MANAGE_LINK_HOURS),
    )
    return FacilitatorLink.url_for(token)


def find_usable_facilitator_link(raw_token, now=None):
    """The unspent, unexpired link with this token, with its facilitator; else None."""
    return (
        FacilitatorLink.objects.usable(now)
        .with_token(raw_token)
        .select_related("facilitator__event")
        .first()
    )


def spend_facilitator_link(*, link, now=None):
    """Mark `link` used; False if another request spent it first. Side effects: updates it."""
    return FacilitatorLink.objects.spend(link, now=now)


def email_facilitator_link(*, facilitator):
    """Queue a new sign-in link to `facilitator`. Side effects: a link and a queued email."""
    return queue_email(
        to=facilitator.email,
        subject=f"{facilitator.event.name}: your facilitator's sign-in link",
        template=LINK_TEMPLATE,
        context={"facilitator": facilitator, "event": facilitator.event},
        about=facilitator_reference(facilitator),
        reply_to=facilitator.event.contact_email,
        # The link is a credential: the outbox stores it only encrypted (outbox.sealing).
        secrets={"link": issue_facilitator_link(facilitator=facilitator)},
    )


@transaction.atomic
def send_facilitator_link_if_known(*, email):
    """Email a sign-in link to `email` if it is a facilitator's at the current event.

    The caller answers the same either way. Side effects: a link and a queued
    email when the address is a facilitator's; nothing otherwise.
    """
    facilitator = (
        Facilitator.objects.select_related("event")
        .filter(event=Event.objects.current(), email=email.strip().lower())
        .first()
    )
    if facilitator is None:
        return False
    email_facilitator_link(facilitator=facilitator)
    return True


def facilitator_sessions(facilitator):
    """The sessions `facilitator` may see: their workshops' sessions at their event, in order."""
    return (
        Session.objects.for_event(facilitator.event_id)
        .filter(workshop__facilitators=facilitator)
        .select_related("workshop", "time_slot", "room")
        .order_by("time_slot__starts_at", "workshop__title", "pk")
    )


def facilitator_session(*, facilitator, session_id):
    """One of `facilitator`'s sessions by id; raises `FacilitatorError` for any other id."""
    session = facilitator_sessions(facilitator).filter(pk=session_id).first()
    if session is None:
        raise FacilitatorError("That is not one of your sessions.")
    return session


def may_see_needs(*, facilitator, session):
    """Whether an organiser let `facilitator` read accessibility needs at `session`."""
    return facilitator.needs_sessions.filter(pk=session.pk).exists()


@dataclass(frozen=True)
class RosterRow:
    name: str
    badge_name: str
    agency: str
    checked_in_at: object
    # None where the facilitator may not read needs; "" where the delegate gave none.
    accessibility_needs: str | None


@dataclass(frozen=True)
class Roster:
    session: Session
    rows: list
    shows_needs: bool

    @property
    def arrived(self):
        return sum(1 for row in self.rows if row.checked_in_at is not None)


def session_roster(*, facilitator, session):
    """Who is booked on `session` (one of `facilitator`'s), and who has been checked in there.

    Three queries, whatever the numbers. Accessibility needs only with the grant.
    """
    if not facilitator_sessions(facilitator).filter(pk=session.pk).exists():
        raise FacilitatorError("That is not one of your sessions.")
    shows_needs = may_see_needs(facilitator=facilitator, session=session)
    fields = ["delegate_id", "delegate__first_name", "delegate__last_name"]
    fields += ["delegate__badge_name", "delegate__agency__name"]
    if shows_needs:
        fields.append("delegate__accessibility_needs")
    bookings = (
        Booking.objects.filter(session=session).order_by(*name_order("delegate__")).values(*fields)
    )
    arrived = dict(
        CheckIn.objects.filter(session=session, admitted=True).values_list("delegate_id", "at")
    )
    rows = [
        RosterRow(
            name=f"{b['delegate__first_name']} {b['delegate__last_name']}",
            badge_name=b["delegate__badge_name"],
            agency=b["delegate__agency__name"],
            checked_in_at=arrived.get(b["delegate_id"]),
            accessibility_needs=b["delegate__accessibility_needs"] if shows_needs else None,
        )
        for b in bookings
    ]
    return Roster(session=session, rows=rows, shows_needs=shows_needs)


def draft_email(*, facilitator, session, audience, subject, body):
    """An unsaved announcement from `facilitator` to `session`'s people, checked; for a preview.

    Raises `FacilitatorError` for an audience facilitators may not use or a session
    not theirs, and `django.core.exceptions.ValidationError` for a bad subject or body.
    """
    if audience not in EMAIL_AUDIENCES:
        raise FacilitatorError("Choose who to email: those checked in, or everyone booked.")
    session = facilitator_session(facilitator=facilitator, session_id=session.pk)
    announcement = Announcement(
        event_id=facilitator.event_id,
        audience=audience,
        session=session,
        subject=subject,
        body=body,
        facilitator=facilitator,
    )
    # Written by a facilitator, not an account: `created_by` stays empty.
    announcement.full_clean(exclude=["created_by"])
    return announcement


def email_recipients(announcement):
    """Who a facilitator's draft would reach (registered, confirmed addresses only)."""
    return announcement_recipients(announcement).select_related("agency")


def preview_email(*, announcement):
    """(recipients, text, html) of a draft, as the first recipient would read it."""
    recipients = list(email_recipients(announcement))
    if not recipients:
        return recipients, "", ""
    text, html = render_announcement(announcement=announcement, delegate=recipients[0])
    return recipients, text, html


@transaction.atomic
def send_facilitator_email(*, facilitator, session, audience, subject, body, now=None):
    """Email the people of `facilitator`'s `session`, once, recorded as an announcement.

    Side effects: inserts an `Announcement` (with the facilitator, visible to
    organisers under Announcements), one queued email and one
    `AnnouncementRecipient` per recipient. Raises `FacilitatorError` (and sends
    nothing) for a session not theirs, when nobody would receive it, or when
    they sent the same email to the same people in the last
    `SAME_EMAIL_WINDOW` (a second click, a second tab): their lock serialises
    their sends, so the second sees the first.
    """
    announcement = draft_email(
        facilitator=facilitator, session=session, audience=audience, subject=subject, body=body
    )
    now = now or timezone.now()
    lock_facilitator(facilitator.pk)
    same = (
        Announcement.objects.filter(
            facilitator=facilitator,
            session=announcement.session,
            audience=announcement.audience,
            subject=announcement.subject,
            body=announcement.body,
            sent_at__gte=now - SAME_EMAIL_WINDOW,
        )
        .order_by("-sent_at")
        .values_list("sent_at", flat=True)
        .first()
    )
    if same is not None:
        raise FacilitatorError(
            f"You sent this same email at {timezone.localtime(same):%H:%M}: it was not sent again."
        )
    announcement.save()
    try:
        recipients = send_announcement(announcement=announcement, actor=None, now=now)
    except AnnouncementError as error:
        raise FacilitatorError(error.message) from None
    announcement.refresh_from_db(fields=["sent_at"])
    return announcement, recipients


def prune_needs_grants(*, facilitator):
    """Drop grants at sessions outside `facilitator`'s workshops (after a workshop is taken away).

    Side effects: deletes those rows of `needs_sessions`. Returns how many.
    """
    stale = list(facilitator.needs_sessions.exclude(workshop__facilitators=facilitator))
    facilitator.needs_sessions.remove(*stale)
    return len(stale)
