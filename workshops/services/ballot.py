"""The workshop ballot: delegates rank workshops, then one allocation books everyone.

In ballot mode (`Event.booking_mode`), delegates save a ranking until
`Event.ballot_closes_at`. After it closes an organiser starts an allocation
run, which a worker runs (`workshops.services.ballot_runs`: the optimiser in
`workshops.allocation`, with first come first served and random serial
dictatorship on the same rankings for comparison), reads the report, and
publishes one run (`publish_allocation`), which books every seat through
`workshops.services.booking.book_sessions` in one transaction, emails each
delegate their timetable, tells every day-two delegate it leaves short what
they can do (`workshops.services.ballot_outcome`) and switches the event to
live booking.
"""

import hashlib
import json
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from outbox.services import sending_together
from registration.errors import UserFacingError
from registration.models import Delegate, Event
from registration.services.confirmation import unconfirmed_message
from registration.services.locking import lock_delegate, lock_delegates, lock_event
from registration.templatetags.deadlines import deadline_phrase
from workshops.allocation import BallotDelegate, BallotInstance, BallotSession
from workshops.models import AllocationRun, Preference, Session, Workshop
from workshops.services.ballot_outcome import email_left_out
from workshops.services.booking import BALLOT, BookingError, book_sessions
from workshops.services.locking import lock_allocation_run, lock_sessions


class BallotError(UserFacingError):
    """A ballot rule would break; `message` explains it to the delegate or organiser."""


class RankingRefused(BallotError):
    pass


class AllocationRefused(BallotError):
    pass


