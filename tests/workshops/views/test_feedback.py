"""The survey page (no JavaScript: a plain form) and the certificate pages."""

import datetime
import io

import pytest
from pypdf import PdfReader

from tests.attending import attend, booked_delegate, door_staff
from workshops.models import Certificate, SurveyAnswer, SurveyInvitation
from workshops.services.certificates import certificate_for, format_code
from workshops.services.feedback import send_surveys, survey_token


@pytest.fixture
def attended(on_the_day, four_sessions):
    delegate = booked_delegate(
        on_the_day["event"], four_sessions, first_name="Ada", last_name="Okafor"
    )
    attend(delegate, four_sessions[0], staff=door_staff())
    return delegate


@pytest.fixture
def survey_path(attended, four_sessions, settings):
    send_surveys(now=four_sessions[0].time_slot.ends_at + datetime.timedelta(minutes=1))
    invitation = SurveyInvitation.objects.get()
    # The survey stays open 14 days after the email; the test runs years after 2019.
    SurveyInvitation.objects.update(closes_at=datetime.datetime(2100, 1, 1, tzinfo=datetime.UTC))
    return f"/feedback/{survey_token(invitation)}/"


def test_the_survey_page_shows_the_events_questions(client, survey_path, four_sessions):
    response = client.get(survey_path)
    assert response.status_code == 200
    page = response.content.decode()
    assert f"How was {four_sessions[0].workshop.title}?" in page
    assert "Overall, how useful was this session to you?" in page
    assert response["Cache-Control"].startswith("max-age=0")


def test_an_answer_is_recorded_and_the_link_then_says_so(client, survey_path):
    response = client.post(
        survey_path, {"rating": "4", "first_answer": "Clear", "second_answer": ""}
    )
    assert response.status_code == 200
    assert "Thank you" in response.content.decode()
    answer = SurveyAnswer.objects.get()
    assert (answer.rating, answer.first_answer, answer.named_delegate) == (4, "Clear", None)
    again = client.get(survey_path)
    assert again.status_code == 404
    assert "already been received" in again.content.decode()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Choose a rating from 1 to 5."),
        ({"rating": "9"}, "Choose a rating from 1 to 5."),
        ({"rating": "x"}, "Choose a rating from 1 to 5."),
        ({"rating": "3", "first_answer": "a" * 2001}, "Keep this answer to 2000 characters"),
        ({"rating": "3", "second_answer": "nul\x00byte"}, "Null characters are not allowed."),
        ({"rating": "3", "first_answer": "Great\u202e talk"}, "text-direction characters"),
    ],
    ids=["missing", "out-of-range", "not-a-number", "too-long", "nul", "direction-override"],
)
def test_bad_answers_get_a_message_and_save_nothing(client, survey_path, data, message):
    response = client.post(survey_path, data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert SurveyAnswer.objects.count() == 0
    assert SurveyInvitation.objects.get().answered is False


def test_an_unknown_link_is_a_clear_404(client, db):
    response = client.get("/feedback/not-a-real-token/")
    assert response.status_code == 404
    assert "not recognised" in response.content.decode()
    assert client.post("/feedback/not-a-real-token/", {"rating": "3"}).status_code == 404


def test_the_manage_page_offers_the_certificate_after_the_event(client, sign_in, attended):
    sign_in(attended)
    page = client.get("/booking/").content.decode()
    assert "Download my attendance certificate" in page
    response = client.get("/booking/certificate.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = PdfReader(io.BytesIO(response.content)).pages[0].extract_text()
    certificate = Certificate.objects.get()
    assert "Ada Okafor" in text
    assert format_code(certificate.code) in text


def test_no_certificate_link_for_a_delegate_who_attended_nothing(client, sign_in, on_the_day):
    s = on_the_day["sessions"]
    absent = booked_delegate(on_the_day["event"], [s[(0, 1)], s[(1, 5)], s[(2, 3)], s[(3, 7)]])
    sign_in(absent)
    assert "attendance certificate" not in client.get("/booking/").content.decode()
    response = client.get("/booking/certificate.pdf")
    assert response.status_code == 404
    assert "no session check-in" in response.content.decode()


def test_the_verification_page_shows_what_is_certified_without_the_name(client, attended):
    certificate = certificate_for(delegate=attended)
    response = client.get(f"/certificates/{format_code(certificate.code)}/")
    page = response.content.decode()
    assert response.status_code == 200
    assert f"Certificate {format_code(certificate.code)} is genuine" in page
    assert certificate.sessions[0]["workshop"] in page
    assert "Okafor" not in page

    matched = client.post(f"/certificates/{certificate.code}/", {"name": "ada okafor"})
    assert "is the name this certificate was issued to" in matched.content.decode()
    wrong = client.post(f"/certificates/{certificate.code}/", {"name": "Someone Else"})
    assert "is not the name this certificate was issued to" in wrong.content.decode()
    empty = client.post(f"/certificates/{certificate.code}/", {"name": ""})
    assert empty.status_code == 400
    assert "Type the name printed on the certificate." in empty.content.decode()


@pytest.mark.parametrize("code", ["ZZZZ-ZZZZ", "x" * 300, "<script>", "%00"])
def test_an_unknown_code_is_refused(client, attended, code):
    certificate_for(delegate=attended)
    response = client.get(f"/certificates/{code}/")
    assert response.status_code == 404
    assert "Certificate not recognised" in response.content.decode()


def test_the_find_page_sends_a_typed_code_to_its_page(client, db):
    response = client.get("/certificates/", {"code": "7kq2m9pd"})
    assert response.status_code == 302
    assert response["Location"] == "/certificates/7KQ2-M9PD/"
    assert client.get("/certificates/", {"code": "--"}).status_code == 400
