"""Facilitators' links, sessions, rosters and emails (workshops/services/facilitator.py)."""

import datetime
import uuid

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from outbox.models import OutgoingEmail
from registration.models import Delegate
from tests.attending import read_on
from tests.factories import DelegateFactory, FacilitatorFactory
from tests.jobs import run_queued_jobs
from workshops.models import Announcement, AnnouncementRecipient, FacilitatorLink
from workshops.services.booking import book_sessions
from workshops.services.checkin import record_scan
from workshops.services.doors import Door, DoorStaff
from workshops.services.facilitator import (
    SAME_EMAIL_WINDOW,
    FacilitatorError,
    facilitator_session,
    facilitator_sessions,
    find_usable_facilitator_link,
    issue_facilitator_link,
    prune_needs_grants,
    send_facilitator_email,
    send_facilitator_link_if_known,
    session_roster,
    spend_facilitator_link,
)
from workshops.services.standby import day_of

ORIGIN = "http://127.0.0.1:8000"


def token_of(url):
    return url.rstrip("/").rsplit("/", 1)[1]


@pytest.fixture(autouse=True)
def one_session_each(programme):
    """Delegates here hold one session each, so a test books only the one it is about."""
    programme["event"].choices_required = 1
    programme["event"].save()


@pytest.fixture
def facilitator(programme):
    """Runs Workshop 1 (sessions in rounds 1 and 4)."""
    return FacilitatorFactory(
        event=programme["event"], name="Nia Okafor", workshops=[programme["workshops"][0]]
    )


@pytest.fixture
def own(programme):
    return programme["sessions"][(0, 0)]


@pytest.fixture
def other(programme):
    return programme["sessions"][(0, 1)]


def test_link_is_stored_only_as_a_hash_and_works_once(facilitator):
    url = issue_facilitator_link(facilitator=facilitator)
    token = token_of(url)
    stored = FacilitatorLink.objects.get()
    assert token not in stored.token_hash
    assert stored.token_hash == FacilitatorLink.token_hash_of(token)
    link = find_usable_facilitator_link(token)
    assert link.facilitator == facilitator
    assert spend_facilitator_link(link=link) is True
    assert spend_facilitator_link(link=link) is False
    assert find_usable_facilitator_link(token) is None


def test_link_expires_after_manage_link_hours(facilitator, settings):
    settings.MANAGE_LINK_HOURS = 2
    now = timezone.now()
    token = token_of(issue_facilitator_link(facilitator=facilitator, now=now))
    assert find_usable_facilitator_link(token, now=now + datetime.timedelta(hours=1, minutes=59))
    assert find_usable_facilitator_link(token, now=now + datetime.timedelta(hours=2)) is None


@pytest.mark.parametrize("token", ["", "x", "a" * 43])
def test_made_up_tokens_find_nothing(facilitator, token):
    issue_facilitator_link(facilitator=facilitator)
    assert find_usable_facilitator_link(token) is None


def test_a_delegates_booking_link_does_not_sign_a_facilitator_in(programme, facilitator):
    from registration.services.link import issue_manage_link  # only this test needs it

    delegate = DelegateFactory(event=programme["event"], email=facilitator.email)
    assert find_usable_facilitator_link(token_of(issue_manage_link(delegate=delegate))) is None


def test_link_request_for_a_facilitator_emails_a_working_link(facilitator):
    assert send_facilitator_link_if_known(email="  NIA.Okafor@X.example ") is False
    assert send_facilitator_link_if_known(email=facilitator.email.upper()) is True
    message = OutgoingEmail.objects.get()
    assert message.to == facilitator.email
    assert "/facilitate/link/" not in message.body_text  # sealed until sent
    run_queued_jobs()
    [sent] = mail.outbox
    path = sent.body.split(ORIGIN, 1)[1].split()[0]
    assert find_usable_facilitator_link(token_of(path)).facilitator == facilitator


def test_link_request_for_an_unknown_address_writes_nothing(facilitator, programme):
    DelegateFactory(event=programme["event"], email="delegate@force.police.uk")
    assert send_facilitator_link_if_known(email="delegate@force.police.uk") is False
    assert FacilitatorLink.objects.count() == 0
    assert OutgoingEmail.objects.count() == 0


