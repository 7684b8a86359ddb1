"""The feedback and certificate jobs run twice at once: each delegate is asked, reminded and
sent a certificate once. Needs real row locks and unique-index waits: PostgreSQL."""

import datetime

import pytest

from outbox.models import OutgoingEmail
from tests.attending import attend, booked_delegate, door_staff
from tests.concurrency.threads import run_at_once, skip_unless_postgres
from workshops.models import Certificate, SurveyInvitation
from workshops.services.certificates import send_certificates
from workshops.services.feedback import REMINDER_AFTER, send_survey_reminders, send_surveys

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def needs_postgres():
    skip_unless_postgres()


@pytest.fixture
def attendees(on_the_day):
    s = on_the_day["sessions"]
    staff = door_staff()
    people = [
        booked_delegate(on_the_day["event"], [s[(0, 0)], s[(1, 4)], s[(2, 2)], s[(3, 6)]]),
        booked_delegate(on_the_day["event"], [s[(0, 0)], s[(1, 5)], s[(2, 3)], s[(3, 7)]]),
    ]
    for person in people:
        attend(person, s[(0, 0)], staff=staff)
    return {"people": people, "session": s[(0, 0)], "slots": on_the_day["slots"]}


def test_race_two_survey_runs_ask_each_attendee_once(attendees):
    ended = attendees["session"].time_slot.ends_at + datetime.timedelta(minutes=1)
    results = run_at_once([lambda: send_surveys(now=ended)] * 2)
    assert sorted(results) in ([0, 2], [1, 1]), results
    assert SurveyInvitation.objects.count() == 2
    assert OutgoingEmail.objects.filter(subject__contains="how was").count() == 2

    later = ended + REMINDER_AFTER
    results = run_at_once([lambda: send_survey_reminders(now=later)] * 2)
    assert sum(results) == 2, results
    assert OutgoingEmail.objects.filter(subject__contains="reminder: how was").count() == 2


def test_race_two_certificate_runs_issue_and_email_each_once(attendees):
    after = max(slot.ends_at for slot in attendees["slots"]) + datetime.timedelta(hours=1)
    results = run_at_once([lambda: send_certificates(now=after)] * 2)
    assert sum(results) == 2, results
    assert Certificate.objects.count() == 2
    assert OutgoingEmail.objects.filter(subject__contains="attendance certificate").count() == 2
