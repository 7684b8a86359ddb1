"""Proving an email address is the delegate's own: a 6-digit code typed back, or a booking link.

A registration by itself proves nothing: anyone can type anyone's address. So
a new registration starts unconfirmed (`Delegate.email_confirmed_at` empty)
and holds no seat, waiting-list place or ballot ranking, and takes none of its
agency's places, until the person shows they read that mailbox: by typing the
code we emailed on the page they registered from (which works on a locked-down
laptop whose mail is on a phone), or by opening the booking link in the same
email (`registration.views.link.open_link`). An organiser adding someone in the
admin cannot prove the mailbox is theirs either: the address is confirmed at
once only if the organiser says they know it
(`registration.services.registration.add_delegate`).

Codes are random, stored only as a keyed hash, work for
`CONFIRMATION_CODE_MINUTES` and survive `CONFIRMATION_CODE_ATTEMPTS` wrong
guesses; only the newest one works. Asking for new codes is rate limited
(`RATE_LIMITS["resend_code"]`), so guessing stays hopeless.
"""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from registration.errors import UserFacingError
from registration.models import (
    Delegate,
    EmailConfirmation,
    Invitation,
    hash_confirmation_code,
    new_confirmation_code,
)
from registration.services.eligibility import check_places_on_confirmation
from registration.services.email import email_delegate
from registration.services.locking import (
    lock_agency,
    lock_delegate,
    lock_live_delegate,
    lock_row,
)
from socex.prepared import PreparedInsert, PreparedQuery


class CodeRefused(UserFacingError):
    """The code typed does not confirm the address; `message` says what to do."""


WRONG_CODE = (
    "That is not the code we emailed. Check the newest email from us and type its 6 digits."
)
NO_CODE = (
    "This code no longer works: codes last {minutes} minutes and only the newest one works. "
    "Send yourself a new one below."
)
CODE_SPENT = (
    "That code was typed wrongly too many times, so it no longer works. "
    "Send yourself a new one below."
)


def issue_confirmation_code(*, delegate, now=None, first=False):
    """Create a new confirmation code for `delegate` and return it (the only clear copy).

    Side effects: spends the delegate's earlier unused codes (only the newest
    works; with `first`, the delegate was inserted in this transaction and has
    none) and inserts an `EmailConfirmation` holding the code's keyed hash.
    """
    now = now or timezone.now()
    if not first:
        delegate.email_confirmations.filter(used_at__isnull=True).update(used_at=now)
    code = new_confirmation_code()
    _insert_code(
        EmailConfirmation(
            delegate=delegate,
            code_hash=hash_confirmation_code(delegate_id=delegate.pk, code=code),
            expires_at=now + timedelta(minutes=settings.CONFIRMATION_CODE_MINUTES),
        )
    )
    return code


# Every registration job inserts a code: its INSERT is compiled once per connection.
_insert_code = PreparedInsert(EmailConfirmation)


def send_confirmation_code(*, delegate, attempt=False, first=False):
    """Email `delegate` a new code and booking link, either of which confirms the address.

    `attempt` says someone has just tried to register again with an address
    that already has a registration: the email then tells the owner so, and
    that nothing changed. A delegate already confirmed gets that wording too,
    since they have nothing to confirm. `first` says the delegate was just
    inserted. Side effects: a new code (see `issue_confirmation_code`), a new
    booking link and a queued email; the code and link are stored in the
    outbox only encrypted.
    """
    code = issue_confirmation_code(delegate=delegate, first=first)
    already = attempt or delegate.email_is_confirmed
    return email_delegate(
        delegate=delegate,
        subject="someone tried to register with your address"
        if already
        else "your confirmation code",
        template="email/already_registered" if already else "email/confirm_address",
        context={
            "code_minutes": settings.CONFIRMATION_CODE_MINUTES,
            "unconfirmed_days": settings.UNCONFIRMED_REGISTRATION_DAYS,
        },
        secrets={"code": code},
        with_link=True,
    )


def resend_confirmation_code(*, event, email):
    """Email a new code to `email` if it has a live registration for `event`.

    The caller answers the same either way (and runs this after its response),
    so nobody learns whether the address is registered. Side effects: as
    `send_confirmation_code`, or nothing.
    """
    delegate = _live_delegate(event=event, email=email)
    if delegate is None:
        return None
    return resend_code_to_delegate(delegate_id=delegate.pk, email=delegate.email)


@transaction.atomic
def resend_code_to_delegate(*, delegate_id, email):
    """Email a new code to the delegate found at `email`, if they still are there; return them.

    Side effects: locks the delegate; if their registration is still live, not
    anonymised and at `email` (an erasure may have run since they were looked
    up), as `send_confirmation_code`. Returns None if it sent nothing.
    """
    delegate = lock_live_delegate(delegate_id, email=email, related=["event", "agency"])
    if delegate is None:
        return None
    send_confirmation_code(delegate=delegate)
    return delegate


