"""Session surveys: who is asked, once; one reminder; answers anonymous unless named."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from outbox.models import OutgoingEmail
from registration.services.privacy import anonymise_delegate, erase_delegate
from tests.attending import attend, booked_delegate, door_staff
from workshops.models import Session, SurveyAnswer, SurveyInvitation, SurveyQuestions
from workshops.services.checkin import undo_scan
from workshops.services.feedback import (
    REMINDER_AFTER,
    SurveyError,
    answer_survey,
    send_survey_reminders,
    send_surveys,
    survey_results,
    survey_token,
)

DAY = datetime.timedelta(days=1)


@pytest.fixture
def room_one(on_the_day, four_sessions):
    """Round one's session: two booked, both scanned in; a third booked elsewhere."""
    event = on_the_day["event"]
    staff = door_staff()
    first = booked_delegate(event, four_sessions, first_name="Ada", last_name="Okafor")
    s = on_the_day["sessions"]
    second = booked_delegate(
        event, [s[(0, 0)], s[(1, 5)], s[(2, 3)], s[(3, 7)]], first_name="Ben", last_name="Ng"
    )
    absent = booked_delegate(
        event, [s[(0, 1)], s[(1, 4)], s[(2, 2)], s[(3, 6)]], first_name="Cy", last_name="Absent"
    )
    for delegate in (first, second):
        attend(delegate, four_sessions[0], staff=staff)
    session = four_sessions[0]
    return {
        "session": session,
        "attended": [first, second],
        "absent": absent,
        "staff": staff,
        "ended": session.time_slot.ends_at + datetime.timedelta(minutes=5),
    }


def survey_emails():
    return OutgoingEmail.objects.filter(subject__contains="how was")


def test_only_attendees_of_ended_sessions_are_asked(room_one):
    session = room_one["session"]
    assert send_surveys(now=session.time_slot.ends_at - datetime.timedelta(minutes=1)) == 0

    assert send_surveys(now=room_one["ended"]) == 2
    asked = set(SurveyInvitation.objects.values_list("delegate_id", "session_id"))
    assert asked == {(d.pk, session.pk) for d in room_one["attended"]}
    assert sorted(e.to for e in survey_emails()) == sorted(d.email for d in room_one["attended"])
    assert not survey_emails().filter(to=room_one["absent"].email).exists()


def test_a_second_run_asks_nobody_again(room_one):
    send_surveys(now=room_one["ended"])
    assert send_surveys(now=room_one["ended"] + datetime.timedelta(minutes=15)) == 0
    assert survey_emails().count() == 2
    assert SurveyInvitation.objects.count() == 2


def test_an_undone_check_in_is_not_asked(room_one):
    first, second = room_one["attended"]
    checkin = first.checkins.get(session=room_one["session"], admitted=True)
    undo_scan(scan_id=checkin.scan_id, by=room_one["staff"])
    send_surveys(now=room_one["ended"])
    assert list(SurveyInvitation.objects.values_list("delegate_id", flat=True)) == [second.pk]


def test_sessions_ended_long_ago_are_not_surveyed(room_one):
    assert send_surveys(now=room_one["ended"] + 4 * DAY) == 0


def test_the_email_link_is_never_stored(room_one):
    send_surveys(now=room_one["ended"])
    invitation = SurveyInvitation.objects.first()
    token = survey_token(invitation)
    email = survey_emails().get(to=invitation.delegate.email)
    assert token not in email.body_text and token not in email.body_html
    assert token not in str(email.sealed)
    assert token not in (invitation.token_hash + invitation.nonce)


def test_one_reminder_only_and_only_to_those_who_have_not_answered(room_one):
    now = room_one["ended"]
    send_surveys(now=now)
    answered, waiting = room_one["attended"]
    answer_survey(
        token=survey_token(SurveyInvitation.objects.get(delegate=answered)), rating=4, now=now
    )

    assert send_survey_reminders(now=now + REMINDER_AFTER - datetime.timedelta(minutes=1)) == 0
    assert send_survey_reminders(now=now + REMINDER_AFTER) == 1
    assert send_survey_reminders(now=now + 2 * REMINDER_AFTER) == 0
    reminders = OutgoingEmail.objects.filter(subject__contains="reminder: how was")
    assert [e.to for e in reminders] == [waiting.email]


def test_the_reminder_carries_the_same_working_link(room_one):
    now = room_one["ended"]
    send_surveys(now=now)
    send_survey_reminders(now=now + REMINDER_AFTER)
    invitation = SurveyInvitation.objects.get(delegate=room_one["attended"][0])
    answer_survey(token=survey_token(invitation), rating=5, now=now + REMINDER_AFTER)
    assert SurveyAnswer.objects.get().rating == 5


