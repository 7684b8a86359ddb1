"""UK GDPR: the privacy notice's version, a delegate's copy of their data, erasure, retention.

Tables of the apps built on registration (seats, history, announcements) are
theirs to export and forget: this module asks them through the signals in
`registration.signals`, so it never imports them.

Two ways personal data goes:
- `erase_delegate`: at the delegate's or an organiser's request. Seats are
  released, the registration ends (status `erased`), personal fields are
  blanked.
- `anonymise_delegate`: what retention does after the event. Personal fields
  are blanked but status and seats stay, so attendance per session, agency and
  day can still be counted.
Both keep the row, its agency and its days, so reports keep their totals.

A registration whose address was never confirmed is different: nobody proved
it is anyone's, so it may be made up. `discard_unconfirmed_registration` deletes
it outright, row and all, when it holds nothing: when its address registers
again (`registration.services.registration.register_delegate`), and when
`purge_unconfirmed_registrations` (the `purge_unconfirmed` command, daily) finds
it older than `UNCONFIRMED_REGISTRATION_DAYS`. Deleted, not anonymised: it was
never a registration anyone stood behind, so there is nothing to count.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from outbox.models import OutgoingEmail
from registration.models import Agency, Delegate, Event
from registration.services.email import delegate_reference
from registration.services.locking import lock_delegate, lock_delegates
from registration.signals import delegate_data_asked, delegate_erasing, delegate_forgotten

logger = logging.getLogger(__name__)

# Raise this (and edit templates/socex/privacy.html) whenever the notice changes
# in substance; every registration stores the version its delegate agreed to.
PRIVACY_NOTICE_VERSION = 5
PRIVACY_NOTICE_UPDATED = "6 December 2026"

# Fields that identify or describe a person; blanked on erasure and by retention.
PERSONAL_FIELDS = (
    "first_name",
    "last_name",
    "email",
    "job_title",
    "phone",
    "dietary_requirements",
    "accessibility_needs",
    "badge_name",
)
# Related rows that `export_delegate_data` lists under their own headings, or leaves out.
EXPORTED_SEPARATELY = {"bookings", "manage_links", "emails"}
# Secrets and internals that are no one's personal data and must never be handed out.
NEVER_EXPORTED = {"token_hash", "code_hash", "password", "nonce"}


def export_delegate_data(*, delegate):
    """Everything held about `delegate`, as a JSON-ready dict. Pure: reads only.

    Besides the registration itself, its seats, booking links and emails, any
    other table that points at the delegate (added by later features, such as
    a waiting list) is included generically, so nothing is left out silently.
    """
    delegate = Delegate.objects.select_related("event", "agency").get(pk=delegate.pk)
    data = {
        "exported_at": timezone.now().isoformat(),
        "event": delegate.event.name,
        "registration": {
            **{field: getattr(delegate, field) for field in PERSONAL_FIELDS},
            "agency": delegate.agency.name,
            "attends_day_one": delegate.attends_day_one,
            "attends_day_two": delegate.attends_day_two,
            "status": delegate.status,
            "privacy_notice_version": delegate.privacy_notice_version,
            "privacy_accepted_at": isoformat_or_none(delegate.privacy_accepted_at),
            "added_by_an_organiser_as": delegate.get_added_basis_display() or None,
            "added_note": delegate.added_note,
            "needs_consent_at": isoformat_or_none(delegate.needs_consent_at),
            "email_confirmed_at": isoformat_or_none(delegate.email_confirmed_at),
            "registered_at": isoformat_or_none(delegate.registered_at),
            "updated_at": isoformat_or_none(delegate.updated_at),
        },
        "booking_links": [
            {
                "created_at": isoformat_or_none(link.created_at),
                "expires_at": isoformat_or_none(link.expires_at),
                "used_at": isoformat_or_none(link.used_at),
            }
            for link in delegate.manage_links.all()
        ],
        "emails": [
            {
                "to": email.to,
                "subject": email.subject,
                "status": email.status,
                "created_at": isoformat_or_none(email.created_at),
                "sent_at": isoformat_or_none(email.sent_at),
                "body": email.body_text,
            }
            for email in OutgoingEmail.objects.filter(about=delegate_reference(delegate))
        ],
    }
    for _, sections in delegate_data_asked.send(sender=Delegate, delegate=delegate):
        data.update(sections)
    # include_hidden: relations named "+" (such as announcement recipients) count too.
    for relation in Delegate._meta.get_fields(include_hidden=True):
        if not (relation.auto_created and relation.one_to_many):
            continue
        if relation.related_name in EXPORTED_SEPARATELY:
            continue
        rows = relation.related_model.objects.filter(**{relation.field.name: delegate})
        data[relation.related_model._meta.verbose_name_plural.replace(" ", "_")] = [
            _plain_row(row) for row in rows
        ]
    return data


def isoformat_or_none(value):
    """A date or time as ISO 8601 text for a delegate's copy of their data; None stays None."""
    return value.isoformat() if value else None