NUMBER_WORDS = {2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven", 8: "eight"}


def rankable_workshops(*, event):
    """The event's workshops that run at least once, by title: the ones a delegate can rank."""
    return Workshop.objects.filter(event=event, sessions__isnull=False).distinct().order_by("title")


def ranks_required(*, event, workshop_count):
    """How many workshops a delegate must rank: the seats they will hold, at most all of them."""
    return min(event.choices_required, workshop_count)


def ranking_problems(*, ranks, titles, required):
    """Return the rules a ranking breaks, as sentences for the delegate. Pure.

    `ranks` maps workshop id -> rank for the workshops the delegate ranked;
    `titles` maps workshop id -> title.
    """
    problems = duplicate_rank_problems(ranks=ranks, titles=titles)
    used = sorted(set(ranks.values()))
    if used != list(range(1, len(used) + 1)):
        problems.append(
            "Ranks must run 1, 2, 3… without gaps: you used "
            f"{', '.join(map(str, used))}. Use {', '.join(map(str, range(1, len(used) + 1)))}."
        )
    if len(ranks) < required:
        done = f"you ranked {len(ranks)}" if ranks else "you have not ranked any yet"
        problems.append(f"Rank at least {required} workshops; {done}.")
    return problems


def duplicate_rank_problems(*, ranks, titles):
    """Return one sentence per rank given to more than one workshop. Pure."""
    problems = []
    by_rank = {}
    for workshop_id, rank in ranks.items():
        by_rank.setdefault(rank, []).append(workshop_id)
    for rank, workshop_ids in sorted(by_rank.items()):
        if len(workshop_ids) > 1:
            count = NUMBER_WORDS.get(len(workshop_ids), str(len(workshop_ids)))
            names = sorted(f"“{titles[w]}”" for w in workshop_ids)
            listed = ", ".join(names[:-1]) + " and " + names[-1]
            problems.append(
                f"You gave rank {rank} to {count} workshops ({listed}). "
                "Give each workshop its own rank."
            )
    return problems


@transaction.atomic
def save_ranking(*, delegate, ranking, now=None):
    """Replace the delegate's ballot ranking with `ranking` (workshop ids, best first).

    Side effects: deletes the delegate's preferences and inserts one per
    ranked workshop. Raises `RankingRefused` and writes nothing when the
    ballot is closed, the delegate cannot hold seats (their email address not
    confirmed, say), or the ranking breaks a
    rule (a workshop of another event, one ranked twice, too few ranked).
    """
    delegate = lock_delegate(delegate.pk, related=["event"])
    event = delegate.event
    if not event.ballot_is_open(now):
        raise RankingRefused("The ballot has closed: rankings can no longer be changed.")
    if not delegate.is_active:
        raise RankingRefused("This registration has been cancelled.")
    if delegate.is_pending:
        raise RankingRefused(
            "Your registration is awaiting an organiser's approval; you can rank the "
            "workshops once it is approved."
        )
    if not delegate.attends_day_two:
        raise RankingRefused("Workshops are on day two; your registration is for day one only.")
    if not delegate.email_is_confirmed:
        raise RankingRefused(unconfirmed_message(delegate=delegate, doing="rank the workshops"))
    held = delegate.bookings.count()
    if held:
        raise RankingRefused(seat_holder_message(held=held))
    titles = dict(rankable_workshops(event=event).values_list("pk", "title"))
    if any(workshop_id not in titles for workshop_id in ranking):
        raise RankingRefused("One of the ranked workshops is not part of this event.")
    if len(set(ranking)) != len(ranking):
        raise RankingRefused("Each workshop can be ranked only once.")
    problems = ranking_problems(
        ranks={w: r for r, w in enumerate(ranking, start=1)},
        titles=titles,
        required=ranks_required(event=event, workshop_count=len(titles)),
    )
    if problems:
        raise RankingRefused(" ".join(problems))
    delegate.preferences.all().delete()
    return Preference.objects.bulk_create(
        Preference(delegate=delegate, workshop_id=workshop_id, rank=rank)
        for rank, workshop_id in enumerate(ranking, start=1)
    )


def seat_holder_message(*, held):
    """Why someone holding seats does not rank: `build_ballot` leaves them out. Pure."""
    return (
        f"You already hold {held} workshop{'' if held == 1 else 's'}, which you keep: the "
        "ballot is only for delegates without seats, so there is nothing for you to rank."
    )


def count_seat_holders(*, event):
    """Registered day-two delegates of `event` holding seats, and how many hold a full set.

    Returns `{"holding": n, "complete": m}` (one query): the delegates a ballot
    leaves out (`build_ballot`), whatever their address.
    """
    totals = (
        Delegate.objects.filter(
            event=event,
            status=Delegate.Status.REGISTERED,
            attends_day_two=True,
            bookings__isnull=False,
        )
        .order_by()
        .values("pk")
        .annotate(held=Count("bookings"))
        .aggregate(
            holding=Count("pk"), complete=Count("pk", filter=Q(held__gte=event.choices_required))
        )
    )
    return totals


def check_can_allocate(*, event, now=None):
    """Raise `AllocationRefused` unless `event`'s ballot is closed and someone can be allocated.

    Reads only (two small queries).
    """
    now = now or timezone.now()
    if not event.is_ballot:
        raise AllocationRefused(f"{event} uses live booking, not a ballot.")
    if event.ballot_is_open(now):
        closes = (
            f"it closes at {deadline_phrase(event.ballot_closes_at)}"
            if event.ballot_closes_at
            else "no closing time is set"
        )
        raise AllocationRefused(
            f"The ballot is still open ({closes}): delegates could change their ranking after "
            "the run. Set “Ballot closes at” on the event to close it first."
        )
    in_ballot = (
        Delegate.objects.email_confirmed()
        .filter(event=event, status=Delegate.Status.REGISTERED, attends_day_two=True)
        .filter(bookings__isnull=True)
    )
    if not Preference.objects.filter(delegate__in=in_ballot).exists():
        raise AllocationRefused("Nobody without seats has ranked any workshops: nothing to run.")


@dataclass(frozen=True)
class Ballot:
    """The allocation's input read from the database, and who it leaves out."""

    instance: BallotInstance
    delegates: dict  # id -> Delegate, in registration order
    sessions: dict  # id -> Session (with workshop, time slot and room)
    not_ranked: list  # day-two delegates without a ranking: the ballot gives them nothing
    already_booked: list  # day-two delegates already holding seats: they keep them
    fingerprint: str


def build_ballot(*, event, seed):
    """Read the ballot for `event` into a `BallotInstance` (four queries, whatever the size).

    Delegates: registered, email confirmed (nobody else may hold seats, so a
    ranking left by someone unconfirmed is skipped), attending day two, with a
    ranking and no seats yet, in registration order (the order first come
    first served uses). Sessions offer their capacity minus the seats already taken. Reads only.
    """
    sessions = {
        s.pk: s
        for s in Session.objects.on_offer(event).order_by(
            "time_slot__starts_at", "workshop__title", "pk"
        )
    }
    day_two = (
        Delegate.objects.email_confirmed()
        .filter(event=event, status=Delegate.Status.REGISTERED, attends_day_two=True)
        .select_related("event")
        .order_by("registered_at", "pk")
    )
    booked_ids = set(
        day_two.filter(bookings__isnull=False).order_by().values_list("pk", flat=True).distinct()
    )
    rankings = {}
    runs = {s.workshop_id for s in sessions.values()}
    for delegate_id, workshop_id in (
        Preference.objects.filter(delegate__in=day_two)
        .order_by("delegate_id", "rank")
        .values_list("delegate_id", "workshop_id")
    ):
        # A workshop that no longer runs drops out; the ranks below it move up.
        if workshop_id in runs:
            rankings.setdefault(delegate_id, []).append(workshop_id)
    delegates, not_ranked, already_booked = {}, [], []
    for delegate in day_two:
        if delegate.pk in booked_ids:
            already_booked.append(delegate)
        elif delegate.pk in rankings:
            delegates[delegate.pk] = delegate
        else:
            not_ranked.append(delegate)
    instance = BallotInstance(
        sessions=tuple(
            BallotSession(
                id=s.pk,
                workshop_id=s.workshop_id,
                slot_id=s.time_slot_id,
                capacity=max(s.places_left, 0),
            )
            for s in sessions.values()
        ),
        delegates=tuple(BallotDelegate(id=pk, ranking=tuple(rankings[pk])) for pk in delegates),
        k=event.choices_required,
        seed=seed,
    )
    return Ballot(
        instance=instance,
        delegates=delegates,
        sessions=sessions,
        not_ranked=not_ranked,
        already_booked=already_booked,
        fingerprint=fingerprint_instance(instance=instance),
    )


def fingerprint_instance(*, instance):
    """A hash of everything an allocation depends on except the seed. Pure."""
    data = {
        "k": instance.k,
        "sessions": [[s.id, s.workshop_id, s.slot_id, s.capacity] for s in instance.sessions],
        "delegates": [[d.id, list(d.ranking)] for d in instance.delegates],
    }
    return hashlib.sha256(json.dumps(data, separators=(",", ":")).encode()).hexdigest()


def publish_allocation(*, run, actor=None, now=None):
    """Book every seat of `run` and email each allocated delegate their timetable.

    All or nothing, in one transaction: locks the event, the run, everyone
    it books and every session it fills (in that order), refuses
    a run already published, an event no longer in ballot mode, an open ballot
    or a run whose rankings or free seats have changed since (run it again),
    then books each delegate's sessions with `book_sessions` (as `actor`, or
    as `BALLOT` in the history when no user is named), queues their
    confirmation, emails every day-two delegate it leaves short what happened
    and what they can do (`ballot_outcome.email_left_out`: once, since a run
    publishes once), switches the event to live booking and stamps the run.
    Raises `AllocationRefused` (naming the delegate, if a booking failed) and
    writes nothing when any step fails. Returns how many delegates were booked.
    """
    now = now or timezone.now()
    try:
        with transaction.atomic():
            return _publish(run=run, actor=actor, now=now)
    except BookingError as error:
        raise AllocationRefused(error.message) from error


def _publish(*, run, actor, now):
    event = lock_event(run.event_id)
    run = lock_allocation_run(run.pk)
    if run.state != AllocationRun.State.FINISHED:
        raise AllocationRefused(
            f"{run} is {run.get_state_display().lower()}: only a finished run can be published."
        )
    if run.published_at is not None:
        raise AllocationRefused(
            f"{run} was published on {timezone.localtime(run.published_at):%d %B %Y at %H:%M}; "
            "publishing it again would book everyone twice."
        )
    if not event.is_ballot:
        raise AllocationRefused(
            f"{event} is in live booking mode: another run was published already, or the "
            "ballot was switched off."
        )
    if event.ballot_is_open(now):
        raise AllocationRefused("The ballot is open again: close it and run the allocation again.")
    # Everyone the run books, then every session it fills, each in ascending id and
    # before anything is counted: `book_sessions` below locks each delegate and
    # their sessions again, which returns at once, so however many people the run
    # books it waits only in the one lock order (registration.services.locking).
    lock_delegates(int(pk) for pk, session_ids in run.assignment.items() if session_ids)
    lock_sessions({pk for session_ids in run.assignment.values() for pk in session_ids})
    ballot = build_ballot(event=event, seed=run.seed)
    if ballot.fingerprint != run.fingerprint:
        raise AllocationRefused(
            "Rankings, delegates or free seats have changed since this run was made, so its "
            "report no longer describes what would be booked. Run the allocation again."
        )
    if not any(run.assignment.values()):
        raise AllocationRefused(
            "This run gives nobody any seats (did the solver run out of time?). "
            "Run the allocation again, with a longer time limit."
        )
    booked = 0
    with sending_together():
        for delegate_id, session_ids in sorted(run.assignment.items(), key=lambda i: int(i[0])):
            if not session_ids:
                continue
            delegate = ballot.delegates[int(delegate_id)]
            try:
                book_sessions(
                    delegate=delegate,
                    sessions=[ballot.sessions[s] for s in session_ids],
                    actor=actor or BALLOT,
                )
            except BookingError as error:
                raise AllocationRefused(
                    f"Could not book {delegate}: {error.message} "
                    "Nothing has been booked or emailed."
                ) from error
            booked += 1  # book_sessions queued their confirmation
        email_left_out(event=event, ballot=ballot, assignment=run.assignment, now=now)
    event.booking_mode = Event.BookingMode.LIVE
    event.save(update_fields=["booking_mode"])
    run.published_at = now
    run.published_by = actor
    run.save(update_fields=["published_at", "published_by"])
    return booked
