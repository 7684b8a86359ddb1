"""Registering delegates. Seats are the `workshops` app's business.

Registering never tells the person at the keyboard whether the address was
registered already: the registration page checks what it can without looking
the address up (`check_registration`), answers, and leaves `register_delegate`
to a worker (`registration.tasks.register_from_form`). A new address
gets a registration waiting for confirmation and a code; an address already
registered gets an email telling its owner, and nothing else changes.
"""

from django.db import IntegrityError, transaction
from django.utils import timezone

from registration.models import Agency, Delegate, new_checkin_reference
from registration.services.confirmation import send_confirmation_code
from registration.services.eligibility import admit_delegate
from registration.services.email import email_delegate
from registration.services.privacy import PRIVACY_NOTICE_VERSION


def _agency_named(name):
    """The agency called `name`, or an unsaved new one to check the rules against."""
    name = " ".join(name.split())
    agency = Agency.objects.filter(name__iexact=name).first()
    return agency or Agency(name=name, kind=Agency.Kind.OTHER, is_confirmed=False)


@transaction.atomic
def check_registration(*, event, email, agency_id=None, other_agency="", invitation_code=""):
    """Raise `eligibility.NotEligible` if this registration would be refused. Writes nothing.

    Never looks at whether `email` is registered, so its answer is the same
    for an address that is and one that is not.
    """
    agency = Agency.objects.get(pk=agency_id) if agency_id else _agency_named(other_agency)
    admit_delegate(
        event=event,
        agency=agency,
        email=email,
        invitation_code=invitation_code,
        agency_typed_in=not agency_id,
    )


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
    """Register a delegate for `event`, unconfirmed, and email them a code to confirm the address.

    `details` holds the Delegate fields from the registration form. A typed-in
    agency is created unconfirmed (or reused if one of that name exists).
    Who qualifies, and who is held for approval, is `eligibility.admit_delegate`'s
    call. Stores the privacy notice version agreed to and, with `needs_consent`,
    when the delegate consented to the use of their dietary and accessibility
    answers. If the address already has a live registration (even one made by a
    request racing this one), nothing is registered: its owner is emailed that
    someone tried, with a code and a link to their booking.

    Side effects: inserts the delegate (and maybe an agency) and, either way, a
    confirmation code, a booking link and a queued email. Returns the delegate
    registered, or the one already registered. Raises `eligibility.NotEligible`
    (nothing written).
    """
    email = details["email"].strip().lower()
    existing = Delegate.objects.active().filter(event=event, email=email).first()
    if existing is not None:
        return _tell_owner(existing)
    if agency_id:
        agency = Agency.objects.get(pk=agency_id)
    else:
        agency = find_or_add_typed_agency(name=other_agency)
    admission = admit_delegate(
        event=event,
        agency=agency,
        email=email,
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
    except IntegrityError:
        # Another request registered this address between our look-up and the insert.
        return _tell_owner(Delegate.objects.active().get(event=event, email=email))
    send_confirmation_code(delegate=delegate)
    return delegate


def _tell_owner(delegate):
    send_confirmation_code(delegate=delegate, attempt=True)
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


def replace_checkin_reference(*, delegate):
    """A lost badge: give the delegate a new check-in reference, so the old badge stops working.

    Side effects: updates the delegate's `checkin_reference` (print a new badge
    afterwards). Returns the delegate.
    """
    delegate.checkin_reference = new_checkin_reference()
    delegate.save(update_fields=["checkin_reference", "updated_at"])
    return delegate
