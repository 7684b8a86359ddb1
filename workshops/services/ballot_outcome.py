"""Telling the delegates a published ballot leaves short what happened and what they can do.

The ballot gives each ranked delegate a full set or nothing, and nothing to
anyone who did not rank. Publishing (`workshops.services.ballot`) emails every
day-two delegate it leaves with fewer than the required workshops, once, in
the publishing transaction (a run publishes once, so nobody hears twice); the
booking page says the same for as long as their set is incomplete
(`ballot_outcome`). What they can do: choose a full set from the places left,
first come first served, while changes are open and one is free; join waiting
lists; or ask the organisers.
"""

from dataclasses import dataclass

from workshops.models import AllocationRun, Booking, Preference
from workshops.services.availability import full_set_is_free
from workshops.services.notifications import send_ballot_outcome


@dataclass(frozen=True)
class BallotOutcome:
    """What a published ballot did for a delegate who is still short of workshops."""

    published_at: object  # datetime
    ranked: bool  # they ranked workshops before it closed
    held: int  # workshops they hold now
    changes_open: bool  # they may still choose or join waiting lists themselves
    full_set_free: bool  # a full set of different workshops still has places

    @property
    def can_choose(self):
        return self.changes_open and self.full_set_free


def email_left_out(*, event, ballot, assignment, now):
    """Email each delegate the ballot of `assignment` leaves short; return how many.

    `ballot` is the `Ballot` publishing read (who ranked, who did not, who held
    seats already); `assignment` maps delegate ids (strings) to the session ids
    just booked. Must run inside the publishing transaction, after the seats
    are booked. Side effects: queues one email per delegate left short.
    """
    required = event.choices_required
    held_before = dict.fromkeys((d.pk for d in ballot.already_booked), 0)
    for delegate_id in Booking.objects.filter(delegate_id__in=held_before).values_list(
        "delegate_id", flat=True
    ):
        held_before[delegate_id] += 1
    short = [
        (delegate, True, len(assignment.get(str(pk), ())))
        for pk, delegate in ballot.delegates.items()
        if len(assignment.get(str(pk), ())) < required
    ]
    short += [(delegate, False, 0) for delegate in ballot.not_ranked]
    ranked_ids = set(
        Preference.objects.filter(
            delegate_id__in=[d.pk for d in ballot.already_booked]
        ).values_list("delegate_id", flat=True)
    )
    short += [
        (delegate, delegate.pk in ranked_ids, held_before[delegate.pk])
        for delegate in ballot.already_booked
        if held_before[delegate.pk] < required
    ]
    if not short:
        return 0
    changes_open = event.changes_are_open(now)
    full_set_free = changes_open and full_set_is_free(event=event)
    for delegate, ranked, held in sorted(short, key=lambda entry: entry[0].pk):
        send_ballot_outcome(
            delegate=delegate,
            outcome=BallotOutcome(
                published_at=now,
                ranked=ranked,
                held=held,
                changes_open=changes_open,
                full_set_free=full_set_free,
            ),
        )
    return len(short)


def ballot_outcome(*, delegate, held, now=None):
    """The published ballot's outcome for `delegate`, who holds `held` workshops; else None.

    None when the event's ballot is unpublished or still running, when they
    hold a full set, or when they registered (or confirmed) after it was
    published: then it did nothing to them. Four queries at most.
    """
    event = delegate.event
    if (
        event.is_ballot
        or not delegate.attends_day_two
        or held >= event.choices_required
        or delegate.email_confirmed_at is None
    ):
        return None
    run = (
        AllocationRun.objects.filter(event=event, published_at__isnull=False)
        .order_by("-published_at")
        .only("published_at")
        .first()
    )
    if run is None or delegate.email_confirmed_at > run.published_at:
        return None
    changes_open = event.changes_are_open(now)
    return BallotOutcome(
        published_at=run.published_at,
        ranked=Preference.objects.filter(delegate=delegate).exists(),
        held=held,
        changes_open=changes_open,
        full_set_free=changes_open and full_set_is_free(event=event),
    )
