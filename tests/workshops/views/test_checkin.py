"""The check-in page and its JSON calls: who may use them, what they answer, bad input."""

import datetime
import json
import re
import uuid

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.factories import AdminUserFactory, DelegateFactory
from tests.socex.test_security_headers import INLINE_SCRIPT, INLINE_STYLE
from workshops.models import CheckIn, CheckinDevice, Session
from workshops.services.booking import book_sessions
from workshops.services.checkin_devices import issue_checkin_link, revoke_checkin_links

DAY_TWO = datetime.date(2019, 5, 23)
ENTRANCE = "entrance:2019-05-23"
# What a door may learn about a delegate, and nothing else.
ANSWER_KEYS = {
    "id",
    "outcome",
    "tone",
    "headline",
    "message",
    "door",
    "by",
    "replayed",
    "undoable",
    "undone",
    "name",
    "badge_name",
    "agency",
    "sessions",
}


@pytest.fixture(autouse=True)
def day_two(on_the_day, monkeypatch):
    """SOCEX 2019's own dates, the clock at 12:05 on day two, when the test's phones scan."""
    moment = datetime.datetime(2019, 5, 23, 11, 5, tzinfo=datetime.UTC)
    monkeypatch.setattr(timezone, "now", lambda: moment)
    return on_the_day


@pytest.fixture
def door_client(client, db):
    client.force_login(AdminUserFactory(username="door-volunteer", groups=["Door staff"]))
    return client


def post_json(client, name, body):
    return client.post(reverse(name), json.dumps(body), content_type="application/json")


def post_scans(client, *scans):
    return post_json(client, "checkin:scans", {"scans": list(scans)})


# When a test's phone read the badges: a door refuses scans made after its day, and the
# test clock is years past SOCEX 2019.
DAY_TWO_NOON = "2019-05-23T12:00:00+01:00"


def a_scan(reference, door=ENTRANCE, **extra):
    return {
        "id": str(uuid.uuid4()),
        "door": door,
        "reference": reference,
        "at": DAY_TWO_NOON,
        **extra,
    }


def test_anonymous_visitor_is_sent_to_sign_in_and_calls_are_refused(client, db):
    response = client.get(reverse("checkin:page"))
    assert response.status_code == 302
    assert response["Location"] == "/admin/login/?next=%2Fcheckin%2F"
    refused = post_scans(client, a_scan("x"))
    assert (refused.status_code, refused.json()["error"]) == (403, "signed_out")
    assert client.get(reverse("checkin:search"), {"door": ENTRANCE, "q": "al"}).status_code == 403
    assert CheckIn.objects.count() == 0


@pytest.mark.parametrize("groups", [["Staff"], ["Catering & access"], []])
def test_roles_without_check_in_get_nothing(client, db, groups, programme):
    client.force_login(AdminUserFactory(groups=groups))
    assert client.get(reverse("checkin:page")).status_code == 403
    delegate = DelegateFactory(event=programme["event"])
    assert post_scans(client, a_scan(delegate.checkin_reference)).status_code == 403
    assert CheckIn.objects.count() == 0


def test_page_offers_the_doors_and_allows_the_camera_here_only(door_client, programme):
    response = door_client.get(reverse("checkin:page"))
    html = response.content.decode()
    assert response.status_code == 200
    assert response["Permissions-Policy"].startswith("camera=(self), microphone=()")
    assert "no-store" in response["Cache-Control"]
    assert 'value="entrance:2019-05-22"' in html
    assert f'value="session:{programme["sessions"][(0, 0)].pk}"' in html
    assert INLINE_SCRIPT.findall(html) == []
    assert INLINE_STYLE.findall(html) == []
    assert "camera=()" in door_client.get(reverse("home"))["Permissions-Policy"]


def test_a_scan_is_answered_with_what_the_door_needs_and_nothing_else(
    door_client, programme, four_sessions
):
    delegate = DelegateFactory(
        event=programme["event"],
        first_name="Priya",
        last_name="Shah",
        phone="07700 900123",
        dietary_requirements="Vegan",
        accessibility_needs="Step-free access",
    )
    book_sessions(delegate=delegate, sessions=four_sessions)
    response = post_scans(door_client, a_scan(delegate.checkin_reference))
    (answer,) = response.json()["results"]
    assert set(answer) == ANSWER_KEYS
    assert (answer["tone"], answer["headline"], answer["name"]) == (
        "green",
        "Checked in",
        "Priya Shah",
    )
    assert answer["sessions"][0] == "10:00–10:50 Workshop 1 (Room 1)".replace(
        "Room 1", four_sessions[0].room.name
    )
    body = response.content.decode()
    for private in [delegate.email, "07700", "Vegan", "Step-free", "Detective Inspector"]:
        assert private not in body