def test_sessions_are_only_those_of_their_workshops(programme, facilitator):
    sessions = programme["sessions"]
    assert list(facilitator_sessions(facilitator)) == [sessions[(0, 0)], sessions[(3, 0)]]
    with pytest.raises(FacilitatorError):
        facilitator_session(facilitator=facilitator, session_id=sessions[(0, 1)].pk)


def test_sessions_of_a_workshop_at_another_event_are_not_theirs(programme):
    elsewhere = FacilitatorFactory(workshops=[programme["workshops"][0]])
    assert list(facilitator_sessions(elsewhere)) == []


def test_roster_shows_name_agency_badge_and_arrival_not_needs_without_grant(
    programme, facilitator, own
):
    ada = DelegateFactory(
        event=programme["event"], first_name="Ada", last_name="Byron", accessibility_needs="Hoist"
    )
    book_sessions(delegate=ada, sessions=[own])
    roster = session_roster(facilitator=facilitator, session=own)
    assert roster.shows_needs is False
    [row] = roster.rows
    assert (row.name, row.badge_name, row.agency) == ("Ada Byron", "Ada Byron", ada.agency.name)
    assert row.accessibility_needs is None
    assert row.checked_in_at is None


def test_roster_shows_access_needs_only_at_the_granted_session(programme, own):
    second_round = programme["sessions"][(3, 0)]
    granted = FacilitatorFactory(
        event=programme["event"], workshops=[programme["workshops"][0]], needs_sessions=[own]
    )
    ada = DelegateFactory(event=programme["event"], accessibility_needs="Step-free access")
    bo = DelegateFactory(event=programme["event"], accessibility_needs="Hearing loop")
    book_sessions(delegate=ada, sessions=[own])
    book_sessions(delegate=bo, sessions=[second_round])
    here = session_roster(facilitator=granted, session=own)
    assert [row.accessibility_needs for row in here.rows] == ["Step-free access"]
    there = session_roster(facilitator=granted, session=second_round)
    assert there.shows_needs is False
    assert [row.accessibility_needs for row in there.rows] == [None]


def test_roster_of_another_session_is_refused(facilitator, other):
    with pytest.raises(FacilitatorError):
        session_roster(facilitator=facilitator, session=other)


def test_roster_marks_who_was_checked_in_there(programme, facilitator, own, on_the_day):
    here, away = (DelegateFactory(event=programme["event"]) for _ in range(2))
    for delegate in (here, away):
        book_sessions(delegate=delegate, sessions=[own])
    door = Door(event=programme["event"], day=day_of(own), session=own)
    checkin, _ = record_scan(
        scan_id=uuid.uuid4(),
        door=door,
        reference=here.checkin_reference,
        by=DoorStaff(facilitator=facilitator),
        scanned_at=read_on(door.day),
        now=read_on(door.day),
    )
    assert checkin.outcome == "admitted"
    assert checkin.facilitator == facilitator
    assert checkin.by_name == "Nia Okafor (facilitator)"
    roster = session_roster(facilitator=facilitator, session=own)
    arrivals = {row.name: row.checked_in_at is not None for row in roster.rows}
    assert arrivals == {here.full_name: True, away.full_name: False}
    assert roster.arrived == 1


def test_grants_outside_their_workshops_are_pruned(programme, facilitator, own, other):
    facilitator.needs_sessions.add(own, other)
    assert prune_needs_grants(facilitator=facilitator) == 1
    assert list(facilitator.needs_sessions.all()) == [own]


@pytest.fixture
def attendance(programme, facilitator, own, other, on_the_day):
    """At `own`: `came` checked in, `absent` booked only; `elsewhere` checked in at `other`."""
    event = programme["event"]
    came = DelegateFactory(event=event, first_name="Came")
    absent = DelegateFactory(event=event, first_name="Absent")
    elsewhere = DelegateFactory(event=event, first_name="Elsewhere")
    book_sessions(delegate=came, sessions=[own])
    book_sessions(delegate=absent, sessions=[own])
    book_sessions(delegate=elsewhere, sessions=[other])
    staff = DoorStaff(facilitator=facilitator)
    for delegate, session in ((came, own), (elsewhere, other)):
        record_scan(
            scan_id=uuid.uuid4(),
            door=Door(event=event, day=day_of(session), session=session),
            reference=delegate.checkin_reference,
            by=DoorStaff(system="test") if session == other else staff,
            scanned_at=read_on(day_of(session)),
            now=read_on(day_of(session)),
        )
    OutgoingEmail.objects.all().delete()  # their booking confirmations
    DBTaskResult.objects.all().delete()
    return {"came": came, "absent": absent, "elsewhere": elsewhere}


