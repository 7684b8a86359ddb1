"""Who may register: work email domains, invitation codes, approval and place limits.

Organisers set, per agency, how people qualify (`Agency.admission`):

- by work email domain (an address at one of the agency's domains or a
  subdomain of one), or a valid invitation code;
- by invitation code only;
- by organiser approval: a matching domain or a valid code registers at once,
  anyone else is held as `pending` and cannot book seats until approved;
- open: anyone who names the agency.

Someone whose agency is not listed is always held for approval, unless they
bring an invitation code that is not tied to an agency (that is what such
codes are for). A valid code always qualifies, whatever the agency's rule.

Places are consumed like seats, but only by delegates who confirmed their
email address: an address nobody has proved is someone's takes nothing, so a
stranger cannot fill an agency's places (or use up an invitation) by typing
made-up addresses. Registering checks the counts; confirming the address
(`check_places_on_confirmation`, from `registration.services.confirmation`)
checks them again and is what takes the place. Both lock the agency row, then
the invitation row (levels 3 and 4 of the order in
`registration.services.locking`; confirming locks the delegate after them),
then count the live, confirmed delegates.
"""

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from registration.errors import UserFacingError
from registration.models import Agency, Delegate, Invitation, normalise_invitation_code
from registration.services.email import email_delegate
from registration.services.locking import lock_agency, lock_delegate, lock_invitation, lock_row


class NotEligible(UserFacingError):
    """The person may not register like this; `message` tells them what to do.

    `field` names the registration form field the message belongs to.
    """

    def __init__(self, message, *, field="email"):
        super().__init__(message)
        self.field = field


class NotPending(UserFacingError):
    message = "Only registrations awaiting approval can be approved."


@dataclass(frozen=True)
class Admission:
    status: str
    invitation: Invitation | None = None


def parse_domains(text):
    """The domains in an agency's `email_domains` text, lower case, without '@' or '*.'."""
    domains = []
    for raw in text.replace(",", "\n").split():
        domain = raw.strip().lower().lstrip("@").removeprefix("*.").strip(".")
        if domain:
            domains.append(domain)
    return domains


def email_matches_domains(email, domains):
    """True if `email` is at one of `domains` or at a subdomain of one."""
    host = email.rpartition("@")[2].strip().lower().rstrip(".")
    return any(host == d or host.endswith("." + d) for d in domains)


def admit_delegate(*, event, agency, email, invitation_code="", agency_typed_in=False, now=None):
    """Decide whether `email` may register for `event` with `agency`, and how.

    Must run inside the registration transaction: it locks the agency row
    (when it has a place limit) and the invitation row (when a code is given),
    so the counts it checks stay true until the delegate is inserted.
    Returns an `Admission` with the status to register with (registered or
    pending) and the invitation used. Raises `NotEligible`. Writes nothing.
    """
    now = now or timezone.now()
    if agency.place_limit is not None:
        check_agency_place_limit(event=event, agency=agency)
    invitation = None
    if invitation_code.strip():
        invitation = claim_invitation(
            event=event,
            code=invitation_code,
            agency=None if agency_typed_in else agency,
            now=now,
        )
        return Admission(Delegate.Status.REGISTERED, invitation)
    if agency_typed_in:
        return Admission(Delegate.Status.PENDING)
    domain_ok = email_matches_domains(email, parse_domains(agency.email_domains))
    rule = agency.admission
    if rule == Agency.Admission.OPEN or (
        domain_ok and rule in (Agency.Admission.EMAIL_DOMAIN, Agency.Admission.APPROVAL)
    ):
        return Admission(Delegate.Status.REGISTERED)
    if rule == Agency.Admission.APPROVAL:
        return Admission(Delegate.Status.PENDING)
    if rule == Agency.Admission.INVITATION:
        raise NotEligible(
            f"Registration for {agency.name} is by invitation: enter the code from your "
            "invitation.",
            field="invitation_code",
        )
    raise NotEligible(
        f"Use your work email address at {agency.name}, or enter an invitation code.",
    )


def check_agency_place_limit(*, event, agency):
    """Lock `agency` and raise `NotEligible` if its live delegates fill its place limit."""
    limit = lock_agency(agency.pk).place_limit
    if limit is None:
        return
    taken = Delegate.objects.active().email_confirmed().filter(event=event, agency=agency).count()
    if taken >= limit:
        raise NotEligible(
            f"All {limit} places for {agency.name} have been taken. Contact the organisers "
            f"at {event.contact_email} if you need one.",
            field="agency",
        )


def claim_invitation(*, event, code, agency, now):
    """Lock and return the invitation for `code`, or raise `NotEligible` saying why not.

    `agency` is the agency the person chose (None when they typed one in); a
    code tied to another agency is refused.
    """
    invitation = lock_invitation(event=event, code=normalise_invitation_code(code))
    if invitation is None:
        raise NotEligible(
            "We do not recognise this invitation code. Check it against your invitation, "
            "or leave it empty.",
            field="invitation_code",
        )
    if invitation.expires_at and invitation.expires_at <= now:
        raise NotEligible(
            "This invitation code has expired. Ask whoever invited you for a new one.",
            field="invitation_code",
        )
    if invitation.agency_id and invitation.agency_id != getattr(agency, "pk", None):
        raise NotEligible(
            f"This invitation code is for {invitation.agency.name}: select that agency.",
            field="invitation_code",
        )
    if _invitation_uses(invitation) >= invitation.max_uses:
        raise NotEligible(
            "This invitation code has already been used. Ask whoever invited you for a new one.",
            field="invitation_code",
        )
    return invitation


def _invitation_uses(invitation):
    return invitation.delegates.active().email_confirmed().count()


def check_places_on_confirmation(*, delegate):
    """Lock and recount what `delegate` is about to take: an agency place, an invitation use.

    Must run inside the transaction that confirms the address. Raises
    `NotEligible` if the places filled while the address waited for
    confirmation. Writes nothing. A delegate an organiser added is never
    refused here: the organiser gave them the place (it still counts towards
    the agency's limit for everyone after them).
    """
    if delegate.was_added_by_organiser:
        return
    agency = delegate.agency
    if agency.place_limit is not None:
        check_agency_place_limit(event=delegate.event, agency=agency)
    if delegate.invitation_id is None:
        return
    invitation = lock_row(Invitation, delegate.invitation_id)
    if _invitation_uses(invitation) >= invitation.max_uses:
        raise NotEligible(
            "The invitation code you registered with has been used up by others since. "
            f"Contact the organisers at {delegate.event.contact_email} if you need a place.",
            field="invitation_code",
        )


@transaction.atomic
def approve_registration(*, delegate):
    """Approve a registration held for approval and email the delegate their booking link.

    Side effects: sets the delegate's status to registered and queues the
    'approved' email with a fresh booking link. Raises `NotPending` if the
    delegate is not awaiting approval (approving twice sends one email).
    """
    delegate = lock_delegate(delegate.pk, related=["event"])
    if not delegate.is_pending:
        raise NotPending()
    delegate.status = Delegate.Status.REGISTERED
    delegate.save(update_fields=["status", "updated_at"])
    email_delegate(
        delegate=delegate,
        subject="your registration is approved",
        template="email/registration_approved",
        with_link=True,
    )
    return delegate