def _plain_row(row):
    values = {}
    for field in row._meta.concrete_fields:
        if field.name in NEVER_EXPORTED:
            continue
        value = getattr(row, field.attname)
        values[field.name] = value.isoformat() if hasattr(value, "isoformat") else value
    return values


def _blank_personal_fields(delegate, now):
    """Overwrite what identifies the delegate; keep agency, days, status and timestamps."""
    delegate.first_name = "Erased"
    delegate.last_name = f"delegate {delegate.pk}"
    # Unique per row, so the one-live-registration-per-email constraint still holds.
    delegate.email = f"erased-{delegate.pk}@erased.invalid"
    delegate.job_title = ""
    delegate.phone = ""
    delegate.dietary_requirements = ""
    delegate.accessibility_needs = ""
    delegate.badge_name = "Erased"
    # Free text an organiser wrote about them ("guest of ..."): theirs to lose; the basis stays.
    delegate.added_note = ""
    delegate.needs_consent_at = None
    delegate.anonymised_at = now


def _forget_messages_and_links(delegate, old_email):
    """Delete booking links, codes and stored emails; strip the address and free text from history.

    The apps built on registration then forget what their own tables hold
    (`delegate_forgotten`): the workshops app keeps booking history and
    announcement recipients as rows, so counts still add up, but drops the
    address and organisers' free-text reasons (which can mention health).
    """
    delegate.manage_links.all().delete()
    delegate.email_confirmations.all().delete()
    delegate.handovers.all().delete()  # the colleague's name and address
    # The admin's history names the object as it was when an organiser changed it.
    LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Delegate), object_id=str(delegate.pk)
    ).update(object_repr=str(delegate)[:200])
    OutgoingEmail.objects.filter(
        Q(about=delegate_reference(delegate)) | Q(to__iexact=old_email)
    ).delete()
    delegate_forgotten.send(sender=Delegate, delegate=delegate, old_email=old_email)


@transaction.atomic
def anonymise_delegate(*, delegate, now=None):
    """Blank `delegate`'s personal fields, keeping their status and seats for the counts.

    Side effects: updates the delegate, deletes their booking links and stored
    emails. Anonymising twice changes nothing. Returns the delegate.
    """
    now = now or timezone.now()
    delegate = lock_delegate(delegate.pk)
    if delegate.anonymised_at:
        return delegate
    old_email = delegate.email
    _blank_personal_fields(delegate, now)
    delegate.save()
    _forget_messages_and_links(delegate, old_email)
    return delegate


@transaction.atomic
def erase_delegate(*, delegate, now=None):
    """Erase a delegate at their or an organiser's request.

    Side effects: the apps that hold seats release them and end the
    registration (`delegate_erasing`), then this marks them `erased`, blanks
    their personal fields and deletes their booking links and stored emails.
    The row stays (agency, days, timestamps) so counts for reports still add
    up. Erasing twice changes nothing. No email is sent: there is no address
    left to send it to. Returns the delegate.
    """
    now = now or timezone.now()
    delegate = lock_delegate(delegate.pk)
    if delegate.status == Delegate.Status.ERASED:
        return delegate
    old_email = delegate.email
    delegate_erasing.send(sender=Delegate, delegate=delegate)
    delegate.refresh_from_db()
    _blank_personal_fields(delegate, now)
    delegate.status = Delegate.Status.ERASED
    delegate.save()
    _forget_messages_and_links(delegate, old_email)
    logger.info("Erased delegate %s at their or an organiser's request", delegate.pk)
    return delegate


def retention_cutoff(*, today=None, days=None):
    """Events that ended on or before this date are past retention on `today`."""
    today = today or timezone.localdate()
    days = settings.RETENTION_DAYS if days is None else days
    return today - timedelta(days=days)


