"""Facilitators' pages: sign-in by emailed link, only their own sessions whatever ids are typed,
access needs only with the grant, check-in at their own rooms only, emails to their session."""

import datetime
import json
import re
import uuid
from unittest import mock

import pytest
from django.core import mail
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from outbox.models import OutgoingEmail
from tests.attending import attend, door_staff
from tests.factories import AdminUserFactory, DelegateFactory, FacilitatorFactory
from tests.jobs import queued_jobs, run_queued_jobs
from workshops.models import Announcement, CheckIn, FacilitatorLink, SurveyInvitation
from workshops.services.booking import book_sessions
from workshops.services.facilitator import issue_facilitator_link
from workshops.services.feedback import answer_survey, send_surveys, survey_token

ORIGIN = "http://127.0.0.1:8000"
KNOWN = "nia.okafor@training.example"
UNKNOWN = "nobody.xyz@training.example"  # same length: the pages compare byte for byte
NEEDS = "Uses a wheelchair; needs a desk at the front"
DAY_TWO_NOON = "2019-05-23T12:00:00+01:00"
SENT_ON_DAY_TWO = datetime.datetime(2019, 5, 23, 11, 1, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def one_session_each(on_the_day):
    """Delegates here hold one session each, on SOCEX 2019's own dates."""
    on_the_day["event"].choices_required = 1
    on_the_day["event"].save()
    return on_the_day


@pytest.fixture
def sessions(programme):
    s = programme["sessions"]
    return {"own": s[(0, 0)], "own_later": s[(3, 0)], "other": s[(0, 1)], "other_later": s[(3, 1)]}


@pytest.fixture
def facilitator(programme):
    return FacilitatorFactory(
        event=programme["event"],
        name="Nia Okafor",
        email=KNOWN,
        workshops=[programme["workshops"][0]],
    )


@pytest.fixture
def people(programme, sessions):
    """Ada at their session, Bo at another session in the same round; both have needs."""
    event = programme["event"]
    ada = DelegateFactory(
        event=event, first_name="Ada", last_name="Byron", accessibility_needs=NEEDS
    )
    bo = DelegateFactory(event=event, first_name="Bo", last_name="Other", accessibility_needs=NEEDS)
    book_sessions(delegate=ada, sessions=[sessions["own"]])
    book_sessions(delegate=bo, sessions=[sessions["other"]])
    OutgoingEmail.objects.all().delete()  # their booking confirmations
    DBTaskResult.objects.all().delete()
    return {"ada": ada, "bo": bo}


def sign_in_facilitator(client, facilitator):
    path = issue_facilitator_link(facilitator=facilitator).removeprefix(ORIGIN)
    response = client.post(path)
    assert response.status_code == 302
    assert response["Location"] == reverse("facilitators:home")
    return client


@pytest.fixture
def signed_in(client, facilitator):
    return sign_in_facilitator(client, facilitator)


# Signing in


def test_request_page_answers_the_same_for_known_and_unknown_addresses(client, facilitator):
    known = client.post(reverse("facilitators:request_link"), {"email": KNOWN})
    unknown = client.post(reverse("facilitators:request_link"), {"email": UNKNOWN})
    assert known.status_code == unknown.status_code == 200
    assert known.content.replace(KNOWN.encode(), b"EMAIL") == unknown.content.replace(
        UNKNOWN.encode(), b"EMAIL"
    )
    # Nothing looked up in the request: two sealed jobs, no link, no email yet.
    jobs = queued_jobs("workshops.tasks.send_facilitator_link_to")
    assert len(jobs) == 2
    assert KNOWN not in str(jobs[0].args_kwargs)
    assert FacilitatorLink.objects.count() == 0
    assert OutgoingEmail.objects.count() == 0
    run_queued_jobs()
    assert [m.to for m in mail.outbox] == [[KNOWN]]


def test_emailed_link_signs_in_once(client, facilitator, sessions):
    client.post(reverse("facilitators:request_link"), {"email": KNOWN})
    run_queued_jobs()
    path = re.search(r"http://127\.0\.0\.1:8000(/facilitate/link/\S+/)", mail.outbox[0].body)[1]
    assert client.get(path).status_code == 200  # a GET never spends it
    assert client.post(path).status_code == 302
    assert client.get(reverse("facilitators:home")).status_code == 200
    other = type(client)()
    spent = other.post(path)
    assert spent.status_code == 200
    assert "This link no longer works" in spent.content.decode()
    assert other.get(reverse("facilitators:home"))["Location"] == reverse(
        "facilitators:request_link"
    )


def test_expired_link_does_not_sign_in(client, facilitator, settings):
    settings.MANAGE_LINK_HOURS = -1
    path = issue_facilitator_link(facilitator=facilitator).removeprefix(ORIGIN)
    response = client.post(path)
    assert response.status_code == 200
    assert "This link no longer works" in response.content.decode()
    assert client.get(reverse("facilitators:home")).status_code == 302


@override_settings(
    RATE_LIMITS_ENABLED=True,
    RATE_LIMITS={
        "link": {"ip": (100, 3600), "email_per_ip": (2, 3600), "email_all_ips": (100, 3600)}
    },
)
def test_link_requests_are_rate_limited_like_delegates(client, facilitator):
    from django.core.cache import cache  # the limits count in the shared cache

    cache.clear()
    answers = [
        client.post(reverse("facilitators:request_link"), {"email": KNOWN}).status_code
        for _ in range(3)
    ]
    assert answers == [200, 200, 429]
    assert len(queued_jobs("workshops.tasks.send_facilitator_link_to")) == 2


def test_facilitator_session_reaches_neither_admin_nor_delegate_pages(signed_in):
    assert signed_in.get("/booking/")["Location"] == reverse("registration:request_link")
    assert signed_in.get("/admin/").status_code == 302


def test_signing_in_as_facilitator_signs_the_browser_out_of_the_admin(client, facilitator):
    client.force_login(AdminUserFactory(groups=["Organisers"]))
    sign_in_facilitator(client, facilitator)
    assert client.get("/admin/").status_code == 302


def test_sign_out_ends_the_session(signed_in):
    signed_in.post(reverse("facilitators:sign_out"))
    assert signed_in.get(reverse("facilitators:home")).status_code == 302


def test_removed_facilitator_is_signed_out_at_once(signed_in, facilitator, sessions):
    facilitator.delete()
    url = reverse("facilitators:session", args=[sessions["own"].pk])
    assert signed_in.get(url)["Location"] == reverse("facilitators:request_link")


# Their sessions only


def test_home_lists_their_sessions_only(signed_in, sessions):
    page = signed_in.get(reverse("facilitators:home"))
    assert page.status_code == 200
    assert [s.pk for s in page.context["sessions"]] == [
        sessions["own"].pk,
        sessions["own_later"].pk,
    ]


def test_roster_shows_name_badge_agency_and_no_needs_without_grant(signed_in, sessions, people):
    response = signed_in.get(reverse("facilitators:session", args=[sessions["own"].pk]))
    page = response.content.decode()
    assert "no-store" in response["Cache-Control"]
    assert "Ada Byron" in page
    assert people["ada"].agency.name in page
    assert NEEDS not in page
    assert "Accessibility needs" not in page
    assert "Bo Other" not in page


def test_roster_shows_needs_at_the_granted_session_only(client, programme, sessions, people):
    granted = FacilitatorFactory(
        event=programme["event"],
        workshops=[programme["workshops"][0], programme["workshops"][1]],
        needs_sessions=[sessions["own"]],
    )
    sign_in_facilitator(client, granted)
    here = client.get(reverse("facilitators:session", args=[sessions["own"].pk]))
    assert NEEDS in here.content.decode()
    # Their other workshop's session, without a grant there: the roster, not the needs.
    there = client.get(reverse("facilitators:session", args=[sessions["other"].pk]))
    assert "Bo Other" in there.content.decode()
    assert NEEDS not in there.content.decode()


def test_a_grant_at_a_session_not_theirs_shows_nothing(signed_in, facilitator, sessions, people):
    facilitator.needs_sessions.add(sessions["other"])  # as if a workshop was taken away
    response = signed_in.get(reverse("facilitators:session", args=[sessions["other"].pk]))
    assert response.status_code == 404
    assert NEEDS not in response.content.decode()


def any_other_ids(sessions):
    return [sessions["other"].pk, sessions["other_later"].pk, 999_999, 2**63 - 1]


@pytest.mark.parametrize("name", ["facilitators:session", "facilitators:session_email"])
def test_other_session_ids_are_404_whatever_is_typed(signed_in, sessions, people, name):
    for session_id in any_other_ids(sessions):
        response = signed_in.get(reverse(name, args=[session_id]))
        assert response.status_code == 404, session_id
        assert "Bo Other" not in response.content.decode()
    for typed in ["0", "-1", "1e3", "99999999999999999999", "abc"]:
        assert signed_in.get(f"/facilitate/sessions/{typed}/").status_code == 404


def test_anonymous_visitor_is_sent_to_sign_in(client, sessions):
    for url in [
        reverse("facilitators:home"),
        reverse("facilitators:session", args=[sessions["own"].pk]),
        reverse("facilitators:session_email", args=[sessions["own"].pk]),
    ]:
        assert client.get(url)["Location"] == reverse("facilitators:request_link")


def test_roster_page_queries_do_not_grow_with_the_roster(signed_in, programme, sessions):
    from tests.page_queries import count_queries  # the shared helper for N+1 tests

    url = reverse("facilitators:session", args=[sessions["own"].pk])
    before = count_queries(lambda: signed_in.get(url))
    book_sessions(delegate=DelegateFactory(event=programme["event"]), sessions=[sessions["own"]])
    book_sessions(delegate=DelegateFactory(event=programme["event"]), sessions=[sessions["own"]])
    assert count_queries(lambda: signed_in.get(url)) == before


# Check-in at their own rooms


def scan(client, door, reference):
    # Read and sent on the sessions' day, SOCEX 2019's day two: a door refuses scans made
    # after its day, and scans sent after the day after it.
    scan = {"id": str(uuid.uuid4()), "door": door, "reference": reference, "at": DAY_TWO_NOON}
    body = {"scans": [scan]}
    with mock.patch.object(timezone, "now", return_value=SENT_ON_DAY_TWO):
        response = client.post(reverse("checkin:scans"), json.dumps(body), "application/json")
    assert response.status_code == 200
    return response.json()["results"][0]


def test_checkin_page_offers_their_session_doors_only(signed_in, sessions):
    response = signed_in.get(reverse("checkin:page"), {"door": f"session:{sessions['own'].pk}"})
    assert response.status_code == 200
    keys = [door.key for door in response.context["doors"]]
    assert keys == [f"session:{sessions['own'].pk}", f"session:{sessions['own_later'].pk}"]
    assert response.context["default_door"] == f"session:{sessions['own'].pk}"


def test_facilitator_checks_in_at_their_room(signed_in, facilitator, sessions, people):
    answer = scan(signed_in, f"session:{sessions['own'].pk}", people["ada"].checkin_reference)
    assert answer["outcome"] == "admitted"
    assert answer["by"] == "Nia Okafor (facilitator)"
    assert set(answer) >= {"name", "badge_name", "agency"}
    assert CheckIn.objects.get().facilitator == facilitator
    roster = signed_in.get(reverse("facilitators:session", args=[sessions["own"].pk]))
    assert roster.context["roster"].arrived == 1


@pytest.mark.parametrize("door", ["entrance:2019-05-23", "entrance:2019-05-22", "session:999999"])
def test_facilitator_cannot_check_in_at_any_other_door(signed_in, sessions, people, door):
    answer = scan(signed_in, door, people["ada"].checkin_reference)
    assert answer["error"] == "Choose one of your doors from the list."
    assert CheckIn.objects.count() == 0


def test_facilitator_cannot_check_in_at_another_sessions_room(signed_in, sessions, people):
    for key in ("other", "other_later"):
        answer = scan(signed_in, f"session:{sessions[key].pk}", people["bo"].checkin_reference)
        assert answer["error"] == "Choose one of your doors from the list."
    door_panel = signed_in.get(reverse("checkin:door"), {"door": f"session:{sessions['other'].pk}"})
    assert door_panel.status_code == 400
    searched = signed_in.get(
        reverse("checkin:search"), {"door": f"session:{sessions['other'].pk}", "q": "Bo"}
    )
    assert searched.status_code == 400
    assert CheckIn.objects.count() == 0


def test_facilitator_cannot_undo_door_staffs_scan(client, signed_in, sessions, people):
    door_staff = type(client)()
    door_staff.force_login(AdminUserFactory(groups=["Door staff"]))
    answer = scan(door_staff, f"session:{sessions['own'].pk}", people["ada"].checkin_reference)
    undo = signed_in.post(
        reverse("checkin:undo"), json.dumps({"id": answer["id"]}), "application/json"
    )
    assert undo.status_code == 400
    assert CheckIn.objects.get().admitted is True


# Emailing their session


def email_url(session):
    return reverse("facilitators:session_email", args=[session.pk])


MESSAGE = {
    "audience": "attended",
    "subject": "Slides <today>",
    "body": "<script>alert(1)</script> & thanks",
}


@pytest.fixture
def arrived(signed_in, sessions, people, programme):
    """Ada checked in at their session; Cy booked there but absent; Bo checked in elsewhere."""
    cy = DelegateFactory(event=programme["event"], first_name="Cy", last_name="Absent")
    book_sessions(delegate=cy, sessions=[sessions["own"]])
    scan(signed_in, f"session:{sessions['own'].pk}", people["ada"].checkin_reference)
    door_staff = type(signed_in)()
    door_staff.force_login(AdminUserFactory(groups=["Door staff"]))
    scan(door_staff, f"session:{sessions['other'].pk}", people["bo"].checkin_reference)
    OutgoingEmail.objects.all().delete()  # Cy's booking confirmation
    DBTaskResult.objects.all().delete()
    return {**people, "cy": cy}


def test_preview_shows_recipients_and_escaped_text_and_sends_nothing(signed_in, sessions, arrived):
    response = signed_in.post(email_url(sessions["own"]), {**MESSAGE, "preview": "1"})
    assert response.status_code == 200
    page = response.content.decode()
    assert [d.pk for d in response.context["recipients"]] == [arrived["ada"].pk]
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; thanks" in page
    assert "<script>alert(1)" not in page
    assert "Slides &lt;today&gt;" in page
    assert Announcement.objects.count() == 0
    assert OutgoingEmail.objects.count() == 0


def test_send_reaches_attendees_only_and_is_recorded(signed_in, facilitator, sessions, arrived):
    response = signed_in.post(email_url(sessions["own"]), {**MESSAGE, "send": "1"})
    assert response.status_code == 302
    assert [m.to for m in OutgoingEmail.objects.all()] == [arrived["ada"].email]
    announcement = Announcement.objects.get()
    assert (announcement.facilitator, announcement.session) == (facilitator, sessions["own"])
    assert [r.delegate for r in announcement.recipients.all()] == [arrived["ada"]]
    run_queued_jobs()
    [sent] = mail.outbox
    assert sent.to == [arrived["ada"].email]
    html = sent.alternatives[0][0]
    assert "<script>" not in html
    assert "&lt;script&gt;" in html


def test_send_to_everyone_booked_reaches_the_session_only(signed_in, sessions, arrived):
    signed_in.post(email_url(sessions["own"]), {**MESSAGE, "audience": "session", "send": "1"})
    assert sorted(m.to for m in OutgoingEmail.objects.all()) == sorted(
        [arrived["ada"].email, arrived["cy"].email]
    )


@pytest.mark.parametrize("audience", ["event", "time_slot", ""])
def test_audiences_beyond_the_session_are_refused(signed_in, sessions, arrived, audience):
    response = signed_in.post(
        email_url(sessions["own"]), {**MESSAGE, "audience": audience, "send": "1"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["audience"]
    assert OutgoingEmail.objects.count() == 0


def test_sending_to_another_sessions_id_is_404(signed_in, sessions, arrived):
    for session_id in any_other_ids(sessions):
        url = reverse("facilitators:session_email", args=[session_id])
        assert signed_in.post(url, {**MESSAGE, "send": "1"}).status_code == 404
    assert OutgoingEmail.objects.count() == 0


def test_extra_form_fields_cannot_widen_the_audience(signed_in, sessions, arrived):
    signed_in.post(
        email_url(sessions["own"]),
        {**MESSAGE, "send": "1", "session": sessions["other"].pk, "event": 1, "time_slot": 1},
    )
    assert [m.to for m in OutgoingEmail.objects.all()] == [arrived["ada"].email]
    assert Announcement.objects.get().session == sessions["own"]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("subject", "Hi\r\nBcc: all@example.org"),
        ("subject", "x" * 201),
        ("body", ""),
        ("subject", "Room change: see \u202efdp.exe"),
        ("body", "Slides at \u202etxt.exe"),
    ],
)
def test_bad_input_gets_a_message_and_sends_nothing(signed_in, sessions, arrived, field, value):
    response = signed_in.post(email_url(sessions["own"]), {**MESSAGE, field: value, "send": "1"})
    assert response.status_code == 200
    assert response.context["form"].errors
    assert OutgoingEmail.objects.count() == 0


@override_settings(RATE_LIMITS_ENABLED=True)
def test_emails_are_rate_limited_per_facilitator(signed_in, sessions, arrived, settings):
    from django.core.cache import cache  # the limits count in the shared cache

    cache.clear()
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "facilitator_email": (2, 3600)}
    codes = [
        signed_in.post(
            email_url(sessions["own"]), {**MESSAGE, "subject": f"Note {n}", "send": "1"}
        ).status_code
        for n in range(3)
    ]
    assert codes == [302, 302, 429]
    assert OutgoingEmail.objects.count() == 2


