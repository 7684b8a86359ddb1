"""After the ballot closes: build the instance, run the allocation, read the report, publish."""

import datetime
import random

import pytest
from django.utils import timezone

from outbox.models import OutgoingEmail
from registration.models import Delegate, Event
from tests.factories import AdminUserFactory, DelegateFactory, rank_workshops
from workshops.allocation import (
    allocate_first_come_first_served,
    allocate_optimal,
    allocate_random_serial_dictatorship,
    find_allocation_problems,
)
from workshops.models import AllocationRun, Booking, BookingChange, Session
from workshops.services.ballot import AllocationRefused, build_ballot, publish_allocation
from workshops.services.ballot_report import people_in_report
from workshops.services.ballot_runs import run_allocation
from workshops.services.booking import book_sessions

BOOKED_SUBJECT = "Strategic SOCEX 2019: your workshops are booked"


@pytest.fixture
def organiser(db):
    return AdminUserFactory(username="olu", is_superuser=True)


def ranked_delegates(event, workshops, count, seed=7):
    """`count` delegates, in registration order, each ranking all workshops (seeded shuffle)."""
    rng = random.Random(seed)
    delegates = []
    for _ in range(count):
        delegate = DelegateFactory(event=event)
        order = list(workshops)
        rng.shuffle(order)
        rank_workshops(delegate, order)
        delegates.append(delegate)
    return delegates


def held(delegate):
    return sorted(Booking.objects.filter(delegate=delegate).values_list("session_id", flat=True))


def test_build_ballot_reads_who_is_in_it_in_registration_order(ballot_event, programme):
    workshops = programme["workshops"]
    later, cancelled, day_one, earlier, unranked, booked = (
        DelegateFactory(event=ballot_event) for _ in range(6)
    )
    for delegate in (later, cancelled, day_one, earlier, booked):
        rank_workshops(delegate, workshops[:4])
    rank_workshops(earlier, [])
    Delegate.objects.filter(pk=cancelled.pk).update(status=Delegate.Status.CANCELLED)
    Delegate.objects.filter(pk=day_one.pk).update(attends_day_two=False)
    now = timezone.now()
    Delegate.objects.filter(pk=later.pk).update(registered_at=now)
    Delegate.objects.filter(pk=earlier.pk).update(registered_at=now - datetime.timedelta(days=1))
    s = programme["sessions"]
    booked_sessions = [s[(0, 0)], s[(1, 4)], s[(2, 2)], s[(3, 6)]]
    book_sessions(delegate=booked, sessions=booked_sessions)

    ballot = build_ballot(event=ballot_event, seed=3)

    instance = ballot.instance
    assert [d.id for d in instance.delegates] == [earlier.pk, later.pk]
    assert instance.delegates[1].ranking == tuple(w.pk for w in workshops[:4])
    assert (instance.k, instance.seed) == (4, 3)
    assert [d.pk for d in ballot.not_ranked] == [unranked.pk]
    assert [d.pk for d in ballot.already_booked] == [booked.pk]
    capacity = {s.id: s.capacity for s in instance.sessions}
    assert len(capacity) == 16
    assert {pk for pk, c in capacity.items() if c == 1} == {x.pk for x in booked_sessions}
    assert {c for pk, c in capacity.items() if pk not in {x.pk for x in booked_sessions}} == {2}


def test_build_ballot_workshop_that_no_longer_runs_drops_out(ballot_event, programme):
    workshops = programme["workshops"]
    delegate = DelegateFactory(event=ballot_event)
    rank_workshops(delegate, workshops[:5])
    Session.objects.filter(workshop=workshops[1]).delete()
    ballot = build_ballot(event=ballot_event, seed=0)
    assert ballot.instance.delegates[0].ranking == tuple(
        w.pk for w in [workshops[0], *workshops[2:5]]
    )


