"""The ballot in the admin and from the command line: run, report, publish, permissions."""

import random
import re
from io import StringIO

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from outbox.models import OutgoingEmail
from registration.models import Delegate, Event
from tests.factories import AdminUserFactory, DelegateFactory, rank_workshops
from tests.jobs import queued_jobs, run_queued_jobs
from workshops.models import AllocationRun, Booking
from workshops.services.ballot import publish_allocation
from workshops.services.ballot_report import describe_solution
from workshops.services.ballot_runs import run_allocation


@pytest.fixture
def closed_ballot(ballot_event, programme, close_ballot):
    """Ten delegates ranked all eight workshops; eight seats a round; the ballot closed."""
    rng = random.Random(3)
    for n in range(10):
        delegate = DelegateFactory(event=ballot_event, first_name="Sam", last_name=f"Okafor{n}")
        order = list(programme["workshops"])
        rng.shuffle(order)
        rank_workshops(delegate, order)
    close_ballot(ballot_event)
    return ballot_event


def run_page_data(event, seed=1):
    return {"event": str(event.pk), "seed": str(seed), "time_limit": "30"}


def test_admin_run_list_offers_run_allocation(client, closed_ballot):
    client.force_login(AdminUserFactory(is_superuser=True))
    response = client.get("/admin/workshops/allocationrun/")
    assert response.status_code == 200
    assert 'href="/admin/workshops/allocationrun/run/"' in response.content.decode()


def test_admin_run_then_report_shows_three_methods_side_by_side(client, closed_ballot):
    client.force_login(AdminUserFactory(is_superuser=True))
    assert client.get("/admin/workshops/allocationrun/run/").status_code == 200
    response = client.post("/admin/workshops/allocationrun/run/", run_page_data(closed_ballot, 9))
    run = AllocationRun.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/admin/workshops/allocationrun/{run.pk}/report/"
    assert Booking.objects.count() == 0
    waiting = client.get(response["Location"]).content.decode()
    assert "Waiting for a background worker to start it." in waiting
    assert '<meta http-equiv="refresh" content="2">' in waiting

    [job] = run_queued_jobs()
    assert job.task_path == "workshops.tasks.allocate_ballot"
    run.refresh_from_db()
    response = client.get(response["Location"])
    assert response.status_code == 200
    page = response.content.decode()
    assert 'http-equiv="refresh"' not in page
    assert (
        '<th scope="col">Optimal (ballot)</th><th scope="col">First come, first served</th>'
        '<th scope="col">Random serial dictatorship</th>'
    ) in page
    for label in (
        "Got all of their top 4",
        "Got at least 3 of their top 4",
        "Mean rank of a seat (1 = first choice)",
        "Worst rank given",
        "Seats filled, per session",
    ):
        assert label in page
    assert "Left without seats by the optimal allocation (2)" in page
    for delegate in Delegate.objects.filter(pk__in=run.report["incomplete"]):
        assert delegate.full_name in page
    assert "Publish: book 8 delegates and email them" in page
    # A run's change page is its report.
    change = client.get(f"/admin/workshops/allocationrun/{run.pk}/change/")
    assert change["Location"] == f"/admin/workshops/allocationrun/{run.pk}/report/"


def test_admin_run_while_ballot_open_shows_why(client, ballot_event, programme):
    rank_workshops(DelegateFactory(event=ballot_event), programme["workshops"])
    client.force_login(AdminUserFactory(is_superuser=True))
    response = client.post("/admin/workshops/allocationrun/run/", run_page_data(ballot_event))
    assert response.status_code == 200
    assert "The ballot is still open" in response.content.decode()
    assert AllocationRun.objects.count() == 0


def test_admin_run_bad_seed_shows_error(client, closed_ballot):
    client.force_login(AdminUserFactory(is_superuser=True))
    data = {**run_page_data(closed_ballot), "seed": "lots"}
    response = client.post("/admin/workshops/allocationrun/run/", data)
    assert response.status_code == 200
    assert "Enter a whole number." in response.content.decode()
    assert AllocationRun.objects.count() == 0


def test_admin_publish_books_and_refuses_a_second_time(client, closed_ballot):
    organiser = AdminUserFactory(is_superuser=True)
    client.force_login(organiser)
    run = run_allocation(event=closed_ballot, seed=1, actor=organiser)
    url = f"/admin/workshops/allocationrun/{run.pk}/publish/"
    assert client.get(url).status_code == 405
    response = client.post(url, follow=True)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Published: 8 delegates were booked and emailed their timetable." in page
    assert 'id="published"' in page
    assert "Publish: book" not in page
    assert Booking.objects.count() == 32
    # Eight timetables, and two emails to the two the ballot left without a set.
    assert OutgoingEmail.objects.count() == 10

    response = client.post(url, follow=True)
    assert "publishing it again would book everyone twice" in response.content.decode()
    assert Booking.objects.count() == 32
    assert OutgoingEmail.objects.count() == 10  # nobody emailed twice