def test_a_scan_sent_twice_is_recorded_once(door_client, programme):
    delegate = DelegateFactory(event=programme["event"])
    scan = a_scan(delegate.checkin_reference)
    first = post_scans(door_client, scan).json()["results"][0]
    again = post_scans(door_client, scan).json()["results"][0]
    assert (first["replayed"], again["replayed"], again["outcome"]) == (False, True, "admitted")
    assert CheckIn.objects.count() == 1


def test_an_offline_queue_is_answered_scan_by_scan_in_order(door_client, programme):
    first, second = (DelegateFactory(event=programme["event"]) for _ in range(2))
    scans = [
        a_scan(first.checkin_reference),
        {"id": "not-a-uuid", "door": ENTRANCE, "reference": "x"},
        a_scan(second.checkin_reference, door="entrance:1999-01-01"),
        a_scan(second.checkin_reference, at="2019-05-23T09:12:00Z"),
        a_scan(first.checkin_reference),
    ]
    results = post_scans(door_client, *scans).json()["results"]
    assert [r.get("outcome") or r["error"] for r in results] == [
        "admitted",
        "id: Enter a valid UUID.",
        "Choose one of your doors from the list.",
        "admitted",
        "already",
    ]
    kept = CheckIn.objects.get(scan_id=scans[3]["id"])
    assert kept.scanned_at == datetime.datetime(2019, 5, 23, 9, 12, tzinfo=datetime.UTC)
    assert CheckIn.objects.count() == 3


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"not json",
        b"[]",
        b'{"scans": {}}',
        b'{"scans": []}',
        b'{"scans": [1, "x"]}',
        b'{"scans": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",  # deeper than Python recurses
    ],
)
def test_malformed_requests_get_a_message_and_change_nothing(door_client, body):
    response = door_client.post(reverse("checkin:scans"), body, content_type="application/json")
    if response.status_code == 200:
        assert all("error" in r for r in response.json()["results"])
    else:
        assert response.status_code == 400
        assert response.json()["message"]
    assert CheckIn.objects.count() == 0


@pytest.mark.parametrize(
    "field, value",
    [
        ("at", 12345),
        ("at", True),
        ("at", ["2019-05-23T09:12:00Z"]),
        ("at", {"when": "now"}),
        ("id", 7),
        ("door", False),
        ("reference", 42),
        ("reference", ["x"]),
    ],
)
def test_a_field_of_the_wrong_type_refuses_that_scan_only(door_client, programme, field, value):
    delegate = DelegateFactory(event=programme["event"])
    bad = {**a_scan(delegate.checkin_reference), field: value}
    good = a_scan(delegate.checkin_reference)
    response = post_scans(door_client, bad, good)
    assert response.status_code == 200
    refused, admitted = response.json()["results"]
    assert refused["error"] == f"{field}: Send this as text."
    assert admitted["outcome"] == "admitted"
    assert CheckIn.objects.get().scan_id == uuid.UUID(good["id"])


def test_undo_with_an_id_of_the_wrong_type_is_refused(door_client):
    response = post_json(door_client, "checkin:undo", {"id": 12345})
    assert (response.status_code, response.json()["message"]) == (400, "id: Send this as text.")


@pytest.mark.parametrize(
    "at",
    [
        "0001-01-01T00:00:00+14:00",
        "1970-01-01T00:00:00Z",
        "2019-05-21T21:59:00Z",  # Just over a day before the door's day began (BST).
        "2019-05-25T00:01:00+01:00",  # Over a day after the door's day.
    ],
)
def test_a_scan_time_outside_the_doors_day_is_recorded_as_received(
    door_client, programme, on_day_two, at
):
    delegate = DelegateFactory(event=programme["event"])
    answer = post_scans(door_client, a_scan(delegate.checkin_reference, at=at)).json()
    assert answer["results"][0]["outcome"] == "admitted"
    kept = CheckIn.objects.get()
    assert kept.scanned_at == kept.at