def test_run_allocation_report_compares_three_methods_on_same_rankings(
    ballot_event, programme, close_ballot, organiser
):
    delegates = ranked_delegates(ballot_event, programme["workshops"], 7)
    close_ballot(ballot_event)
    run = run_allocation(event=ballot_event, seed=5, actor=organiser)

    instance = build_ballot(event=ballot_event, seed=5).instance
    expected = [
        allocate_optimal(instance=instance),
        allocate_first_come_first_served(instance=instance),
        allocate_random_serial_dictatorship(instance=instance, seed=5),
    ]
    report = run.report
    assert [m["key"] for m in report["methods"]] == ["optimal", "fcfs", "rsd"]
    for method, result in zip(report["methods"], expected, strict=True):
        stats = result.stats
        assert method["delegates"] == 7
        assert (method["completed"], method["incomplete"]) == (stats.completed, stats.incomplete)
        assert method["all_top_k"] == stats.all_top_k
        assert method["at_least_k_minus_1"] == stats.at_least_k_minus_1
        assert method["mean_rank"] == stats.mean_rank
        assert method["worst_rank"] == stats.worst_rank
        assert method["rank_cost"] == stats.rank_cost
    assert run.assignment == {str(d): s for d, s in expected[0].assignment.items()}
    assert set(run.assignment) == {str(d.pk) for d in delegates}
    assert (
        find_allocation_problems(
            instance=instance, assignment={int(d): s for d, s in run.assignment.items()}
        )
        == []
    )
    # The optimum is never worse than a baseline on its own objective.
    assert report["methods"][0]["rank_cost"] <= min(m["rank_cost"] for m in report["methods"])
    fill = {row["id"]: row["taken"] for row in report["sessions"]}
    assert fill == {
        s.id: [r.stats.session_fill[s.id][0] for r in expected] for s in instance.sessions
    }
    assert report["incomplete"] == []
    assert (run.seed, run.created_by, report["k"], report["seats_free"]) == (5, organiser, 4, 32)
    assert run.mip_gap is not None and run.mip_gap <= 1e-4
    # Proven optimal in rank cost; what is left of the gap is the tie-break noise.
    assert run.solver_status.startswith("everyone from ranked workshops: column generation")
    assert run.solver_status.endswith("rank cost proven optimal")
    assert run.mip_gap < 1e-6
    assert Booking.objects.count() == 0
    assert OutgoingEmail.objects.count() == 0


def test_run_allocation_same_data_and_seed_gives_same_allocation(
    ballot_event, programme, close_ballot
):
    ranked_delegates(ballot_event, programme["workshops"], 8)
    close_ballot(ballot_event)
    first = run_allocation(event=ballot_event, seed=11)
    second = run_allocation(event=ballot_event, seed=11)

    def without_timings(report):
        return [{**m, "solve_seconds": None} for m in report["methods"]]

    assert first.pk != second.pk
    assert first.assignment == second.assignment
    assert without_timings(first.report) == without_timings(second.report)
    assert first.report["sessions"] == second.report["sessions"]
    assert first.fingerprint == second.fingerprint


def test_run_allocation_while_ballot_open_is_refused(ballot_event, programme):
    ranked_delegates(ballot_event, programme["workshops"], 2)
    with pytest.raises(AllocationRefused) as caught:
        run_allocation(event=ballot_event, seed=1)
    assert caught.value.message.startswith("The ballot is still open (it closes ")
    assert AllocationRun.objects.count() == 0


def test_run_allocation_without_closing_time_is_refused(ballot_event, programme):
    ballot_event.ballot_closes_at = None
    ballot_event.save()
    with pytest.raises(AllocationRefused) as caught:
        run_allocation(event=ballot_event, seed=1)
    assert "no closing time is set" in caught.value.message


def test_run_allocation_with_nobody_ranked_is_refused(ballot_event, close_ballot):
    DelegateFactory(event=ballot_event)
    close_ballot(ballot_event)
    with pytest.raises(AllocationRefused) as caught:
        run_allocation(event=ballot_event, seed=1)
    assert caught.value.message == "Nobody without seats has ranked any workshops: nothing to run."


def test_run_allocation_in_live_mode_is_refused(programme):
    with pytest.raises(AllocationRefused) as caught:
        run_allocation(event=programme["event"], seed=1)
    assert caught.value.message == "Strategic SOCEX 2019 uses live booking, not a ballot."