def test_admin_view_only_user_reads_report_but_cannot_run_or_publish(client, closed_ballot):
    run = run_allocation(event=closed_ballot, seed=1)
    client.force_login(AdminUserFactory(permissions=["workshops.view_allocationrun"]))
    response = client.get(f"/admin/workshops/allocationrun/{run.pk}/report/")
    assert response.status_code == 200
    assert "Publish: book" not in response.content.decode()
    assert (
        "/admin/workshops/allocationrun/run/"
        not in client.get("/admin/workshops/allocationrun/").content.decode()
    )
    assert client.get("/admin/workshops/allocationrun/run/").status_code == 403
    response = client.post("/admin/workshops/allocationrun/run/", run_page_data(closed_ballot))
    assert response.status_code == 403
    assert client.post(f"/admin/workshops/allocationrun/{run.pk}/publish/").status_code == 403
    assert AllocationRun.objects.count() == 1
    assert Booking.objects.count() == 0


def test_admin_user_with_change_permission_may_run_and_publish(client, closed_ballot):
    client.force_login(
        AdminUserFactory(
            permissions=["workshops.view_allocationrun", "workshops.change_allocationrun"]
        )
    )
    response = client.post("/admin/workshops/allocationrun/run/", run_page_data(closed_ballot))
    assert response.status_code == 302
    run = AllocationRun.objects.get()
    run_queued_jobs()
    assert client.post(f"/admin/workshops/allocationrun/{run.pk}/publish/").status_code == 302
    assert Booking.objects.count() == 32


def test_admin_staff_without_permission_cannot_read_report(client, closed_ballot):
    run = run_allocation(event=closed_ballot, seed=1)
    client.force_login(AdminUserFactory())
    assert client.get(f"/admin/workshops/allocationrun/{run.pk}/report/").status_code == 403


def test_admin_event_page_edits_booking_mode(client, closed_ballot):
    client.force_login(AdminUserFactory(is_superuser=True))
    page = client.get(f"/admin/registration/event/{closed_ballot.pk}/change/").content.decode()
    assert 'name="booking_mode"' in page
    assert 'name="ballot_closes_at_0"' in page


# The management command


def test_run_ballot_command_runs_then_publishes(closed_ballot):
    out = StringIO()
    call_command("run_ballot", "--seed", "4", stdout=out)
    run = AllocationRun.objects.get()
    text = out.getvalue()
    assert f"Allocation run {run.pk} (seed 4) for Strategic SOCEX 2019" in text
    assert "Got all of their top 4" in text
    assert f"manage.py run_ballot --publish {run.pk}" in text
    assert Booking.objects.count() == 0

    out = StringIO()
    call_command("run_ballot", "--publish", str(run.pk), stdout=out)
    assert f"Published {run}: 8 delegates booked and emailed" in out.getvalue()
    # No worker is running, so nothing sends them (eight timetables, two to those left
    # without a set): the command says so.
    assert (
        "10 emails wait in the outbox and no background worker is running to send them: "
        "start one with manage.py run_worker"
    ) in out.getvalue()
    assert Booking.objects.count() == 32
    closed_ballot.refresh_from_db()
    assert closed_ballot.booking_mode == Event.BookingMode.LIVE
    with pytest.raises(CommandError, match="publishing it again"):
        call_command("run_ballot", "--publish", str(run.pk))


def test_run_ballot_command_records_the_user(closed_ballot):
    organiser = AdminUserFactory(username="dana")
    call_command("run_ballot", "--seed", "1", "--user", "dana", stdout=StringIO())
    assert AllocationRun.objects.get().created_by == organiser


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "Give --seed N to run the allocation, or --publish RUN_ID."),
        (["--publish", "999"], "No allocation run 999."),
        (["--seed", "1", "--user", "nobody"], "No user called 'nobody'."),
        (["--seed", "-1"], "--seed must be zero or more."),
        (["--seed", "1", "--event", "999"], "No such event."),
    ],
)
def test_run_ballot_command_bad_arguments_explain(closed_ballot, args, message):
    with pytest.raises(CommandError) as caught:
        call_command("run_ballot", *args)
    assert str(caught.value) == message
    assert AllocationRun.objects.count() == 0