@pytest.mark.parametrize("at", ["2019-05-21T23:30:00Z", "2019-05-23T23:59:00+01:00"])
def test_a_scan_time_within_a_day_of_the_doors_day_is_kept(client, programme, at, monkeypatch):
    sent = datetime.datetime(2019, 5, 23, 23, 30, tzinfo=datetime.UTC)  # 00:30, the day after
    monkeypatch.setattr(timezone, "now", lambda: sent)
    client.force_login(AdminUserFactory(groups=["Door staff"]))
    delegate = DelegateFactory(event=programme["event"])
    post_scans(client, a_scan(delegate.checkin_reference, at=at))
    assert CheckIn.objects.get().scanned_at == datetime.datetime.fromisoformat(at)


@pytest.mark.postgres
def test_a_scan_dated_year_one_leaves_every_page_working(
    door_client, client, programme, sign_in, on_day_two
):
    """On PostgreSQL a year-1 time with a +14:00 offset was stored BC, and reading it 500'd."""
    delegate = DelegateFactory(event=programme["event"])
    scan = a_scan(delegate.checkin_reference, at="0001-01-01T00:00:00+14:00")
    assert post_scans(door_client, scan).status_code == 200
    assert post_scans(door_client, scan).json()["results"][0]["replayed"] is True
    assert post_json(door_client, "checkin:undo", {"id": scan["id"]}).status_code == 200
    checkin = CheckIn.objects.get()
    client.force_login(AdminUserFactory(groups=["Organisers"]))
    for url in [
        reverse("admin:workshops_checkin_changelist"),
        reverse("admin:workshops_checkin_change", args=[checkin.pk]),
        reverse("admin:registration_delegate_delete", args=[delegate.pk]),
    ]:
        assert client.get(url).status_code == 200, url
    client.logout()
    assert sign_in(delegate).get(reverse("my_data")).status_code == 200


def test_too_many_scans_at_once_are_refused(door_client):
    response = post_scans(door_client, *[a_scan("x") for _ in range(51)])
    assert (response.status_code, response.json()["message"]) == (
        400,
        "Send at most 50 scans at a time.",
    )


def test_undo_from_the_page(door_client, programme):
    delegate = DelegateFactory(event=programme["event"])
    scan = a_scan(delegate.checkin_reference)
    post_scans(door_client, scan)
    answer = post_json(door_client, "checkin:undo", {"id": scan["id"]}).json()
    assert (answer["undone"], answer["undoable"]) == (True, False)
    assert post_json(door_client, "checkin:undo", {"id": "nope"}).status_code == 400


def test_search_answers_names_and_agency_only(door_client, programme):
    DelegateFactory(event=programme["event"], first_name="Priya", last_name="Shah")
    response = door_client.get(reverse("checkin:search"), {"door": ENTRANCE, "q": "shah"})
    (person,) = response.json()["results"]
    assert set(person) == {"reference", "badge_name", "name", "agency"}
    too_short = door_client.get(reverse("checkin:search"), {"door": ENTRANCE, "q": "s"})
    assert too_short.status_code == 400


@pytest.fixture
def fresh_counts():
    cache.clear()
    yield
    cache.clear()


def test_typed_searches_are_limited_per_phone(door_client, programme, settings, fresh_counts):
    settings.RATE_LIMITS_ENABLED = True
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "checkin_search": (3, 3600)}
    DelegateFactory(event=programme["event"], first_name="Priya")
    answers = [
        door_client.get(reverse("checkin:search"), {"door": ENTRANCE, "q": "pr"}).status_code
        for _ in range(4)
    ]
    assert answers == [200, 200, 200, 429]


def test_door_figures_and_standby(door_client, programme, four_sessions):
    for _ in range(2):
        book_sessions(delegate=DelegateFactory(event=programme["event"]), sessions=four_sessions)
    walk_in = DelegateFactory(event=programme["event"], badge_name="Sam")
    door = f"session:{four_sessions[0].pk}"
    post_scans(door_client, a_scan(walk_in.checkin_reference, door=door))
    figures = door_client.get(reverse("checkin:door"), {"door": door}).json()
    assert (figures["expected"], figures["arrived"], figures["standby"]) == (2, 0, ["Sam"])
    assert figures["release_at"] == "10:15"
    # The clock is long past 10:15 on 23 May 2019: a no-show's seat goes to Sam.
    seated = post_json(door_client, "checkin:standby", {"door": door}).json()
    assert (seated["seated"], seated["released"], seated["standby"]) == (["Sam"], 1, [])
    assert post_json(door_client, "checkin:standby", {"door": ENTRANCE}).status_code == 400


@pytest.fixture
def device(programme):
    device = CheckinDevice(event=programme["event"], label="Door 2", day=DAY_TWO, entrance=True)
    url = issue_checkin_link(device=device)
    return device, url.removeprefix("http://127.0.0.1:8000")


