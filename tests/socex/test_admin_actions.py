"""Every admin action declares the permission it needs, and read-only roles change nothing.

Each action of every registered admin is posted, with one object selected, as
each role: Staff and Catering & access may run only downloads, which change
no data; Organisers run every action on our apps' models.
"""

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.admin import helpers
from django.contrib.messages import get_messages
from django.core import mail
from django.db import transaction
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from outbox.models import OutgoingEmail
from outbox.tasks import send_messages
from registration.models import Delegate
from tests.factories import (
    AdminUserFactory,
    AgencyFactory,
    DelegateFactory,
    EventFactory,
    FacilitatorFactory,
    InvitationFactory,
    SessionFactory,
    TimeSlotFactory,
    WorkshopFactory,
)
from worker.heartbeat import beat
from worker.scheduler import enqueue_due_jobs
from workshops.models import (
    AllocationRun,
    Announcement,
    Certificate,
    CheckIn,
    CheckinDevice,
    ExportRecord,
    NoShowRelease,
    StandbyEntry,
    SurveyQuestions,
)
from workshops.services.booking import book_sessions
from workshops.services.waitlist import join_waitlist

OUR_APPS = {"registration", "workshops", "outbox"}
# What read-only roles may run: downloads, which change no data (they add an ExportRecord).
STAFF_RUNS = {
    ("registration.Delegate", "download_attendees_csv"),
    ("registration.Delegate", "download_attendees_xlsx"),
    ("registration.Delegate", "download_badges_pdf"),
    ("workshops.Session", "download_rosters_csv"),
    ("workshops.Session", "download_rosters_xlsx"),
    ("workshops.Session", "download_sign_in_sheets_pdf"),
}
CATERING_RUNS = set()
DOOR_STAFF_RUNS = set()


@pytest.fixture
def one_of_everything(db):
    """A row of every model with an admin, kept small: one event, two sessions of one seat."""
    event = EventFactory(choices_required=1)
    slot = TimeSlotFactory(event=event)
    first, second = (
        SessionFactory(workshop=WorkshopFactory(event=event), time_slot=slot, capacity=1)
        for _ in range(2)
    )
    booked = DelegateFactory(event=event, agency=AgencyFactory(is_confirmed=False))
    waiting = DelegateFactory(event=event)
    DelegateFactory(event=event, status=Delegate.Status.PENDING)
    book_sessions(delegate=booked, sessions=[first])
    book_sessions(delegate=waiting, sessions=[second])
    join_waitlist(delegate=waiting, session=first)
    InvitationFactory(event=event)
    FacilitatorFactory(event=event, workshops=[first.workshop], needs_sessions=[first])
    Announcement.objects.create(event=event, audience="event", subject="Hello", body="Hi")
    AllocationRun.objects.create(event=event, seed=1, fingerprint="-")
    ExportRecord.objects.create(
        username="olu", export_name="Attendee list", format="csv", row_count=1
    )
    message = OutgoingEmail.objects.create(to="a@example.org", subject="Hi", body_text="Hi")
    send_messages.enqueue(message_ids=[message.pk])
    beat(worker_id="a-worker")
    enqueue_due_jobs()
    TOTPDevice.objects.create(user=AdminUserFactory(), name="phone")
    device = CheckinDevice.objects.create(
        event=event, label="Door 2", day=event.starts_on, token_hash="x", expires_at=slot.starts_at
    )
    checkin = CheckIn.objects.create(
        scan_id="00000000-0000-4000-8000-000000000001",
        event=event,
        day=event.starts_on,
        door="entrance",
        door_label="Entrance",
        delegate=booked,
        outcome="admitted",
        admitted=True,
        scanned_at=slot.starts_at,
        device=device,
        by_name="Door 2",
    )
    StandbyEntry.objects.create(session=first, time_slot=slot, delegate=waiting, scan=checkin)
    NoShowRelease.objects.create(
        session=first, session_label="First", released=booked, seated=waiting, by_name="Door 2"
    )
    SurveyQuestions.objects.create(event=event)
    Certificate.objects.create(
        code="7KQ2M9PD",
        event=event,
        delegate=booked,
        event_name=event.name,
        sessions=[],
        minutes=0,
        name_hash="-",
        seal="-",
        issued_at=slot.starts_at,
    )
    seen = {"user_agent": "test", "ip_address": "127.0.0.1", "username": "x", "path_info": "/"}
    AccessAttempt.objects.create(**seen, get_data="", post_data="", failures_since_start=1)
    AccessLog.objects.create(**seen)
    AccessFailureLog.objects.create(**seen)
    for model in admin.site._registry:
        assert model.objects.exists(), f"no {model._meta.label} to select"


