"""Registration's background jobs: what a public form asked for, looked up and done later.

The registration form, "Find my booking" and "Send me a new code" answer the
same whatever the address typed, and do the same work in the request:
validate, rate-limit, enqueue one of these jobs. Whether the address is
registered is looked up here, in a worker, so nothing about it reaches the
person at the keyboard, not even in the time the answer takes. What was typed
travels sealed (`worker.sealed`) and is blanked once the job's work commits
(`worker.once.running_once`, which also makes a second run of a job do nothing).
Each job carries the origin the request came to (`socex.site_url`), so the
links it emails start as they would have in the request. The email a job
queues is sent by the job itself once its work commits (`sending_here`), not
by a further job.
"""

import datetime
import logging

from django_tasks import task

from outbox.services import sending_here
from registration.models import Event
from registration.services.confirmation import resend_confirmation_code
from registration.services.eligibility import NotEligible
from registration.services.handover import forget_expired_handovers
from registration.services.link_request import send_link_if_registered
from registration.services.privacy import (
    anonymise_expired_delegates,
    purge_unconfirmed_registrations,
)
from registration.services.registration import register_delegate
from socex.prepared import PreparedQuery
from socex.site_url import links_from
from worker.once import running_once
from worker.schedule import daily
from worker.sealed import seal_arguments, unseal_arguments

logger = logging.getLogger(__name__)

# Read by every registration job: prepared once per connection (socex.prepared).
_event_by_pk = PreparedQuery(Event, lambda pk: Event.objects.filter(pk=pk), pk=int)


def _event(pk):
    found = _event_by_pk(pk=pk)
    if not found:
        raise Event.DoesNotExist("Event matching query does not exist.")
    return found[0]


def registration_sealed(*, event, details, agency_id, other_agency, invitation_code, needs_consent):
    """The registration form's answers, sealed for `register_from_form`."""
    return seal_arguments(
        event_id=event.pk,
        details=details,
        agency_id=agency_id,
        other_agency=other_agency,
        invitation_code=invitation_code,
        needs_consent=needs_consent,
    )


@task(takes_context=True)
def register_from_form(context, *, sealed, origin=None):
    """Register what the form sent (`registration_sealed`), or tell the address's owner.

    Idempotent: `running_once`.
    """
    with sending_here(), links_from(origin), running_once(context) as first:
        if not first:
            return None
        answers = unseal_arguments(sealed)
        event = _event(answers.pop("event_id"))
        try:
            delegate = register_delegate(event=event, **answers)
        except NotEligible as error:
            # Something changed since the form checked it (an organiser's edit, a place filled).
            logger.warning("Registration refused in the worker: %s", error.message)
            return None
        return {"delegate": delegate.pk}


@task(takes_context=True)
def send_link_to(context, *, sealed, origin=None):
    """Email a booking link to the sealed address if it is registered.

    Idempotent: `running_once`.
    """
    with sending_here(), links_from(origin), running_once(context) as first:
        if first:
            send_link_if_registered(email=unseal_arguments(sealed)["email"])


@task(takes_context=True)
def resend_code_to(context, *, sealed, origin=None):
    """Email a new code to the sealed address if it has a registration for the sealed event.

    Idempotent: `running_once`.
    """
    with sending_here(), links_from(origin), running_once(context) as first:
        if first:
            answers = unseal_arguments(sealed)
            event = _event(answers["event_id"])
            resend_confirmation_code(event=event, email=answers["email"])


@daily(at=datetime.time(3, 15))
@task
def apply_retention():
    """Anonymise delegates `RETENTION_DAYS` after their event ended.

    Idempotent: delegates already anonymised are skipped, so a second run of the
    same day does nothing.
    """
    done = anonymise_expired_delegates()
    return {"anonymised": sum(count for _event, count in done)}


@daily(at=datetime.time(3, 45))
@task
def purge_unconfirmed():
    """Delete registrations never confirmed `UNCONFIRMED_REGISTRATION_DAYS` after they were made.

    Idempotent: what was deleted is gone, and each registration is checked again
    under its lock, so a second run (or one racing a confirmation) deletes nothing
    it should not.
    """
    return {
        "deleted": purge_unconfirmed_registrations(),
        "expired_handovers": forget_expired_handovers(),
    }