def test_an_answer_is_anonymous_unless_the_delegate_chooses(room_one):
    now = room_one["ended"]
    send_surveys(now=now)
    named, anonymous = room_one["attended"]
    for delegate, show in ((named, True), (anonymous, False)):
        answer_survey(
            token=survey_token(SurveyInvitation.objects.get(delegate=delegate)),
            rating=3 if show else 5,
            first_answer="Good pace",
            show_name=show,
            now=now,
        )
    results = survey_results(Session.objects.filter(pk=room_one["session"].pk))
    assert sorted((a.rating, a.shown_name) for a in results.answers) == [
        (3, "Ada Okafor"),
        (5, ""),
    ]
    # Nothing ties the anonymous answer to anyone: no link to its invitation or delegate.
    anonymous_answer = SurveyAnswer.objects.get(rating=5)
    assert anonymous_answer.named_delegate is None
    assert {f.name for f in SurveyAnswer._meta.concrete_fields} == {
        "id",
        "session",
        "rating",
        "first_answer",
        "second_answer",
        "named_delegate",
        "submitted_on",
    }


def test_results_count_rate_and_distribution(room_one):
    now = room_one["ended"]
    send_surveys(now=now)
    answer_survey(
        token=survey_token(SurveyInvitation.objects.get(delegate=room_one["attended"][0])),
        rating=4,
        now=now,
    )
    results = survey_results(Session.objects.filter(pk=room_one["session"].pk))
    assert (results.surveyed, results.answered, results.response_rate) == (2, 1, 0.5)
    assert results.distribution == {1: 0, 2: 0, 3: 0, 4: 1, 5: 0}
    assert results.bars[3] == (4, 1, 100)


def test_a_link_answers_once(room_one):
    send_surveys(now=room_one["ended"])
    token = survey_token(SurveyInvitation.objects.first())
    answer_survey(token=token, rating=2, now=room_one["ended"])
    with pytest.raises(SurveyError, match="already been received"):
        answer_survey(token=token, rating=5, now=room_one["ended"])
    assert list(SurveyAnswer.objects.values_list("rating", flat=True)) == [2]


@pytest.mark.parametrize(
    ("rating", "text"), [(0, ""), (6, ""), (3, "x" * 2001)], ids=["zero", "six", "too-long"]
)
def test_bad_answers_save_nothing(room_one, rating, text):
    send_surveys(now=room_one["ended"])
    invitation = SurveyInvitation.objects.first()
    with pytest.raises(ValidationError):
        answer_survey(
            token=survey_token(invitation), rating=rating, first_answer=text, now=room_one["ended"]
        )
    assert SurveyAnswer.objects.count() == 0
    invitation.refresh_from_db()
    assert invitation.answered is False


def test_unknown_and_closed_links_are_refused(room_one):
    with pytest.raises(SurveyError, match="not recognised"):
        answer_survey(token="made-up", rating=3)
    send_surveys(now=room_one["ended"])
    token = survey_token(SurveyInvitation.objects.first())
    with pytest.raises(SurveyError, match="closed"):
        answer_survey(token=token, rating=3, now=room_one["ended"] + 15 * DAY)
    assert SurveyAnswer.objects.count() == 0


def test_questions_are_the_events_own(room_one):
    SurveyQuestions.objects.create(
        event=room_one["session"].time_slot.event,
        rating_question="Would you recommend it?",
        first_question="One thing you will use at work?",
        second_question="Anything else?",
    )
    send_surveys(now=room_one["ended"])
    assert "One thing you will use at work?" in survey_emails().first().body_text


@pytest.mark.parametrize("forget", [anonymise_delegate, erase_delegate])
def test_forgetting_a_delegate_unnames_their_answers_and_stops_their_link(room_one, forget):
    now = room_one["ended"]
    send_surveys(now=now)
    named, other = room_one["attended"]
    answer_survey(
        token=survey_token(SurveyInvitation.objects.get(delegate=named)),
        rating=5,
        show_name=True,
        now=now,
    )
    forget(delegate=named)
    forget(delegate=other)
    answer = SurveyAnswer.objects.get()
    assert (answer.rating, answer.named_delegate) == (5, None)
    with pytest.raises(SurveyError, match="not recognised"):
        answer_survey(
            token=survey_token(SurveyInvitation.objects.get(delegate=other)), rating=1, now=now
        )
    assert send_survey_reminders(now=now + REMINDER_AFTER) == 0