def test_run_ballot_command_open_ballot_explains(ballot_event, programme):
    rank_workshops(DelegateFactory(event=ballot_event), programme["workshops"])
    with pytest.raises(CommandError, match="The ballot is still open"):
        call_command("run_ballot", "--seed", "1")


def test_admin_report_lists_delegates_who_did_not_rank(client, closed_ballot):
    DelegateFactory(event=closed_ballot, first_name="Noor", last_name="Unranked")
    run = run_allocation(event=closed_ballot, seed=1)
    client.force_login(AdminUserFactory(is_superuser=True))
    page = client.get(f"/admin/workshops/allocationrun/{run.pk}/report/").content.decode()
    assert "Day-two delegates who did not rank (1)" in page
    assert "Noor Unranked" in page


def test_admin_published_run_cannot_be_deleted(client, closed_ballot):
    run = run_allocation(event=closed_ballot, seed=1)
    publish_allocation(run=run)
    client.force_login(AdminUserFactory(is_superuser=True))
    response = client.post(f"/admin/workshops/allocationrun/{run.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    assert AllocationRun.objects.filter(pk=run.pk).exists()


NOT_PROVEN = (
    "Not proven optimal: the time limit stopped the solver before it could prove that no "
    "allocation places more delegates. A longer limit may do better."
)


@pytest.mark.parametrize(
    ("gap", "allocated", "words"),
    [
        (None, False, "The solver found no allocation in time."),
        (0.0, False, "The solver found no allocation in time."),
        (None, True, NOT_PROVEN),
        (float("inf"), True, NOT_PROVEN),
        (0.0, True, "Proven optimal."),
        (0.00005, True, "Proven optimal."),
        (0.0123, True, "Within 1.23% of optimal: the time limit stopped the solver first."),
    ],
)
def test_describe_solution_says_how_good_the_allocation_is(gap, allocated, words):
    assert describe_solution(mip_gap=gap, allocated=allocated) == words


def test_admin_report_says_the_allocation_is_proven_optimal(client, closed_ballot):
    run = run_allocation(event=closed_ballot, seed=1)
    client.force_login(AdminUserFactory(is_superuser=True))
    page = client.get(f"/admin/workshops/allocationrun/{run.pk}/report/").content.decode()
    assert '<strong id="solution">Proven optimal.</strong>' in page


INLINE_CODE = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|<style\b|\sstyle=\"", re.IGNORECASE)


