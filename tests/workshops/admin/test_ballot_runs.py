"""The admin's allocation runs: start one, watch it, leave and come back, cancel it."""

import random

import pytest

from tests.factories import AdminUserFactory, DelegateFactory, rank_workshops
from tests.jobs import run_queued_jobs
from workshops.models import AllocationRun

State = AllocationRun.State
RUN_URL = "/admin/workshops/allocationrun/run/"


@pytest.fixture
def closed_ballot(ballot_event, programme, close_ballot):
    rng = random.Random(2)
    for n in range(8):
        order = list(programme["workshops"])
        rng.shuffle(order)
        rank_workshops(DelegateFactory(event=ballot_event, last_name=f"Osei{n}"), order)
    close_ballot(ballot_event)
    return ballot_event


@pytest.fixture
def organiser(db, client):
    user = AdminUserFactory(
        username="hollis",
        permissions=["workshops.view_allocationrun", "workshops.change_allocationrun"],
    )
    client.force_login(user)
    return user


def start(client, event, minutes="2.5", seed="1"):
    return client.post(RUN_URL, {"event": str(event.pk), "seed": seed, "time_limit": minutes})


def test_the_time_limit_is_set_in_minutes(client, organiser, closed_ballot):
    response = start(client, closed_ballot, minutes="2.5")
    run = AllocationRun.objects.get()
    assert response["Location"] == f"/admin/workshops/allocationrun/{run.pk}/report/"
    assert (run.time_limit_seconds, run.created_by, run.state) == (150, organiser, State.QUEUED)


def test_a_time_limit_above_the_maximum_is_refused(client, organiser, closed_ballot, settings):
    settings.BALLOT_TIME_LIMIT_MAX_MINUTES = 30
    response = start(client, closed_ballot, minutes="31")
    assert response.status_code == 200
    assert "Ensure this value is less than or equal to 30." in response.content.decode()
    assert not AllocationRun.objects.exists()


def test_the_run_page_shows_progress_and_reloads_itself_while_running(
    client, organiser, closed_ballot
):
    start(client, closed_ballot)
    run = AllocationRun.objects.get()
    AllocationRun.objects.filter(pk=run.pk).update(
        state=State.RUNNING,
        attempts=1,
        started_at=run.created_at,
        progress={"stage": "column generation", "round": 4, "bound": 812.5, "gap": 0.0123},
    )
    page = client.get(f"/admin/workshops/allocationrun/{run.pk}/report/").content.decode()
    assert '<meta http-equiv="refresh" content="2">' in page
    assert "<h2>Running</h2>" in page
    assert "<dd>column generation, round 4</dd>" in page
    assert "<dd>812.5</dd>" in page
    assert "<dd>1.23% (0% when the best allocation is proven)</dd>" in page
    assert 'id="cancel-run"' in page
    # Who gets what waits for the end.
    preview = client.get(f"/admin/workshops/allocationrun/{run.pk}/allocation/")
    assert preview["Location"] == f"/admin/workshops/allocationrun/{run.pk}/report/"


def test_leaving_and_coming_back_finds_the_report_once_the_worker_is_done(
    client, organiser, closed_ballot
):
    start(client, closed_ballot)
    run = AllocationRun.objects.get()
    listing = client.get("/admin/workshops/allocationrun/").content.decode()
    assert "Waiting for a worker" in listing
    run_queued_jobs()
    listing = client.get("/admin/workshops/allocationrun/").content.decode()
    assert "Finished" in listing
    page = client.get(f"/admin/workshops/allocationrun/{run.pk}/report/").content.decode()
    assert 'http-equiv="refresh"' not in page
    assert 'id="comparison"' in page


def test_cancel_from_the_run_page(client, organiser, closed_ballot):
    start(client, closed_ballot)
    run = AllocationRun.objects.get()
    response = client.post(f"/admin/workshops/allocationrun/{run.pk}/cancel/", follow=True)
    page = response.content.decode()
    assert f"Allocation run {run.pk} (seed 1) cancelled." in page
    assert "<h2>Cancelled</h2>" in page
    assert 'http-equiv="refresh"' not in page
    run.refresh_from_db()
    assert run.state == State.CANCELLED


def test_a_second_run_while_one_is_queued_is_refused_with_a_message(
    client, organiser, closed_ballot
):
    start(client, closed_ballot)
    response = start(client, closed_ballot, seed="2")
    assert response.status_code == 200
    assert "only one run of an event runs at a time" in response.content.decode()
    assert AllocationRun.objects.count() == 1


def test_cancel_needs_change_permission(client, closed_ballot):
    run = AllocationRun.objects.create(event=closed_ballot, seed=1)
    client.force_login(AdminUserFactory(permissions=["workshops.view_allocationrun"]))
    assert client.post(f"/admin/workshops/allocationrun/{run.pk}/cancel/").status_code == 403
    page = client.get(f"/admin/workshops/allocationrun/{run.pk}/report/").content.decode()
    assert 'id="cancel-run"' not in page
    run.refresh_from_db()
    assert run.state == State.QUEUED
