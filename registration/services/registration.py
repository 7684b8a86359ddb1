"""Registering delegates. Seats are the `workshops` app's business.

Registering never tells the person at the keyboard whether the address was
registered already: the registration page checks what it can without looking
the address up (`check_registration`), answers, and leaves `register_delegate`
to a worker (`registration.tasks.register_from_form`). A new address
gets a registration waiting for confirmation and a code; an address whose
registration is confirmed gets an email telling its owner, and nothing else
changes.

An unconfirmed registration imposes nothing on the address's owner: anyone
could have typed the address, so registering it again replaces the
unconfirmed registration with the new details (and a new code, to the address).
The owner's own registration therefore always wins over a stranger's made-up
one, and the email that carries the code shows the details it confirms.
"""

from contextlib import nullcontext

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from registration.models import Agency, Delegate, new_checkin_reference
from registration.services.confirmation import send_confirmation_code
from registration.services.eligibility import admit_delegate
from registration.services.email import email_delegate
from registration.services.locking import lock_live_delegate
from registration.services.privacy import (
    PRIVACY_NOTICE_VERSION,
    discard_unconfirmed_registration,
    discardable_registrations,
)
from socex.prepared import PreparedInsert, PreparedQuery
from socex.site_url import site_url

# A registration job's two reads, prepared once per connection (socex.prepared): the
# ORM's building and compiling of each was about a tenth of the job's CPU.
_live_registration = PreparedQuery(
    Delegate,
    lambda event, email: Delegate.objects.active().filter(event=event, email=email)[:1],
    event=int,
    email=str,
)
_agency_by_pk = PreparedQuery(Agency, lambda pk: Agency.objects.filter(pk=pk), pk=int)
# Its insert, compiled once too; a clash on the address leaves the row out (ON CONFLICT DO
# NOTHING) rather than raising, so no savepoint is needed to survive it.
_insert_delegate = PreparedInsert(Delegate, skip_conflicts=True)


def _agency_named(name):
    """The agency called `name`, or an unsaved new one to check the rules against."""
    name = " ".join(name.split())
    agency = Agency.objects.filter(name__iexact=name).first()
    return agency or Agency(name=name, kind=Agency.Kind.OTHER, is_confirmed=False)


def check_registration(
    *, event, email, agency_id=None, agency=None, other_agency="", invitation_code=""
):
    """Raise `eligibility.NotEligible` if this registration would be refused. Writes nothing.

    Never looks at whether `email` is registered, so its answer is the same
    for an address that is and one that is not. `agency`, the row of
    `agency_id` if the caller has just read it (the registration form has),
    saves reading it again.
    """
    if agency_id and (agency is None or agency.pk != agency_id):
        agency = Agency.objects.get(pk=agency_id)
    elif not agency_id:
        agency = _agency_named(other_agency)
    # admit_delegate locks the agency (a place limit) or the invitation (a code), which
    # needs a transaction; with neither it reads nothing more, and needs none.
    needs_locks = agency.place_limit is not None or invitation_code.strip()
    with transaction.atomic() if needs_locks else nullcontext():
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
    request racing this one) that is confirmed, nothing is registered: its owner
    is emailed that someone tried, with a code and a link to their booking. If
    that registration is not confirmed, and so holds nothing, it is discarded
    and these details registered in its place (`replaces_unconfirmed`).

    Side effects: inserts the delegate (and maybe an agency), may delete an
    unconfirmed registration of the same address
    (`privacy.discard_unconfirmed_registration`) and, either way, inserts a
    confirmation code, a booking link and a queued email. Returns the delegate
    registered, or the one already registered. Raises `eligibility.NotEligible`
    (nothing written).
    """
    email = details["email"].strip().lower()
    found = _live_registration(event=event.pk, email=email)
    existing = found[0] if found else None  # at most one (delegate_one_live_registration_per_email)
    if existing is not None and not replaces_unconfirmed(existing):
        return _tell_owner(existing)
    agency = _agency(agency_id) if agency_id else find_or_add_typed_agency(name=other_agency)
    admission = admit_delegate(
        event=event,
        agency=agency,
        email=email,
        invitation_code=invitation_code,
        agency_typed_in=not agency_id,
    )
    if existing is not None:
        # Locked and deleted after the agency and invitation admit_delegate locked.
        discard_unconfirmed_registration(delegate=existing)
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
    delegate.tidy()  # what save() does first
    if not _insert_delegate(delegate):
        # Another request registered this address between our look-up and the insert
        # (PostgreSQL made the insert wait for its commit, so this read sees it).
        found = _live_registration(event=event.pk, email=email)
        if not found:
            raise IntegrityError("the delegate was refused, and not for its address")
        return _tell_owner(found[0])
    send_confirmation_code(delegate=delegate, first=True)  # a new row: no earlier code to spend
    return delegate


@transaction.atomic
def add_delegate(*, delegate, added_by, basis, note="", address_known=False, now=None):
    """Register `delegate` (unsaved, its details filled in) as added by the organiser `added_by`.

    For speakers, guests, walk-ins and people an organiser registers on request:
    no eligibility rule or place limit applies (the organiser decides) and the
    registration is live at once. `basis` (an `AddedBasis`) and `note` record why.
    They never saw the registration form's privacy notice, so no acceptance is
    recorded (`privacy_accepted_at` stays empty, which only an organiser's
    addition may) and their email links to the notice instead.

    An organiser cannot prove the address is the delegate's, so it counts as
    confirmed only with `address_known` (they wrote from it, or showed it in
    person); otherwise opening the booking link in their email confirms it (no
    code: the code page works only in the browser that registered). Until then
    they hold no seats, like anyone unconfirmed, but are never discarded as
    unconfirmed.

    Side effects: inserts the delegate, a booking link and a queued email.
    Returns the delegate.
    """
    now = now or timezone.now()
    delegate.added_by = added_by
    delegate.added_basis = basis
    delegate.added_note = note
    delegate.privacy_accepted_at = None
    delegate.privacy_notice_version = PRIVACY_NOTICE_VERSION
    delegate.status = Delegate.Status.REGISTERED
    delegate.email_confirmed_at = now if address_known else None
    delegate.save()
    email_delegate(
        delegate=delegate,
        subject="you have been registered",
        template="email/added_by_organiser",
        context={"privacy_url": site_url() + reverse("privacy")},
        with_link=True,
    )
    return delegate


def _agency(pk):
    found = _agency_by_pk(pk=pk)
    if not found:
        raise Agency.DoesNotExist("Agency matching query does not exist.")
    return found[0]


def replaces_unconfirmed(delegate):
    """Whether registering `delegate`'s address again replaces their registration.

    It does while the address is unconfirmed and the registration holds
    nothing (`privacy.discardable_registrations`): then it may be anyone's
    invention. A confirmed one is its owner's and is never replaced.
    """
    return discardable_registrations().filter(pk=delegate.pk).exists()


def _tell_owner(delegate):
    """Email the owner of `delegate`'s address that someone tried to register it; return them.

    Locked first, as "send me a new code" locks: each new code spends the ones
    before it, so registrations of the address at once must take turns, or
    each would leave its own code working (only the newest may). Nothing is
    sent if the registration has gone (cancelled, erased) meanwhile.
    """
    locked = lock_live_delegate(delegate.pk, email=delegate.email, related=["event", "agency"])
    if locked is None:
        return delegate
    send_confirmation_code(delegate=locked, attempt=True)
    return locked


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