def test_ballot_pages_have_no_inline_script_or_style(client, closed_ballot, sign_in):
    run = run_allocation(event=closed_ballot, seed=1)
    client.force_login(AdminUserFactory(is_superuser=True))
    for url in [
        "/admin/workshops/allocationrun/",
        "/admin/workshops/allocationrun/run/",
        f"/admin/workshops/allocationrun/{run.pk}/report/",
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert INLINE_CODE.findall(response.content.decode()) == [], url
    closed_ballot.ballot_closes_at = None
    closed_ballot.save()
    delegate = DelegateFactory(event=closed_ballot)
    client = sign_in(delegate)
    for url in ["/booking/workshops/", "/booking/"]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert INLINE_CODE.findall(response.content.decode()) == [], url


def test_admin_publish_queues_timetables_for_the_worker_and_sends_none_itself(
    client, closed_ballot, counting_backend
):
    organiser = AdminUserFactory(is_superuser=True)
    client.force_login(organiser)
    run = run_allocation(event=closed_ballot, seed=1, actor=organiser)

    response = client.post(f"/admin/workshops/allocationrun/{run.pk}/publish/", follow=True)

    page = response.content.decode()
    assert "Published: 8 delegates were booked and emailed their timetable." in page
    # Eight timetables, and two emails to the two the ballot left without a set.
    assert "10 emails wait in the outbox and no background worker is running" in page
    assert counting_backend.made == 0  # the request opened no mail connection
    [job] = queued_jobs("outbox.tasks.send_messages")  # one batch, one connection
    assert len(job.args_kwargs["kwargs"]["message_ids"]) == 10

    run_queued_jobs()
    assert len(mail.outbox) == 10
    assert counting_backend.made == 1
    assert not OutgoingEmail.objects.filter(status="pending").exists()


# Who gets what, before publishing


def preview(client, run, query=""):
    return client.get(f"/admin/workshops/allocationrun/{run.pk}/allocation/{query}")


def test_report_explains_the_priorities_and_links_to_who_gets_what(client, closed_ballot):
    run = run_allocation(event=closed_ballot, seed=1)
    client.force_login(AdminUserFactory(groups=["Organisers"]))
    page = client.get(f"/admin/workshops/allocationrun/{run.pk}/report/").content.decode()
    assert "How the optimal column is chosen" in page
    assert "first, as many delegates as possible get a full timetable of 4 workshops" in page
    assert f'href="/admin/workshops/allocationrun/{run.pk}/allocation/"' in page
    # Eight of the ten can be completed; the baselines complete seven and six, at a lower
    # rank cost, and the page says why.
    assert [m["completed"] for m in run.report["methods"]] == [8, 7, 6]
    assert "First come, first served gives 1 fewer delegate a full timetable (7 against 8)." in (
        page
    )
    assert "Random serial dictatorship gives 2 fewer delegates a full timetable (6 against 8)." in (
        page
    )


def test_who_gets_what_lists_each_delegate_with_their_sessions_and_ranks(client, closed_ballot):
    run = run_allocation(event=closed_ballot, seed=1)
    client.force_login(AdminUserFactory(groups=["Organisers"]))
    response = preview(client, run)
    assert response.status_code == 200
    rows = response.context["rows"]
    assert len(rows) == 10  # everyone in the ballot, on one page
    assert [r["delegate"].last_name for r in rows] == sorted(f"Okafor{n}" for n in range(10))
    left_out = {r["delegate"].pk for r in rows if not r["seats"]}
    assert left_out == set(run.report["incomplete"])
    for row in rows:
        given = run.assignment[str(row["delegate"].pk)]
        assert len(row["seats"]) == len(given)
        for seat in row["seats"]:
            ranked = row["delegate"].preferences.get(workshop__title=seat["workshop"])
            assert seat["rank"] == ranked.rank
    page = response.content.decode()
    assert "No seats:</strong> there were not enough free seats to give them 4 workshops." in page
    assert rows[0]["delegate"].email in page


def test_who_gets_what_searches_and_pages(client, closed_ballot, monkeypatch):
    monkeypatch.setattr("workshops.admin.ballot.PREVIEW_PAGE_SIZE", 4)
    run = run_allocation(event=closed_ballot, seed=1)
    client.force_login(AdminUserFactory(groups=["Organisers"]))
    response = preview(client, run, "?q=okafor3")
    assert [r["delegate"].last_name for r in response.context["rows"]] == ["Okafor3"]
    response = preview(client, run, "?page=3")
    assert [r["delegate"].last_name for r in response.context["rows"]] == ["Okafor8", "Okafor9"]
    assert 'href="?page=2"' in response.content.decode()
    response = preview(client, run, "?only=incomplete")
    assert {r["delegate"].pk for r in response.context["rows"]} == set(run.report["incomplete"])
    # Bad input: a clear message, and the list as it was.
    for query in ("?page=lots", "?page=-1", "?only=nonsense", "?q=" + "x" * 101):
        response = preview(client, run, query)
        assert response.status_code == 200, query
    assert "Ensure this value has at most 100 characters" in response.content.decode()


def test_who_gets_what_needs_the_ballot_permission_and_hides_addresses_without_theirs(
    client, closed_ballot
):
    run = run_allocation(event=closed_ballot, seed=1)
    client.force_login(AdminUserFactory(groups=["Staff"]))
    assert preview(client, run).status_code == 403
    client.force_login(AdminUserFactory(permissions=["workshops.view_allocationrun"]))
    response = preview(client, run, "?q=force.police.uk")
    assert response.status_code == 200
    assert response.context["rows"] == []  # no search on addresses they may not read
    page = preview(client, run).content.decode()
    assert "@force.police.uk" not in page
    assert "Okafor0" in page


def test_who_gets_what_takes_the_same_queries_for_more_delegates(
    client, ballot_event, programme, close_ballot
):
    from tests.page_queries import count_queries

    rng = random.Random(5)

    def add(count):
        for _ in range(count):
            order = list(programme["workshops"])
            rng.shuffle(order)
            rank_workshops(DelegateFactory(event=ballot_event), order)

    client.force_login(AdminUserFactory(groups=["Organisers"]))
    add(2)
    close_ballot(ballot_event)
    small_run = run_allocation(event=ballot_event, seed=1)
    small = count_queries(lambda: preview(client, small_run))
    ballot_event.ballot_closes_at = None
    ballot_event.save()
    add(6)
    close_ballot(ballot_event)
    large_run = run_allocation(event=ballot_event, seed=1)
    assert count_queries(lambda: preview(client, large_run)) == small
