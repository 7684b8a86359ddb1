"""A delegate changing their own details after registering.

The delegate changes their badge name, job title, phone, days and needs from
their booking page, until the event's changes close. Each save that changes
something is recorded (`DetailChange`: which details, not their values) and
the delegate is emailed, so a change made by someone else holding their link
does not go unnoticed. Leaving day two gives up what they hold there: the
`workshops` app answers `delegate_left_day_two` in the same transaction.
"""

from django.db import transaction
from django.utils import timezone

from registration.models import Delegate, DetailChange
from registration.services.email import email_delegate
from registration.services.locking import lock_delegate
from registration.signals import delegate_left_day_two

NEEDS_FIELDS = ("dietary_requirements", "accessibility_needs")


@transaction.atomic
def update_details(*, delegate, changes, needs_consent, actor=None):
    """Save `changes` (field name -> value, from `DetailsForm`) to `delegate`'s registration.

    `needs_consent` says whether the delegate agrees to the use of their needs
    answers; `actor` is the organiser making the change, None for the delegate.
    Side effects: under the delegate's lock, updates the row, records a
    `DetailChange` and queues a 'your details have changed' email, and, when
    they leave day two, has the workshops app release what they held there.
    Returns the labels of the details changed (empty: nothing was saved).
    """
    delegate = lock_delegate(delegate.pk, related=["event", "agency"])
    changed = [field for field, value in changes.items() if getattr(delegate, field) != value]
    consent_now = needs_consent and any(changes.get(field) for field in NEEDS_FIELDS)
    consent_changed = consent_now != (delegate.needs_consent_at is not None)
    if not changed and not consent_changed:
        return []
    left_day_two = delegate.attends_day_two and not changes.get("attends_day_two", True)
    for field in changed:
        setattr(delegate, field, changes[field])
    if consent_changed:
        delegate.needs_consent_at = timezone.now() if consent_now else None
    delegate.save(update_fields=[*changed, "needs_consent_at", "updated_at"])
    if left_day_two:
        delegate_left_day_two.send(sender=None, delegate=delegate, actor=actor)
    labels = [_label(field, changes[field]) for field in changed]
    if consent_changed:
        labels.append("consent to use your needs answers")
    DetailChange.objects.create(delegate=delegate, changed=", ".join(labels)[:300], actor=actor)
    email_delegate(
        delegate=delegate,
        subject="your details have changed",
        template="email/details_changed",
        context={"changed": labels, "left_day_two": left_day_two, "by_organiser": bool(actor)},
        with_link=True,
    )
    return labels


def _label(field, value):
    """How a change is named: days say which way they went ("no longer attending day two")."""
    label = str(Delegate._meta.get_field(field).verbose_name)
    if field in ("attends_day_one", "attends_day_two"):
        return label if value else f"no longer {label}"
    return label