def test_email_to_attendees_reaches_those_checked_in_there_only(facilitator, own, attendance):
    announcement, recipients = send_facilitator_email(
        facilitator=facilitator,
        session=own,
        audience="attended",
        subject="Slides from today",
        body="Thank you <b>all</b> & see you soon",
    )
    assert [r.email for r in recipients] == [attendance["came"].email]
    assert [m.to for m in OutgoingEmail.objects.all()] == [attendance["came"].email]
    assert announcement.facilitator == facilitator
    assert announcement.sent_at is not None
    assert AnnouncementRecipient.objects.get().delegate == attendance["came"]
    message = OutgoingEmail.objects.get()
    assert "&lt;b&gt;all&lt;/b&gt; &amp; see you soon" in message.body_html
    assert "<b>all</b>" not in message.body_html
    assert "Nia Okafor" in message.body_text
    assert "Facilitator, Workshop 1" in message.body_text


def test_email_to_everyone_booked_reaches_the_session_only(facilitator, own, attendance):
    _announcement, recipients = send_facilitator_email(
        facilitator=facilitator, session=own, audience="session", subject="Hi", body="Hello"
    )
    assert sorted(r.email for r in recipients) == sorted(
        [attendance["came"].email, attendance["absent"].email]
    )


def test_email_skips_cancelled_and_unconfirmed_attendees(facilitator, own, attendance):
    attendance["came"].status = Delegate.Status.CANCELLED
    attendance["came"].save()
    with pytest.raises(FacilitatorError, match="Nobody would receive this"):
        send_facilitator_email(
            facilitator=facilitator, session=own, audience="attended", subject="Hi", body="Hello"
        )
    assert Announcement.objects.count() == 0
    assert OutgoingEmail.objects.count() == 0


@pytest.mark.parametrize("audience", ["event", "time_slot", "nonsense"])
def test_email_audiences_beyond_the_session_are_refused(facilitator, own, attendance, audience):
    with pytest.raises(FacilitatorError):
        send_facilitator_email(
            facilitator=facilitator, session=own, audience=audience, subject="Hi", body="Hello"
        )
    assert OutgoingEmail.objects.count() == 0


def test_email_to_another_session_is_refused(facilitator, other, attendance):
    with pytest.raises(FacilitatorError):
        send_facilitator_email(
            facilitator=facilitator, session=other, audience="attended", subject="Hi", body="Hi"
        )
    assert OutgoingEmail.objects.count() == 0


def test_email_subject_on_two_lines_is_refused(facilitator, own, attendance):
    with pytest.raises(ValidationError):
        send_facilitator_email(
            facilitator=facilitator,
            session=own,
            audience="attended",
            subject="Hi\nBcc: everyone@example.org",
            body="Hello",
        )
    assert OutgoingEmail.objects.count() == 0


def test_the_same_email_sent_again_soon_is_refused_in_words(facilitator, own, attendance):
    send = dict(facilitator=facilitator, session=own, audience="session", subject="Hi", body="Hi")
    send_facilitator_email(**send)
    with pytest.raises(FacilitatorError, match=r"You sent this same email at .*not sent again"):
        send_facilitator_email(**send)
    assert Announcement.objects.count() == 1
    assert OutgoingEmail.objects.count() == 2  # one to each of the two booked, once
    # A different email, or the same one well after, is a new message.
    send_facilitator_email(**{**send, "body": "Room changed"})
    later = timezone.now() + SAME_EMAIL_WINDOW + datetime.timedelta(minutes=1)
    send_facilitator_email(**send, now=later)
    assert Announcement.objects.count() == 3
