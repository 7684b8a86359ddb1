"""Organisers' side of check-in: links for phones, badges on demand, releasing no-shows."""

import datetime
import io
import re
import uuid

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from tests.attending import read_on
from tests.factories import AdminUserFactory, DelegateFactory, EventFactory
from tests.jobs import run_queued_jobs
from worker.schedule import periodic_jobs
from workshops.models import CheckIn, CheckinDevice, ExportRecord
from workshops.services.booking import book_sessions
from workshops.services.checkin import record_scan
from workshops.services.doors import Door, DoorStaff
from workshops.tasks import release_no_shows


@pytest.fixture
def today_event(db):
    today = timezone.localdate()
    return EventFactory(starts_on=today, ends_on=today + datetime.timedelta(days=1))


@pytest.fixture
def organiser(client, db):
    client.force_login(AdminUserFactory(groups=["Organisers"]))
    return client


def add_link(client, event, **fields):
    data = {
        "event": event.pk,
        "label": "Door 2",
        "day": event.starts_on.isoformat(),
        "entrance": "on",
    }
    return client.post(reverse("admin:workshops_checkindevice_add"), {**data, **fields})


def shown_link(response):
    return re.search(r"<code>(http://[^<]+)</code>", response.content.decode()).group(1)


def test_a_new_link_is_shown_once_as_a_qr_code_and_stored_only_hashed(organiser, today_event):
    response = add_link(organiser, today_event)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'src="data:image/svg+xml' in html
    url = shown_link(response)
    token = url.rstrip("/").rsplit("/", 1)[1]
    device = CheckinDevice.objects.get()
    assert token not in device.token_hash
    assert device.matches(token)
    assert device.expires_at == timezone.make_aware(
        datetime.datetime.combine(
            today_event.starts_on + datetime.timedelta(days=1), datetime.time()
        )
    )
    page = organiser.get(reverse("admin:workshops_checkindevice_change", args=[device.pk]))
    assert token not in page.content.decode()


def test_a_link_needs_a_door_and_a_day_of_the_event(organiser, today_event):
    no_door = add_link(organiser, today_event, entrance="")
    assert b"Choose the entrance, at least one room, or both." in no_door.content
    wrong_day = add_link(organiser, today_event, day="2019-01-01")
    assert b"Choose a day of Strategic SOCEX 2019" in wrong_day.content
    assert CheckinDevice.objects.count() == 0


def test_a_new_link_replaces_the_old_one(organiser, client, today_event):
    old = shown_link(add_link(organiser, today_event))
    device = CheckinDevice.objects.get()
    url = reverse("admin:workshops_checkindevice_new_link", args=[device.pk])
    assert b"replaces the old one" in organiser.get(url).content
    new = shown_link(organiser.post(url))
    assert new != old
    path = old.removeprefix("http://127.0.0.1:8000")
    assert organiser.get(path).status_code == 404
    assert organiser.get(new.removeprefix("http://127.0.0.1:8000")).status_code == 200


def test_revoking_stops_the_link(organiser, today_event):
    link = shown_link(add_link(organiser, today_event))
    device = CheckinDevice.objects.get()
    organiser.post(
        reverse("admin:workshops_checkindevice_changelist"),
        {"action": "revoke_links", "_selected_action": [device.pk]},
    )
    device.refresh_from_db()
    assert device.revoked_at is not None
    assert organiser.get(link.removeprefix("http://127.0.0.1:8000")).status_code == 404


@pytest.mark.parametrize("group", ["Staff", "Door staff", "Catering & access"])
def test_other_roles_cannot_make_links(client, today_event, group):
    client.force_login(AdminUserFactory(groups=[group]))
    assert add_link(client, today_event).status_code == 403
    assert CheckinDevice.objects.count() == 0


def test_staff_read_the_check_in_history_and_cannot_change_it(client, on_the_day):
    programme = on_the_day
    delegate = DelegateFactory(event=programme["event"], first_name="Priya")
    door = Door(event=programme["event"], day=datetime.date(2019, 5, 23))
    checkin, _ = record_scan(
        scan_id=uuid.uuid4(),
        door=door,
        reference=delegate.checkin_reference,
        by=DoorStaff(user=AdminUserFactory(username="olu")),
        scanned_at=read_on(door.day),
        now=read_on(door.day),
    )
    client.force_login(AdminUserFactory(groups=["Staff"]))
    listing = client.get(reverse("admin:workshops_checkin_changelist"))
    assert listing.status_code == 200
    assert b"Priya" in listing.content
    change = reverse("admin:workshops_checkin_change", args=[checkin.pk])
    assert client.post(change, {"outcome": "cancelled"}).status_code == 403
    client.force_login(AdminUserFactory(groups=["Door staff"]))
    assert client.get(reverse("admin:workshops_checkin_changelist")).status_code == 403


def badge_references(response):
    pdf = PdfReader(io.BytesIO(b"".join(response.streaming_content)))
    return pdf.pages[0].extract_text()


def test_one_badge_printed_from_the_desk(organiser, programme):
    delegate = DelegateFactory(event=programme["event"], badge_name="Priya S")
    response = organiser.get(reverse("admin:registration_delegate_badge", args=[delegate.pk]))
    assert response["Content-Type"] == "application/pdf"
    assert "Priya S" in badge_references(response)
    assert ExportRecord.objects.get().export_name == f"Name badges: {delegate}"


