"""Registering delegates. Seats are the `workshops` app's business."""

from django.db import IntegrityError, transaction
from django.utils import timezone

from registration.errors import UserFacingError
from registration.models import Agency, Delegate
from registration.services.eligibility import admit_delegate
from registration.services.email import email_delegate
from registration.services.privacy import PRIVACY_NOTICE_VERSION


class AlreadyRegistered(UserFacingError):
    message = "This email is already registered. Use “Find my booking” to get a link to it."


@transaction.atomic
def register_delegate(
    *,
    event,
    details,
    agency_id=None,
    other_agency="",
    invitation_code="",
    needs_consent=False,
):
    """Register a delegate for `event` and email them a link to their booking.

    `details` holds the Delegate fields from the registration form. A typed-in
    agency is created unconfirmed (or reused if one of that name exists).
    Who qualifies, and who is held for approval, is `eligibility.admit_delegate`'s
    call. Stores the privacy notice version agreed to and, with `needs_consent`,
    when the delegate consented to the use of their dietary and accessibility
    answers. Side effects: inserts the delegate (and maybe an agency), a booking
    link and a queued email. Raises `eligibility.NotEligible` (nothing written),
    or `AlreadyRegistered` if the address has a live registration, even when
    two requests race. People naming the same new agency at once share one.
    """
    if agency_id:
        agency = Agency.objects.get(pk=agency_id)
    else:
        agency = find_or_add_typed_agency(name=other_agency)
    admission = admit_delegate(
        event=event,
        agency=agency,
        email=details["email"],
        invitation_code=invitation_code,
        agency_typed_in=not agency_id,
    )
    now = timezone.now()
    delegate = Delegate(
        event=event,
        agency=agency,
        privacy_accepted_at=now,
        privacy_notice_version=PRIVACY_NOTICE_VERSION,
        needs_consent_at=now if needs_consent else None,
        status=admission.status,
        invitation=admission.invitation,
        **details,
    )
    try:
        with transaction.atomic():
            delegate.save()
    except IntegrityError as error:
        raise AlreadyRegistered() from error
    send_registration_email(delegate=delegate)
    return delegate


def find_or_add_typed_agency(*, name):
    """The agency called `name` (spaces tidied, any case), added unconfirmed if there is none.

    Must run inside a transaction. Side effects: may insert an `Agency`. Safe
    when several registrations name a new agency at once: the insert runs in a
    savepoint, and the one that loses the race on the unique name (PostgreSQL
    makes it wait for the winner's commit) takes the winner's row instead.
    """
    name = " ".join(name.split())
    agency = Agency.objects.filter(name__iexact=name).first()
    if agency is not None:
        return agency
    try:
        with transaction.atomic():
            return Agency.objects.create(name=name, kind=Agency.Kind.OTHER, is_confirmed=False)
    except IntegrityError:
        # Committed by the winner by now, so this read sees it (READ COMMITTED).
        agency = Agency.objects.filter(name__iexact=name).first()
        if agency is None:
            raise  # not the unique name (the row was refused for another reason)
        return agency


def send_registration_email(*, delegate):
    """Queue the 'you are registered' (or 'awaiting approval') email with a fresh booking link."""
    pending = delegate.is_pending
    email_delegate(
        delegate=delegate,
        subject="your registration is awaiting approval" if pending else "you are registered",
        template="email/registration_pending" if pending else "email/registered",
        with_link=True,
    )
