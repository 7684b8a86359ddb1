"""The session survey and the certificate check: axe-clean in every state, at desktop and phone
width, and the survey answered with JavaScript off."""

import datetime
import secrets

import pytest
from django.urls import reverse
from django.utils import timezone

from registration.models import Event, hash_token
from tests.browser.admin_pages import restore_roles, sign_in_admin
from tests.browser.conftest import DESKTOP, PHONE
from tests.browser.journey import assert_clean, axe_violations
from tests.browser.test_admin_accessibility import check_pages
from tests.factories import AdminUserFactory, DelegateFactory
from workshops.models import Certificate, Session, SurveyAnswer, SurveyInvitation
from workshops.services.certificates import format_code, name_hash, seal_for
from workshops.services.feedback import survey_token

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def survey_path():
    """An invitation to the first session of the loaded event (sent now, as after it ended)."""
    event = Event.objects.current()
    session = Session.objects.for_event(event).order_by("pk").first()
    now = timezone.now()
    invitation = SurveyInvitation(
        session=session,
        delegate=DelegateFactory(event=event),
        nonce=secrets.token_hex(16),
        sent_at=now,
        closes_at=now + datetime.timedelta(days=14),
    )
    invitation.token_hash = hash_token(survey_token(invitation))
    invitation.save()
    return f"/feedback/{survey_token(invitation)}/"


def certificate_code():
    event = Event.objects.current()
    session = Session.objects.for_event(event).select_related("workshop", "time_slot").first()
    code, now = "7KQ2M9PD", timezone.now()
    sessions = [
        {
            "workshop": session.workshop.title,
            "slot": session.time_slot.name,
            "starts_at": session.time_slot.starts_at.isoformat(),
            "ends_at": session.time_slot.ends_at.isoformat(),
        }
    ]
    Certificate.objects.create(
        code=code,
        event=event,
        event_name=event.name,
        sessions=sessions,
        minutes=50,
        name_hash=name_hash(code=code, name="Priya Shah"),
        seal=seal_for(
            code=code, event_name=event.name, sessions=sessions, minutes=50, issued_at=now
        ),
        issued_at=now,
    )
    return format_code(code)


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_survey_has_no_axe_violations_in_any_state(page, viewport):
    page.set_viewport_size(viewport)
    path = survey_path()
    reports = []
    page.goto(path)
    reports.append(axe_violations(page, "empty"))
    page.get_by_role("button", name="Send my feedback").click()
    page.get_by_text("There is a problem with your answers").wait_for()
    reports.append(axe_violations(page, "with errors"))
    page.get_by_label("4", exact=True).check()
    page.get_by_label("What was most useful?").fill("The case studies")
    page.get_by_role("button", name="Send my feedback").click()
    page.get_by_role("heading", name="Thank you").wait_for()
    reports.append(axe_violations(page, "thanks"))
    page.goto(path)
    reports.append(axe_violations(page, "already answered"))
    assert_clean(reports)
    assert SurveyAnswer.objects.get().rating == 4


def test_survey_works_without_javascript(browser, live_server, socex_data):
    context = browser.new_context(
        viewport=PHONE, base_url=live_server.url, java_script_enabled=False
    )
    page = context.new_page()
    try:
        page.goto(survey_path())
        page.get_by_label("2", exact=True).check()
        page.get_by_label("You may show my name with my answers").check()
        page.get_by_role("button", name="Send my feedback").click()
        page.get_by_role("heading", name="Thank you").wait_for()
    finally:
        context.close()
    answer = SurveyAnswer.objects.get()
    assert (answer.rating, answer.named_delegate is not None) == (2, True)


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_certificate_pages_have_no_axe_violations(page, viewport):
    page.set_viewport_size(viewport)
    code = certificate_code()
    reports = []
    page.goto("/certificates/")
    reports.append(axe_violations(page, "find"))
    page.get_by_label("Certificate code").fill(code.lower())
    page.get_by_role("button", name="Check this certificate").click()
    page.get_by_role("heading", name=f"Certificate {code} is genuine").wait_for()
    reports.append(axe_violations(page, "genuine"))
    page.get_by_role("button", name="Check the name").click()
    page.get_by_text("There is a problem with your answers").wait_for()
    reports.append(axe_violations(page, "name missing"))
    page.get_by_label("Name as printed on the certificate").fill("priya shah")
    page.get_by_role("button", name="Check the name").click()
    page.get_by_text("is the name this certificate was issued to").wait_for()
    reports.append(axe_violations(page, "name matches"))
    page.goto("/certificates/ZZZZ-ZZZZ/")
    reports.append(axe_violations(page, "unknown"))
    assert_clean(reports)


def test_feedback_admin_pages_are_axe_clean_and_fit_a_phone(page, live_server, socex_data):
    restore_roles()
    path = survey_path()
    invitation = SurveyInvitation.objects.get()
    session = invitation.session
    SurveyAnswer.objects.create(
        session=session, rating=4, first_answer="Clear", submitted_on=timezone.localdate()
    )
    SurveyAnswer.objects.create(
        session=session,
        rating=2,
        second_answer="A longer answer " * 30,
        named_delegate=invitation.delegate,
        submitted_on=timezone.localdate(),
    )
    assert path
    certificate_code()
    sign_in_admin(page, AdminUserFactory(groups=["Organisers"]), url=live_server.url)
    pages = [
        ("feedback results", reverse("admin:workshops_feedback_results")),
        ("session feedback", reverse("admin:workshops_feedback_session", args=[session.pk])),
        (
            "workshop feedback",
            reverse("admin:workshops_feedback_workshop", args=[session.workshop_id]),
        ),
        ("survey questions", reverse("admin:workshops_surveyquestions_changelist")),
        ("new survey questions", reverse("admin:workshops_surveyquestions_add")),
        ("certificates", reverse("admin:workshops_certificate_changelist")),
    ]
    reports, problems = check_pages(page, pages)
    assert problems == []
    assert_clean(reports)