def test_publish_books_every_seat_through_the_service_and_emails_timetables(
    ballot_event, programme, close_ballot, organiser
):
    delegates = ranked_delegates(ballot_event, programme["workshops"], 8)
    close_ballot(ballot_event)
    run = run_allocation(event=ballot_event, seed=2, actor=organiser)
    instance = build_ballot(event=ballot_event, seed=2).instance

    assert publish_allocation(run=run, actor=organiser) == 8

    for delegate in delegates:
        assert held(delegate) == sorted(run.assignment[str(delegate.pk)])
        assert len(held(delegate)) == 4
    for session in Session.objects.with_seats():
        assert session.seats_taken <= session.capacity
    assignment = {d.pk: held(d) for d in delegates}
    assert find_allocation_problems(instance=instance, assignment=assignment) == []
    # Booked through the service: every seat is in the history, booked by the organiser.
    changes = BookingChange.objects.filter(action=BookingChange.Action.BOOKED)
    assert changes.count() == 32
    assert set(changes.values_list("actor_name", flat=True)) == {"olu"}
    emails = OutgoingEmail.objects.filter(subject=BOOKED_SUBJECT)
    assert sorted(emails.values_list("to", flat=True)) == sorted(d.email for d in delegates)
    assert all(e.attachment_name == "socex-timetable.ics" for e in emails)
    run.refresh_from_db()
    ballot_event.refresh_from_db()
    assert (run.published_by, run.published_at is not None) == (organiser, True)
    assert ballot_event.booking_mode == Event.BookingMode.LIVE


def test_publish_without_a_user_records_the_ballot_as_the_actor(
    ballot_event, programme, close_ballot
):
    ranked_delegates(ballot_event, programme["workshops"], 3)
    close_ballot(ballot_event)
    run = run_allocation(event=ballot_event, seed=2)

    assert publish_allocation(run=run) == 3

    changes = BookingChange.objects.filter(action=BookingChange.Action.BOOKED)
    assert changes.count() == 12
    assert {(c.actor_id, c.by) for c in changes} == {(None, "the ballot")}


def test_publish_twice_is_refused(ballot_event, programme, close_ballot):
    ranked_delegates(ballot_event, programme["workshops"], 4)
    close_ballot(ballot_event)
    run = run_allocation(event=ballot_event, seed=2)
    publish_allocation(run=run)
    with pytest.raises(AllocationRefused) as caught:
        publish_allocation(run=run)
    assert "publishing it again would book everyone twice" in caught.value.message
    assert Booking.objects.count() == 16
    assert OutgoingEmail.objects.count() == 4


def test_publish_second_run_after_one_was_published_is_refused(
    ballot_event, programme, close_ballot
):
    ranked_delegates(ballot_event, programme["workshops"], 4)
    close_ballot(ballot_event)
    first = run_allocation(event=ballot_event, seed=2)
    second = run_allocation(event=ballot_event, seed=3)
    publish_allocation(run=first)
    with pytest.raises(AllocationRefused) as caught:
        publish_allocation(run=second)
    assert caught.value.message.startswith("Strategic SOCEX 2019 is in live booking mode")
    assert Booking.objects.count() == 16


@pytest.mark.parametrize("change", ["capacity", "cancelled", "new ranking", "seat taken"])
def test_publish_run_made_on_stale_data_is_refused(ballot_event, programme, close_ballot, change):
    delegates = ranked_delegates(ballot_event, programme["workshops"], 4)
    close_ballot(ballot_event)
    run = run_allocation(event=ballot_event, seed=2)
    s = programme["sessions"]
    if change == "capacity":
        Session.objects.filter(pk=s[(0, 0)].pk).update(capacity=1)
    elif change == "cancelled":
        Delegate.objects.filter(pk=delegates[0].pk).update(status=Delegate.Status.CANCELLED)
    elif change == "new ranking":
        rank_workshops(DelegateFactory(event=ballot_event), programme["workshops"])
    else:
        book_sessions(
            delegate=DelegateFactory(event=ballot_event),
            sessions=[s[(0, 0)], s[(1, 4)], s[(2, 2)], s[(3, 6)]],
        )
    bookings_before = Booking.objects.count()
    emails_before = OutgoingEmail.objects.count()  # the confirmation of a seat taken
    with pytest.raises(AllocationRefused) as caught:
        publish_allocation(run=run)
    assert caught.value.message.startswith("Rankings, delegates or free seats have changed")
    assert Booking.objects.count() == bookings_before
    assert OutgoingEmail.objects.count() == emails_before