def test_a_lost_badge_is_replaced_and_the_old_one_stops_working(organiser, on_the_day):
    programme = on_the_day
    delegate = DelegateFactory(event=programme["event"])
    old = delegate.checkin_reference
    url = reverse("admin:registration_delegate_replace_badge", args=[delegate.pk])
    assert b"lost badge will then show" in organiser.get(url).content
    response = organiser.post(url, follow=True)
    page = response.content.decode()
    assert "has a new badge reference" in page
    assert reverse("admin:registration_delegate_badge", args=[delegate.pk]) in page
    assert "Replace the badge" not in page  # no second press voids the badge just printed
    delegate.refresh_from_db()
    assert delegate.checkin_reference != old
    reloaded = organiser.get(response.redirect_chain[-1][0])
    assert "has a new badge reference" in reloaded.content.decode()
    new_badge = organiser.get(reverse("admin:registration_delegate_badge", args=[delegate.pk]))
    assert new_badge["Content-Type"] == "application/pdf"
    kept = delegate.checkin_reference
    delegate.refresh_from_db()
    assert delegate.checkin_reference == kept
    door = Door(event=programme["event"], day=datetime.date(2019, 5, 23))
    staff = DoorStaff(user=AdminUserFactory())
    lost, _ = record_scan(
        scan_id=uuid.uuid4(),
        door=door,
        reference=old,
        by=staff,
        scanned_at=read_on(door.day),
        now=read_on(door.day),
    )
    new, _ = record_scan(
        scan_id=uuid.uuid4(),
        door=door,
        reference=delegate.checkin_reference,
        by=staff,
        scanned_at=read_on(door.day),
        now=read_on(door.day),
    )
    assert (lost.outcome, new.outcome) == ("unknown", "admitted")


def test_staff_cannot_replace_badges(client, programme):
    delegate = DelegateFactory(event=programme["event"])
    client.force_login(AdminUserFactory(groups=["Staff"]))
    url = reverse("admin:registration_delegate_replace_badge", args=[delegate.pk])
    assert client.post(url).status_code == 403
    old = delegate.checkin_reference
    delegate.refresh_from_db()
    assert delegate.checkin_reference == old


@pytest.fixture
def standby_at_round_one(on_the_day, four_sessions):
    """Round 1's first session full of no-shows, one walk-in on standby at its door."""
    event = on_the_day["event"]
    for _ in range(2):
        book_sessions(delegate=DelegateFactory(event=event), sessions=four_sessions)
    walk_in = DelegateFactory(event=event)
    door = Door(event=event, day=datetime.date(2019, 5, 23), session=four_sessions[0])
    record_scan(
        scan_id=uuid.uuid4(),
        door=door,
        reference=walk_in.checkin_reference,
        by=DoorStaff(user=AdminUserFactory()),
        scanned_at=read_on(door.day),
        now=read_on(door.day),
    )
    return walk_in


def test_organisers_release_no_shows_now_from_the_session_list(
    organiser, standby_at_round_one, four_sessions
):
    response = organiser.post(
        reverse("admin:workshops_session_changelist"),
        {"action": "seat_standby_now", "_selected_action": [four_sessions[0].pk]},
        follow=True,
    )
    assert "1 person was seated from standby. 1 of them took a no-show&#x27;s seat." in (
        response.content.decode()
    )
    assert CheckIn.objects.filter(delegate=standby_at_round_one, outcome="from_standby").exists()


def test_the_release_command_serves_today_s_doors_only(standby_at_round_one, monkeypatch):
    out = io.StringIO()
    call_command("release_no_shows", stdout=out)  # today is not 23 May 2019
    assert out.getvalue() == "People seated from standby: 0.\n"
    moment = datetime.datetime(2019, 5, 23, 9, 20, tzinfo=datetime.UTC)
    monkeypatch.setattr(timezone, "now", lambda: moment)
    call_command("release_no_shows", stdout=out)
    assert out.getvalue().endswith("People seated from standby: 1.\n")


def test_the_worker_releases_no_shows_every_two_minutes(standby_at_round_one, monkeypatch):
    assert periodic_jobs()["workshops.tasks.release_no_shows"].interval == datetime.timedelta(
        minutes=2
    )
    moment = datetime.datetime(2019, 5, 23, 9, 20, tzinfo=datetime.UTC)
    monkeypatch.setattr(timezone, "now", lambda: moment)
    release_no_shows.enqueue()
    ran = {job.task_path: job for job in run_queued_jobs()}
    assert ran["workshops.tasks.release_no_shows"].return_value == {"seated": 1}
    assert "outbox.tasks.send_messages" in ran  # the email to the no-show who lost the seat
    assert CheckIn.objects.filter(delegate=standby_at_round_one, outcome="from_standby").exists()


def test_the_link_follows_the_address_the_organiser_reached_the_site_at(
    organiser, today_event, settings
):
    settings.SITE_URL_FROM_REQUEST = True
    settings.ALLOWED_HOSTS = ["127.0.0.1"]

    response = organiser.post(
        reverse("admin:workshops_checkindevice_add"),
        {
            "event": today_event.pk,
            "label": "Door 2",
            "day": today_event.starts_on,
            "entrance": "on",
        },
        HTTP_HOST="127.0.0.1:8181",
    )

    assert shown_link(response).startswith("http://127.0.0.1:8181/checkin/link/")


def test_a_new_link_offers_the_events_first_day_before_the_event(organiser, db):
    start = timezone.localdate() + datetime.timedelta(days=30)
    EventFactory(starts_on=start, ends_on=start + datetime.timedelta(days=1))

    form = organiser.get(reverse("admin:workshops_checkindevice_add")).context["adminform"].form

    assert form.initial["day"] == start