def anonymise_expired_delegates(*, today=None, days=None):
    """Anonymise every delegate of every event that ended `days` or more days ago.

    `days` defaults to the `RETENTION_DAYS` setting. Side effects: updates the
    delegates, deletes their links and stored emails (one transaction per
    delegate, so a long run never holds a lock for long), and logs one line
    per event. Running it again finds nothing left to do. Returns a list of
    `(event, number anonymised)` for the events that had delegates to anonymise.
    """
    cutoff = retention_cutoff(today=today, days=days)
    done = []
    for event in Event.objects.filter(ends_on__lte=cutoff).order_by("ends_on"):
        ids = list(
            Delegate.objects.filter(event=event, anonymised_at__isnull=True)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        for pk in ids:
            anonymise_delegate(delegate=Delegate(pk=pk))
        if ids:
            logger.info(
                "Retention: anonymised %s delegates of %s (ended %s, on or before %s)",
                len(ids),
                event,
                event.ends_on,
                cutoff,
            )
            done.append((event, len(ids)))
    return done


# What registration itself keeps for a delegate, which discarding deletes with the row.
OWN_RELATIONS = {"manage_links", "email_confirmations"}


def _other_relations():
    # include_hidden: relations named "+" (such as announcement recipients) count too.
    return [
        relation
        for relation in Delegate._meta.get_fields(include_hidden=True)
        if relation.auto_created
        and relation.one_to_many
        and relation.related_name not in OWN_RELATIONS
    ]


def discardable_registrations():
    """Live registrations never confirmed that nothing points at but their own links and codes.

    Nothing means no seat, waiting-list place, ranking, booking history or
    announcement, in any app: every table referring to a delegate is asked, so
    a table added later counts without a change here. (Delegates registered
    before addresses were confirmed may be unconfirmed and hold seats; those
    are never discarded, and neither is anyone an organiser added.)
    """
    held = [
        Exists(relation.related_model.objects.filter(**{relation.field.name: OuterRef("pk")}))
        for relation in _other_relations()
    ]
    # An organiser stands behind whoever they added, confirmed or not: never discarded.
    queryset = Delegate.objects.active().filter(email_confirmed_at__isnull=True, added_basis="")
    for holds in held:
        queryset = queryset.filter(~holds)
    return queryset


@transaction.atomic
def discard_unconfirmed_registration(*, delegate):
    """Delete a registration whose address was never confirmed, if it holds nothing.

    Side effects: under the delegate's lock, deletes its booking links, codes
    and stored emails (and asks the apps built on registration to forget the
    address, `delegate_forgotten`), then the row itself, and its agency if that
    was typed in unconfirmed and nobody else uses it. Returns True if it was
    deleted; False (nothing written) if it is confirmed, ended, holds anything
    (see `discardable_registrations`) or is already gone.
    """
    if not lock_delegates([delegate.pk]):  # gone already (a registration racing this one)
        return False
    delegate = discardable_registrations().select_related("agency").filter(pk=delegate.pk).first()
    if delegate is None:
        return False
    pk, old_email, agency = delegate.pk, delegate.email, delegate.agency
    _blank_personal_fields(delegate, timezone.now())
    _forget_messages_and_links(delegate, old_email)
    LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Delegate), object_id=str(pk)
    ).update(object_repr=f"Discarded unconfirmed registration {pk}")
    Delegate.objects.filter(pk=pk).delete()
    if (
        not agency.is_confirmed
        and not Delegate.objects.filter(agency=agency).exists()
        and not agency.invitations.exists()
    ):
        Agency.objects.filter(pk=agency.pk).delete()
    return True


def purge_unconfirmed_registrations(*, now=None, days=None):
    """Delete every registration never confirmed that was made `days` or more days ago.

    `days` defaults to the `UNCONFIRMED_REGISTRATION_DAYS` setting. Only
    registrations that hold nothing go (`discardable_registrations`), each in
    its own transaction (`discard_unconfirmed_registration`, which checks again
    under lock, so one confirmed meanwhile stays). Side effects: as that
    function, and one log line. Running it again finds nothing left to do.
    Returns how many were deleted.
    """
    now = now or timezone.now()
    days = settings.UNCONFIRMED_REGISTRATION_DAYS if days is None else days
    ids = list(
        discardable_registrations()
        .filter(registered_at__lte=now - timedelta(days=days))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    deleted = sum(discard_unconfirmed_registration(delegate=Delegate(pk=pk)) for pk in ids)
    if deleted:
        logger.info("Deleted %s registrations never confirmed within %s days", deleted, days)
    return deleted