def test_publish_is_all_or_nothing_when_a_booking_fails(ballot_event, programme, close_ballot):
    delegates = ranked_delegates(ballot_event, programme["workshops"], 3)
    close_ballot(ballot_event)
    run = run_allocation(event=ballot_event, seed=2)
    # Three delegates in the same four sessions of two seats: the third booking must fail.
    s = programme["sessions"]
    same = [s[(0, 0)].pk, s[(1, 4)].pk, s[(2, 2)].pk, s[(3, 6)].pk]
    run.assignment = {str(d.pk): same for d in delegates}
    run.save()
    with pytest.raises(AllocationRefused) as caught:
        publish_allocation(run=run)
    assert caught.value.message.startswith(f"Could not book {delegates[2]}: ")
    assert caught.value.message.endswith("Nothing has been booked or emailed.")
    assert Booking.objects.count() == 0
    assert BookingChange.objects.count() == 0
    assert OutgoingEmail.objects.count() == 0
    run.refresh_from_db()
    ballot_event.refresh_from_db()
    assert run.published_at is None
    assert ballot_event.booking_mode == Event.BookingMode.BALLOT


def test_incomplete_delegates_are_reported_and_left_without_seats(
    ballot_event, programme, close_ballot
):
    # Eight seats per round, ten delegates: two cannot be completed.
    delegates = ranked_delegates(ballot_event, programme["workshops"], 10)
    close_ballot(ballot_event)
    run = run_allocation(event=ballot_event, seed=4)
    incomplete = run.report["incomplete"]
    assert len(incomplete) == 2
    optimal, fcfs, rsd = (m["incomplete"] for m in run.report["methods"])
    # Greedy baselines can strand seats where nobody can use them; the optimum cannot.
    assert (optimal, fcfs >= 2, rsd >= 2) == (2, True, True)
    assert set(incomplete) <= {d.pk for d in delegates}
    # The stored report names people by id only; the names come from the delegates.
    assert [d.pk for d in people_in_report(report=run.report)["incomplete"]] == incomplete
    assert all(run.assignment[str(pk)] == [] for pk in incomplete)

    assert publish_allocation(run=run) == 8
    for delegate in delegates:
        assert len(held(delegate)) == (0 if delegate.pk in incomplete else 4)
    emailed = set(OutgoingEmail.objects.filter(subject=BOOKED_SUBJECT).values_list("to", flat=True))
    assert emailed == {d.email for d in delegates if d.pk not in incomplete}


def test_after_publishing_the_event_takes_live_bookings(
    ballot_event, programme, close_ballot, sign_in
):
    delegates = ranked_delegates(ballot_event, programme["workshops"], 2)
    close_ballot(ballot_event)
    publish_allocation(run=run_allocation(event=ballot_event, seed=1))
    client = sign_in(delegates[0])
    page = client.get("/booking/workshops/").content.decode()
    assert page.count("<fieldset") == 4
    assert "Your current choices are selected" in page
    manage = client.get("/booking/").content.decode()
    assert "Change my workshops" in manage


def test_publish_run_that_books_nobody_is_refused(ballot_event, programme, close_ballot):
    delegates = ranked_delegates(ballot_event, programme["workshops"], 2)
    close_ballot(ballot_event)
    run = run_allocation(event=ballot_event, seed=1)
    run.assignment = {str(d.pk): [] for d in delegates}
    run.save()
    with pytest.raises(AllocationRefused) as caught:
        publish_allocation(run=run)
    assert caught.value.message.startswith("This run gives nobody any seats")
    ballot_event.refresh_from_db()
    assert ballot_event.booking_mode == Event.BookingMode.BALLOT


def test_build_ballot_and_publish_skip_delegates_whose_email_is_unconfirmed(
    ballot_event, programme, close_ballot, organiser
):
    workshops = programme["workshops"]
    confirmed, unconfirmed = ranked_delegates(ballot_event, workshops, 2)
    Delegate.objects.filter(pk=unconfirmed.pk).update(email_confirmed_at=None)
    close_ballot(ballot_event)
    ballot = build_ballot(event=ballot_event, seed=1)
    assert [d.id for d in ballot.instance.delegates] == [confirmed.pk]
    run = run_allocation(event=ballot_event, seed=1, actor=organiser)
    assert publish_allocation(run=run, actor=organiser) == 1
    assert len(held(confirmed)) == 4
    assert held(unconfirmed) == []