@pytest.fixture
def on_day_two(settings, monkeypatch):
    """The clock at 09:30 on 23 May 2019, so a link for that day has not expired."""
    from django.utils import timezone

    moment = datetime.datetime(2019, 5, 23, 8, 30, tzinfo=datetime.UTC)
    monkeypatch.setattr(timezone, "now", lambda: moment)
    return moment


def test_a_check_in_link_signs_a_phone_in_to_check_in_only(client, device, on_day_two):
    device, path = device
    shown = client.get(path)
    assert shown.status_code == 200
    assert b"Check in as Door 2" in shown.content
    assert client.get(reverse("checkin:page")).status_code == 302  # a GET signs nobody in
    response = client.post(path)
    assert response["Location"] == reverse("checkin:page")
    page = client.get(reverse("checkin:page"))
    assert page.status_code == 200
    assert b"Check-in \xc2\xb7 Door 2" in page.content
    assert client.get(reverse("admin:index")).status_code == 302
    assert client.get(reverse("workshops:manage")).status_code == 302
    assert client.get(reverse("exports:index")).status_code == 302


def test_a_revoked_link_signs_its_phones_out_at_once(client, device, on_day_two, programme):
    device, path = device
    client.post(path)
    revoke_checkin_links(devices=CheckinDevice.objects.all())
    delegate = DelegateFactory(event=programme["event"])
    response = post_scans(client, a_scan(delegate.checkin_reference))
    assert (response.status_code, response.json()["error"]) == (403, "signed_out")
    assert client.get(path).status_code == 404
    assert CheckIn.objects.count() == 0


def test_a_link_expires_at_the_end_of_its_day(client, device, monkeypatch):
    device, path = device
    assert device.expires_at == datetime.datetime(2019, 5, 23, 23, 0, tzinfo=datetime.UTC)
    after_midnight = datetime.datetime(2019, 5, 23, 23, 0, 1, tzinfo=datetime.UTC)
    monkeypatch.setattr(timezone, "now", lambda: after_midnight)
    assert client.get(path).status_code == 404
    assert client.post(path).status_code == 404


def test_a_link_reaches_only_its_doors(client, device, on_day_two, programme):
    device, path = device
    client.post(path)
    delegate = DelegateFactory(event=programme["event"])
    day_one = a_scan(delegate.checkin_reference, door="entrance:2019-05-22")
    session = a_scan(delegate.checkin_reference, door=f"session:{programme['sessions'][(0, 0)].pk}")
    results = post_scans(client, day_one, session).json()["results"]
    assert [r["error"] for r in results] == ["Choose one of your doors from the list."] * 2
    answer = post_scans(client, a_scan(delegate.checkin_reference)).json()["results"][0]
    assert (answer["outcome"], answer["by"]) == ("admitted", "Door 2")
    assert CheckIn.objects.get().device == device


def scan_queries(client, reference, door=ENTRANCE):
    with CaptureQueriesContext(connection) as queries:
        response = post_scans(client, a_scan(reference, door=door))
    assert response.status_code == 200
    return len(queries)


def test_queries_per_scan_do_not_grow_with_sessions_or_delegates(
    door_client, programme, four_sessions
):
    Session.objects.update(capacity=20)
    few = DelegateFactory(event=programme["event"])
    book_sessions(delegate=few, sessions=four_sessions)
    baseline = scan_queries(door_client, few.checkin_reference)
    s = programme["sessions"]
    for _ in range(5):
        other = DelegateFactory(event=programme["event"])
        book_sessions(delegate=other, sessions=[s[(0, 1)], s[(1, 5)], s[(2, 3)], s[(3, 7)]])
    many = DelegateFactory(event=programme["event"])
    book_sessions(delegate=many, sessions=[s[(0, 1)], s[(1, 5)], s[(2, 3)], s[(3, 7)]])
    assert scan_queries(door_client, many.checkin_reference) == baseline
    at_session = scan_queries(door_client, many.checkin_reference, door=f"session:{s[(0, 1)].pk}")
    assert at_session <= baseline + 3


def test_sign_out_ends_the_check_in_session(door_client):
    response = door_client.post(reverse("checkin:sign_out"))
    assert response["Location"] == reverse("checkin:signed_out")
    assert door_client.get(reverse("checkin:page")).status_code == 302
    assert re.search(r"sign in", door_client.get(response["Location"]).content.decode(), re.I)