def test_sending_the_same_email_twice_sends_it_once_and_says_so(signed_in, sessions, arrived):
    first = signed_in.post(email_url(sessions["own"]), {**MESSAGE, "send": "1"})
    again = signed_in.post(email_url(sessions["own"]), {**MESSAGE, "send": "1"})
    assert first.status_code == 302
    assert again.status_code == 200
    assert "it was not sent again" in again.content.decode()
    assert OutgoingEmail.objects.count() == 1


def test_search_at_their_door_lists_their_session_only(signed_in, sessions, people):
    door = f"session:{sessions['own'].pk}"
    found = signed_in.get(reverse("checkin:search"), {"door": door, "q": "Byron"})
    assert found.status_code == 200
    assert [r["name"] for r in found.json()["results"]] == ["Ada Byron"]
    others = signed_in.get(reverse("checkin:search"), {"door": door, "q": "Bo"})
    assert others.json()["results"] == []


# Feedback, once the session has ended


def test_a_facilitator_reads_their_ended_sessions_feedback_named_only_by_choice(
    signed_in, programme, sessions
):
    session = sessions["own"]  # 23 May 2019: long over
    named = DelegateFactory(event=programme["event"], first_name="Ada", last_name="Named")
    anonymous = DelegateFactory(event=programme["event"], first_name="Bo", last_name="Hidden")
    staff = door_staff()
    for delegate in (named, anonymous):
        book_sessions(delegate=delegate, sessions=[session])
        attend(delegate, session, staff=staff)
    ended = session.time_slot.ends_at
    send_surveys(now=ended)
    for delegate, show, text in ((named, True, "Great pace"), (anonymous, False, "Too fast")):
        answer_survey(
            token=survey_token(SurveyInvitation.objects.get(delegate=delegate)),
            rating=4,
            first_answer=text,
            show_name=show,
            now=ended,
        )

    html = signed_in.get(reverse("facilitators:session", args=[session.pk])).content.decode()

    assert "2 of 2 attendees surveyed have answered" in html
    assert "Great pace" in html and "Too fast" in html
    assert "from Ada Named" in html
    assert "Hidden" not in html.split('id="feedback-heading"')[1]


def test_another_sessions_feedback_stays_out_of_reach(signed_in, sessions):
    response = signed_in.get(reverse("facilitators:session", args=[sessions["other"].pk]))

    assert response.status_code == 404
