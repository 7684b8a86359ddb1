"""Feedback results in the admin: counts, rate, chart, free text, downloads; names only where
the delegate chose; only roles that may read feedback."""

import datetime

import pytest
from django.urls import reverse

from tests.attending import attend, booked_delegate, door_staff
from tests.factories import AdminUserFactory
from tests.workshops.exports.data import read_table
from workshops.models import Certificate, ExportRecord, SurveyInvitation
from workshops.services.certificates import certificate_for
from workshops.services.feedback import answer_survey, send_surveys, survey_token


@pytest.fixture
def answered(on_the_day, four_sessions):
    """Round one's session: Ada (named, 5, a formula), Ben (anonymous, 2), Cy asked, silent."""
    event, s = on_the_day["event"], on_the_day["sessions"]
    staff = door_staff()
    people = [
        booked_delegate(event, four_sessions, first_name="Ada", last_name="Okafor"),
        booked_delegate(
            event, [s[(0, 0)], s[(1, 5)], s[(2, 3)], s[(3, 7)]], first_name="Ben", last_name="Ng"
        ),
    ]
    silent = booked_delegate(
        event, [s[(0, 1)], s[(1, 4)], s[(2, 2)], s[(3, 6)]], first_name="Cy", last_name="Quiet"
    )
    for person in people:
        attend(person, four_sessions[0], staff=staff)
    attend(silent, s[(0, 1)], staff=staff)
    ended = four_sessions[0].time_slot.ends_at + datetime.timedelta(minutes=1)
    send_surveys(now=ended)
    for person, rating, text, named in (
        (people[0], 5, '=HYPERLINK("http://x")', True),
        (people[1], 2, "Too short", False),
    ):
        invitation = SurveyInvitation.objects.get(delegate=person)
        answer_survey(
            token=survey_token(invitation),
            rating=rating,
            first_answer=text,
            show_name=named,
            now=ended,
        )
    return {"session": four_sessions[0], "other": s[(0, 1)], "people": people}


def test_organisers_see_counts_rate_and_average_per_session(client, answered):
    client.force_login(AdminUserFactory(groups=["Organisers"]))
    response = client.get(reverse("admin:workshops_feedback_results"))
    assert response.status_code == 200
    row = next(s for s in response.context["sessions"] if s.pk == answered["session"].pk)
    assert (row.surveyed, row.answered, row.average_rating) == (2, 2, 3.5)
    other = next(s for s in response.context["sessions"] if s.pk == answered["other"].pk)
    assert (other.surveyed, other.answered) == (1, 0)


def test_a_sessions_page_charts_the_ratings_and_names_only_who_chose(client, answered):
    client.force_login(AdminUserFactory(groups=["Organisers"]))
    url = reverse("admin:workshops_feedback_session", args=[answered["session"].pk])
    response = client.get(url)
    page = response.content.decode()
    assert response.context["results"].bars == [
        (1, 0, 0),
        (2, 1, 50),
        (3, 0, 0),
        (4, 0, 0),
        (5, 1, 50),
    ]
    assert '<rect x="0" y="0" width="50" height="10" fill="#205067">' in page
    assert "from Ada Okafor" in page
    assert "Too short" in page
    assert "Ben Ng" not in page and "from Ben" not in page


def test_a_workshops_page_adds_up_its_sessions(client, answered):
    client.force_login(AdminUserFactory(groups=["Organisers"]))
    workshop = answered["session"].workshop
    response = client.get(reverse("admin:workshops_feedback_workshop", args=[workshop.pk]))
    results = response.context["results"]
    assert (results.surveyed, results.answered) == (2, 2)


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_the_download_neutralises_formulas_and_names_only_who_chose(client, answered, file_format):
    client.force_login(AdminUserFactory(groups=["Organisers"]))
    url = reverse(
        "admin:workshops_feedback_download",
        args=["sessions", answered["session"].pk, file_format],
    )
    header, *rows = read_table(client.get(url), file_format)
    assert header[3:7] == [
        "Rating (1-5)",
        "Answer 1",
        "Answer 2",
        "Name (if the delegate chose to show it)",
    ]
    assert (
        [(row[3], row[4], row[6]) for row in rows]
        == [
            (5, '\'=HYPERLINK("http://x")', "Ada Okafor"),
            (2, "Too short", ""),
        ]
        if file_format == "xlsx"
        else [
            ("5", '\'=HYPERLINK("http://x")', "Ada Okafor"),
            ("2", "Too short", ""),
        ]
    )
    assert ExportRecord.objects.get().row_count == 2


@pytest.mark.parametrize("groups", [["Door staff"], ["Catering & access"], []])
def test_roles_without_the_right_see_no_feedback(client, answered, groups):
    client.force_login(AdminUserFactory(groups=groups))
    for url in (
        reverse("admin:workshops_feedback_results"),
        reverse("admin:workshops_feedback_session", args=[answered["session"].pk]),
        reverse(
            "admin:workshops_feedback_download", args=["sessions", answered["session"].pk, "csv"]
        ),
    ):
        assert client.get(url).status_code == 403
    assert ExportRecord.objects.count() == 0


def test_organisers_withdraw_a_certificate(client, answered):
    certificate = certificate_for(delegate=answered["people"][0])
    client.force_login(AdminUserFactory(groups=["Organisers"]))
    response = client.post(
        reverse("admin:workshops_certificate_changelist"),
        {"action": "revoke", "_selected_action": [certificate.pk]},
    )
    assert response.status_code == 302
    assert Certificate.objects.get().revoked_at is not None
    page = client.get(f"/certificates/{certificate.code}/")
    assert page.status_code == 404


def test_staff_reach_the_results_from_the_questions_list_and_change_nothing(client, answered):
    client.force_login(AdminUserFactory(groups=["Staff"]))
    listing = client.get(reverse("admin:workshops_surveyquestions_changelist"))
    assert listing.status_code == 200
    assert reverse("admin:workshops_feedback_results") in listing.content.decode()
    assert client.get(reverse("admin:workshops_feedback_results")).status_code == 200
    assert client.get(reverse("admin:workshops_surveyquestions_add")).status_code == 403
