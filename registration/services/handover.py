"""A delegate hands their place to a colleague at the same agency.

The delegate names the colleague; the colleague is emailed a link, and by
opening it and accepting they prove the address is theirs and agree to the
privacy notice. Accepting registers the colleague as a new delegate (same
agency and days), moves the seats, waiting-list places and rankings to them
(the `workshops` app answers `place_handed_over`) and cancels the old
registration, all in one transaction; both are emailed. Until the colleague
accepts, the place stays the delegate's, and they may withdraw the offer.
"""

from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from outbox.services import queue_email
from registration.errors import UserFacingError
from registration.models import Delegate, DetailChange, Handover, hash_token
from registration.services.eligibility import email_matches_domains, parse_domains
from registration.services.email import delegate_reference, email_delegate
from registration.services.locking import lock_delegate
from registration.services.privacy import PRIVACY_NOTICE_VERSION
from registration.signals import place_handed_over

HANDOVER_HOURS = 72


class HandoverError(UserFacingError):
    """The place cannot be handed over like this; `message` says why."""


def can_hand_over(delegate):
    """Why `delegate` cannot offer their place now, or None if they can."""
    if delegate.is_pending:
        return "Your registration is awaiting approval: it can be handed over once approved."
    if not delegate.email_is_confirmed:
        return "Confirm your email address first."
    if not delegate.event.changes_are_open():
        return "Changes are closed."
    return None


@transaction.atomic
def offer_handover(*, delegate, first_name, last_name, email, job_title, now=None):
    """Offer `delegate`'s place to the colleague named, and email them a link to accept it.

    Side effects: under the delegate's lock, deletes any earlier offer of
    theirs, inserts a `Handover` and queues the email to the colleague.
    Raises `HandoverError` (nothing written). Returns the `Handover`.
    """
    now = now or timezone.now()
    delegate = lock_delegate(delegate.pk, related=["event", "agency"])
    email = email.strip().lower()
    problem = can_hand_over(delegate)
    if problem:
        raise HandoverError(problem)
    if email == delegate.email.lower():
        raise HandoverError("That is your own address: enter your colleague's.")
    domains = parse_domains(delegate.agency.email_domains)
    if not domains:
        # Without address domains nothing shows who is a colleague (and an agency that
        # approves or invites each registration must see the newcomer): organisers decide.
        raise HandoverError(
            f"Places at {delegate.agency.name} can be handed over only by the organisers: "
            f"email {delegate.event.contact_email} with your colleague's details."
        )
    if not email_matches_domains(email, domains):
        raise HandoverError(
            f"Your place can go only to a colleague at {delegate.agency.name}: use their work "
            f"address ({', '.join(domains)})."
        )
    delegate.handovers.all().delete()
    token = Handover.new_token()
    handover = Handover.objects.create(
        delegate=delegate,
        first_name=first_name,
        last_name=last_name,
        email=email,
        job_title=job_title,
        token_hash=hash_token(token),
        expires_at=now + timedelta(hours=HANDOVER_HOURS),
    )
    event = delegate.event
    queue_email(
        to=email,
        subject=f"{event.name}: {delegate.full_name} offers you their place",
        template="email/handover_offer",
        context={"handover": handover, "delegate": delegate, "event": event},
        secrets={"link": Handover.url_for(token)},
        about=delegate_reference(delegate),
        reply_to=event.contact_email,
    )
    return handover


def withdraw_handover(*, delegate):
    """Withdraw `delegate`'s offer, if any: its link stops working. True if there was one."""
    deleted, _ = delegate.handovers.all().delete()
    return bool(deleted)


def find_handover(raw_token, now=None):
    """The live offer this link's token belongs to, or None."""
    now = now or timezone.now()
    return (
        Handover.objects.select_related("delegate__event", "delegate__agency")
        .filter(token_hash=hash_token(raw_token), expires_at__gt=now)
        .filter(delegate__status=Delegate.Status.REGISTERED)
        .first()
    )


@transaction.atomic
def accept_handover(
    *, raw_token, badge_name, dietary_requirements, accessibility_needs, needs_consent, now=None
):
    """The colleague accepts the place offered by the link's token; return their new registration.

    Side effects: under the old delegate's lock, inserts the colleague's
    registration (address confirmed: the link came to it), moves what the
    place holds to it (`place_handed_over`), cancels the old registration and
    deletes its unused booking links, records the change on both, deletes the
    offer and queues an email to each. Raises `HandoverError` (nothing written).
    """
    now = now or timezone.now()
    handover = find_handover(raw_token, now)
    if handover is None:
        raise HandoverError("This link has expired or been withdrawn, or the place has gone.")
    old = lock_delegate(handover.delegate_id, related=["event", "agency"])
    if old.status != Delegate.Status.REGISTERED or not old.event.changes_are_open(now):
        raise HandoverError("This place can no longer be handed over.")
    new = Delegate(
        event=old.event,
        agency=old.agency,
        invitation=old.invitation,
        first_name=handover.first_name,
        last_name=handover.last_name,
        email=handover.email,
        job_title=handover.job_title,
        attends_day_one=old.attends_day_one,
        attends_day_two=old.attends_day_two,
        badge_name=badge_name,
        dietary_requirements=dietary_requirements,
        accessibility_needs=accessibility_needs,
        needs_consent_at=now
        if needs_consent and (dietary_requirements or accessibility_needs)
        else None,
        privacy_accepted_at=now,
        privacy_notice_version=PRIVACY_NOTICE_VERSION,
        status=Delegate.Status.REGISTERED,
        email_confirmed_at=now,
    )
    try:
        with transaction.atomic():
            new.save()
    except IntegrityError:
        raise HandoverError(
            f"{handover.email} already has a registration for {old.event.name}, so it cannot "
            f"take another place. Contact the organisers at {old.event.contact_email}."
        ) from None
    # Ended first, so the seat change email the move sends it carries no booking link.
    old.status = Delegate.Status.CANCELLED
    old.save(update_fields=["status", "updated_at"])
    place_handed_over.send(sender=None, old=old, new=new)
    old.manage_links.filter(used_at__isnull=True).delete()
    old.handovers.all().delete()
    DetailChange.objects.create(delegate=old, changed="place handed over to a colleague")
    DetailChange.objects.create(delegate=new, changed="place taken over from a colleague")
    email_delegate(
        delegate=old,
        subject="your place has been handed over",
        template="email/handover_done",
        context={"successor": new},
    )
    email_delegate(
        delegate=new,
        subject="the place is yours",
        template="email/handover_accepted",
        context={"predecessor": old},
        with_link=True,
    )
    return new


def forget_expired_handovers(*, now=None):
    """Delete offers past their expiry (they name a colleague); return how many."""
    deleted, _ = Handover.objects.filter(expires_at__lte=now or timezone.now()).delete()
    return deleted