def every_action(request):
    """(model admin, name, function) of each action a superuser is offered or a class declares."""
    found = []
    for model, model_admin in admin.site._registry.items():
        offered = model_admin.get_actions(request)
        declared = {
            name
            for _func, name, _description in filter(
                None, (model_admin.get_action(a) for a in model_admin.actions or ())
            )
        }
        assert declared <= set(offered), f"{model._meta.label} declares actions no one is offered"
        found += [(model_admin, name, offered[name][0]) for name in sorted(offered)]
    return found


@pytest.fixture
def actions(rf, one_of_everything):
    request = rf.get("/")
    request.user = AdminUserFactory(is_superuser=True)
    return every_action(request)


def test_every_action_declares_the_permissions_it_needs(actions):
    assert len(actions) > 30
    undeclared, unchecked = [], []
    for model_admin, name, func in actions:
        permissions = getattr(func, "allowed_permissions", None)
        if not permissions:
            undeclared.append(f"{model_admin.model._meta.label}: {name}")
        for permission in permissions or ():
            if not hasattr(model_admin, f"has_{permission}_permission"):
                unchecked.append(f"{model_admin.model._meta.label}: {name} ({permission})")
    assert undeclared == []
    assert unchecked == []


def snapshot():
    """Every row the admin shows, bar the records that downloads write."""
    return {
        model._meta.label: list(model.objects.order_by("pk").values())
        for model in admin.site._registry
        if model is not ExportRecord
    }


def post_action(client, model_admin, name):
    opts = model_admin.model._meta
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    selected = model_admin.model.objects.order_by("pk").first()
    return client.post(
        url, {"action": name, "index": "0", helpers.ACTION_CHECKBOX_NAME: [str(selected.pk)]}
    )


def ran(response):
    """Whether the action ran, or the admin refused it (403, "No action selected", the list)."""
    if response.status_code == 403:
        return False
    if response.status_code == 302:
        return "No action selected." not in [str(m) for m in get_messages(response.wsgi_request)]
    assert response.status_code == 200
    # With no action on offer, the POST is not taken for one: the list comes back.
    return "admin/change_list.html" not in [t.name for t in response.templates]


def run_every_action(client, actions):
    """Post each action in turn, rolling back what it did; return those that ran."""
    runs = set()
    for model_admin, name, _func in actions:
        with transaction.atomic():
            response = post_action(client, model_admin, name)
            transaction.set_rollback(True)
        if ran(response):
            runs.add((model_admin.model._meta.label, name))
    return runs


def changed_models(before, after):
    return sorted(label for label in before if before[label] != after[label])


def test_superuser_runs_every_action(client, actions):
    client.force_login(AdminUserFactory(is_superuser=True))
    runs = run_every_action(client, actions)
    assert runs == {(m.model._meta.label, name) for m, name, _func in actions}


@pytest.mark.parametrize(
    ("group", "may_run"),
    [
        ("Staff", STAFF_RUNS),
        ("Catering & access", CATERING_RUNS),
        ("Door staff", DOOR_STAFF_RUNS),
    ],
    ids=["staff", "catering", "door-staff"],
)
def test_read_only_role_runs_only_downloads_and_changes_nothing(client, actions, group, may_run):
    client.force_login(AdminUserFactory(groups=[group]))
    before = snapshot()
    runs = set()
    for model_admin, name, _func in actions:  # no rolling back: nothing may change
        if ran(post_action(client, model_admin, name)):
            runs.add((model_admin.model._meta.label, name))
    assert runs == may_run
    assert changed_models(before, snapshot()) == []
    assert mail.outbox == []


def test_organisers_run_every_action_on_our_models(client, actions):
    client.force_login(AdminUserFactory(groups=["Organisers"]))
    runs = run_every_action(client, actions)
    assert runs == {
        (m.model._meta.label, name)
        for m, name, _func in actions
        if m.model._meta.app_label in OUR_APPS
    }