def confirm_with_code(*, event, email, code, now=None):
    """Confirm `email`'s registration for `event` with the emailed `code`; return the delegate.

    Side effects: on success, spends the code and confirms the address
    (`confirm_email_address`); on a wrong code, counts the attempt and, at
    `CONFIRMATION_CODE_ATTEMPTS`, spends the code. Raises `CodeRefused` (the
    attempt still counted) or `eligibility.NotEligible` if the agency's places
    filled meanwhile (nothing written). An address with no registration gets
    the same refusals as a wrong or expired code.
    """
    now = now or timezone.now()
    code = "".join(code.split())
    with transaction.atomic():
        delegate = _live_delegate(event=event, email=email)
        if delegate is not None:
            # The delegate's lock guards their codes: two guesses at once count one by one.
            delegate = _lock_for_confirmation(delegate)
        confirmation = _newest_code(delegate, now=now) if delegate is not None else None
        if confirmation is None:
            refusal = NO_CODE.format(minutes=settings.CONFIRMATION_CODE_MINUTES)
        elif confirmation.matches(code):
            confirmation.used_at = now
            confirmation.save(update_fields=["used_at"])
            return _confirm_locked(delegate=delegate, now=now)
        else:
            confirmation.attempts += 1
            spent = confirmation.attempts >= settings.CONFIRMATION_CODE_ATTEMPTS
            if spent:
                confirmation.used_at = now
            confirmation.save(update_fields=["attempts", "used_at"])
            refusal = CODE_SPENT if spent else WRONG_CODE
    raise CodeRefused(refusal)


@transaction.atomic
def confirm_email_address(*, delegate, now=None):
    """Record that `delegate` has shown the address is theirs; return the delegate.

    This is what takes the delegate's agency place and invitation use, so it
    counts them again under lock (`eligibility.check_places_on_confirmation`).
    Side effects: sets `email_confirmed_at` (the first time only). Raises
    `eligibility.NotEligible` and writes nothing if those places have filled.
    """
    row = Delegate.objects.select_related("agency").get(pk=delegate.pk)
    return _confirm_locked(delegate=_lock_for_confirmation(row), now=now)


def _confirm_locked(*, delegate, now=None):
    """Confirm `delegate`'s address, locked with what it takes (`_lock_for_confirmation`)."""
    if delegate.email_is_confirmed:
        return delegate
    check_places_on_confirmation(delegate=delegate)
    delegate.email_confirmed_at = now or timezone.now()
    delegate.save(update_fields=["email_confirmed_at", "updated_at"])
    return delegate


def _lock_for_confirmation(row):
    """Lock what confirming takes, in the lock order: the agency, the invitation, the delegate.

    Confirming counts the agency's places and the invitation's uses, so those
    rows (levels 3 and 4) are locked before the delegate (level 5). `row`, the
    delegate as read before any lock (agency loaded), says which they are;
    returns the delegate locked, event and agency loaded.
    """
    if row.agency.place_limit is not None:
        lock_agency(row.agency_id)
    if row.invitation_id is not None:
        lock_row(Invitation, row.invitation_id)
    return lock_delegate(row.pk, related=["event", "agency"])


# Confirming is one of the rush's six requests: its two reads are prepared once per
# connection (socex.prepared), saving about 1.5 ms of ORM work each time.
_live_delegate_at = PreparedQuery(
    Delegate,
    lambda event, email: (
        Delegate.objects.active()
        .select_related("event", "agency")
        .filter(event=event, email=email)[:1]
    ),
    event=int,
    email=str,
)
_unused_codes = PreparedQuery(
    EmailConfirmation,
    lambda delegate: EmailConfirmation.objects.filter(delegate=delegate, used_at__isnull=True)[:1],
    delegate=int,
)


def _live_delegate(*, event, email):
    found = _live_delegate_at(event=event.pk, email=email.strip().lower())
    return found[0] if found else None


def _newest_code(delegate, *, now):
    """The delegate's usable code, or None.

    Issuing a code spends every earlier unused one, so the newest unused code is
    the only candidate: it works if it has not expired.
    """
    found = _unused_codes(delegate=delegate.pk)
    return found[0] if found and found[0].expires_at > now else None


def unconfirmed_message(*, delegate, actor=None, doing="choose workshops"):
    """Why someone whose address is not confirmed cannot `doing`, for them or an organiser."""
    if actor is not None:
        return (
            f"{delegate} has not confirmed their email address yet, so they cannot hold "
            "seats. Resend their confirmation email, or confirm the address yourself."
        )
    return (
        f"Confirm your email address before you {doing}: type the 6-digit code we emailed "
        f"to {delegate.email}, or open the link in that email."
    )
