import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from registration.models import Agency
from tests.factories import AdminUserFactory, AgencyFactory, DelegateFactory
from workshops.services.booking import book_sessions, cancel_registration
from workshops.services.dashboard import dashboard_figures


@pytest.fixture
def registrations(programme, four_sessions):
    """Two booked police officers, an academic without choices, a day-one only, a cancelled."""
    event = programme["event"]
    police = AgencyFactory(name="Warwickshire Police", kind=Agency.Kind.POLICE_FORCE)
    academia = AgencyFactory(name="University of Warwick", kind=Agency.Kind.ACADEMIA)
    for _ in range(2):
        book_sessions(delegate=DelegateFactory(event=event, agency=police), sessions=four_sessions)
    DelegateFactory(event=event, agency=academia)
    DelegateFactory(event=event, agency=police, attends_day_two=False)
    cancel_registration(delegate=DelegateFactory(event=event, agency=academia))
    return programme


def test_dashboard_figures_count_registrations(registrations):
    figures = dashboard_figures(event=registrations["event"])
    assert figures["by_status"] == [
        ("Registered", 4),
        ("Awaiting approval", 0),
        ("Cancelled", 1),
        ("Erased", 0),
    ]
    assert dict(figures["by_kind"]) == {
        "Police force": 3,
        "Regional organised crime unit": 0,
        "National law enforcement agency": 0,
        "Government department": 0,
        "Partner agency": 0,
        "Academia": 1,
        "Other": 0,
    }
    assert figures["day_two"] == {"attending": 3, "complete": 2, "incomplete": 1}


def test_dashboard_figures_fill_by_slot(registrations, four_sessions):
    figures = dashboard_figures(event=registrations["event"])
    slots = figures["slots"]
    assert [slot.time_slot for slot in slots] == registrations["slots"]
    assert [(slot.seats, slot.taken) for slot in slots] == [(8, 2)] * 4
    fills = {fill.session.pk: fill for slot in slots for fill in slot.sessions}
    assert len(fills) == 16
    full = {pk for pk, fill in fills.items() if fill.full}
    assert full == {s.pk for s in four_sessions}
    assert {fills[s.pk].percent for s in four_sessions} == {100}
    assert figures["full_sessions"] == 4
    # Six full sets are left, and one of them is owed to the academic without choices.
    assert figures["day_two_places_left"] == 5


def test_dashboard_page_shows_figures_and_full_sessions(client, registrations, four_sessions):
    client.force_login(AdminUserFactory(permissions=["registration.view_delegate"]))
    response = client.get(reverse("admin_dashboard"))
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("FULL") == 4
    assert html.count('class="bar-taken bar-full" x="0" y="0" width="100"') == 4
    assert 'aria-label="2 of 2 seats taken"' in html
    assert "?choices=incomplete" in html
    assert "css/admin_dashboard.css" in html
    assert "style=" not in html.split("<body", 1)[1].split('id="content-main"', 1)[1]


def test_dashboard_page_needs_view_delegate_permission(client, registrations):
    client.force_login(AdminUserFactory())
    assert client.get(reverse("admin_dashboard")).status_code == 403


def test_dashboard_page_anonymous_sent_to_login(client, registrations):
    response = client.get(reverse("admin_dashboard"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


def test_admin_index_links_to_dashboard(client, db):
    client.force_login(AdminUserFactory(is_superuser=True))
    assert reverse("admin_dashboard") in client.get(reverse("admin:index")).content.decode()


def dashboard_queries(client):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("admin_dashboard")).status_code == 200
    return len(queries)


def add_delegates(event, sessions, count):
    for _ in range(count):
        book_sessions(delegate=DelegateFactory(event=event), sessions=sessions)
        DelegateFactory(event=event, attends_day_two=False)


def test_dashboard_query_count_does_not_grow_with_delegates(client, programme, four_sessions):
    client.force_login(AdminUserFactory(is_superuser=True))
    s = programme["sessions"]
    add_delegates(programme["event"], four_sessions, 1)
    small = dashboard_queries(client)
    add_delegates(programme["event"], four_sessions, 1)
    add_delegates(programme["event"], [s[(0, 1)], s[(1, 5)], s[(2, 3)], s[(3, 7)]], 2)
    assert dashboard_queries(client) == small