def test_a_scan_before_the_doors_day_is_refused_and_recorded_nowhere(client, programme):
    # The event moved a month ahead: a volunteer trying the page early.
    event = programme["event"]
    event.starts_on = timezone.localdate() + datetime.timedelta(days=30)
    event.ends_on = event.starts_on + datetime.timedelta(days=1)
    event.save()
    delegate = DelegateFactory(event=event)
    client.force_login(AdminUserFactory(groups=["Door staff"]))

    response = client.post(
        reverse("checkin:scans"),
        {
            "scans": [
                {
                    "id": str(uuid.uuid4()),
                    "door": f"entrance:{event.starts_on:%Y-%m-%d}",
                    "reference": delegate.checkin_reference,
                }
            ]
        },
        content_type="application/json",
    )

    [answer] = response.json()["results"]
    assert "This door opens on" in answer["error"]
    assert not CheckIn.objects.exists()


def test_the_page_chooses_todays_door_and_tells_the_phone_each_doors_day(door_client, on_day_two):
    html = door_client.get(reverse("checkin:page")).content.decode()
    assert 'data-today="2019-05-23"' in html
    assert '<option value="entrance:2019-05-22" data-day="2019-05-22">' in html
    assert '<option value="entrance:2019-05-23" data-day="2019-05-23" selected>' in html


def test_scans_at_yesterdays_door_are_refused_unless_made_yesterday(
    door_client, programme, on_day_two
):
    """A phone left on day one's entrance is refused; its offline queue from day one counts."""
    early, late, unsure = (DelegateFactory(event=programme["event"]) for _ in range(3))
    day_one = "entrance:2019-05-22"
    scans = [
        a_scan(late.checkin_reference, door=day_one, at="2019-05-23T09:29:00+01:00"),
        a_scan(unsure.checkin_reference, door=day_one, at=None),
        a_scan(early.checkin_reference, door=day_one, at="2019-05-22T23:50:00+01:00"),
    ]
    results = post_scans(door_client, *scans).json()["results"]
    refusal = "This door was for Wednesday 22 May: choose today's door from the list."
    assert [r.get("outcome") or r["error"] for r in results] == [refusal, refusal, "admitted"]
    assert CheckIn.objects.get().delegate == early


def test_a_revoked_link_says_so_when_the_page_is_reloaded(client, device, on_day_two):
    device, path = device
    client.post(path)
    revoke_checkin_links(devices=CheckinDevice.objects.all())
    for _ in range(2):  # the first reload finds the link revoked; the next still says so
        response = client.get(reverse("checkin:page"))
        assert response.status_code == 403
        html = response.content.decode()
        assert "This check-in link no longer works" in html
        assert "An organiser has ended the check-in link" in html
        assert "Scans not yet sent stay on this phone" in html
    assert client.get(reverse("admin:index")).status_code == 302  # still nobody signed in


def test_signing_out_after_a_revoked_link_leads_to_sign_in_again(client, device, on_day_two):
    device, path = device
    client.post(path)
    revoke_checkin_links(devices=CheckinDevice.objects.all())
    client.get(reverse("checkin:page"))
    client.post(reverse("checkin:sign_out"))
    assert client.get(reverse("checkin:page"))["Location"] == "/admin/login/?next=%2Fcheckin%2F"


def test_a_new_link_for_a_revoked_door_list_does_not_bring_back_the_old_phones(
    client, device, on_day_two, programme
):
    device, path = device
    client.post(path)  # the phone that is then lost
    revoke_checkin_links(devices=CheckinDevice.objects.all())
    device.refresh_from_db()
    new_path = issue_checkin_link(device=device).removeprefix("http://127.0.0.1:8000")
    delegate = DelegateFactory(event=programme["event"])

    lost = post_scans(client, a_scan(delegate.checkin_reference))
    replacement = Client()
    replacement.post(new_path)
    found = post_scans(replacement, a_scan(delegate.checkin_reference))

    assert (lost.status_code, lost.json()["error"]) == (403, "signed_out")
    assert found.status_code == 200
    assert CheckIn.objects.count() == 1


def test_a_new_link_signs_out_the_phones_that_opened_the_one_before(
    client, device, on_day_two, programme
):
    device, path = device
    client.post(path)
    issue_checkin_link(device=device)

    response = post_scans(
        client, a_scan(DelegateFactory(event=programme["event"]).checkin_reference)
    )

    assert (response.status_code, response.json()["error"]) == (403, "signed_out")
    page = client.get(reverse("checkin:page"))  # says the link was ended, not "sign in"
    assert page.status_code == 403
    assert "An organiser has ended the check-in link" in page.content.decode()
