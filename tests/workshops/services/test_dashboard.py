import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from registration.models import Agency, Delegate
from tests.factories import AdminUserFactory, AgencyFactory, DelegateFactory
from workshops.services.ballot import save_ranking
from workshops.services.booking import book_sessions, cancel_registration
from workshops.services.dashboard import dashboard_figures
from workshops.services.waitlist import join_waitlist


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
    event = registrations["event"]
    # Not yet confirmed: on a row of their own, not among the registered or day two.
    DelegateFactory(event=event, email_confirmed_at=None)
    DelegateFactory(event=event, email_confirmed_at=None, status=Delegate.Status.PENDING)
    figures = dashboard_figures(event=event)
    assert figures["by_status"] == [
        ("registered", "Registered", 4),
        ("pending", "Awaiting approval", 0),
        ("cancelled", "Cancelled", 1),
        ("erased", "Erased", 0),
    ]
    assert {label: n for _kind, label, n in figures["by_kind"]} == {
        "Police force": 3,
        "Regional organised crime unit": 0,
        "National law enforcement agency": 0,
        "Government department": 0,
        "Partner agency": 0,
        "Academia": 1,
        "Other": 0,
    }
    assert figures["day_two"] == {"attending": 3, "complete": 2, "incomplete": 1}
    assert figures["unconfirmed"] == 2


def test_dashboard_page_shows_unconfirmed_registrations_on_their_own_row(client, registrations):
    DelegateFactory(event=registrations["event"], email_confirmed_at=None)
    client.force_login(AdminUserFactory(groups=["Organisers"]))
    html = client.get(reverse("admin_dashboard")).content.decode()
    assert (
        '<tr><th scope="row">Awaiting address confirmation</th><td class="figure"><a href="'
        '/admin/registration/delegate/?status__in=registered,pending&amp;email_confirmed=no">'
        "1</a></td></tr>"
    ) in html


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
    elsewhere = [s[(0, 1)], s[(1, 5)], s[(2, 3)], s[(3, 7)]]
    add_delegates(programme["event"], four_sessions, 1)
    small = dashboard_queries(client)
    add_delegates(programme["event"], four_sessions, 1)
    add_delegates(programme["event"], elsewhere, 2)
    for delegate in Delegate.objects.filter(bookings__session=elsewhere[0]):
        join_waitlist(delegate=delegate, session=four_sessions[0])
    assert dashboard_queries(client) == small


@pytest.fixture
def waiting(registrations, four_sessions):
    """Two people booked elsewhere in round 1, both waiting for the full first session."""
    s = registrations["sessions"]
    event = registrations["event"]
    elsewhere = [s[(0, 1)], s[(1, 5)], s[(2, 3)], s[(3, 7)]]
    people = []
    for name in ("Wait", "Hope"):
        delegate = DelegateFactory(event=event, first_name=name, dietary_requirements="Halal")
        book_sessions(delegate=delegate, sessions=elsewhere)
        join_waitlist(delegate=delegate, session=four_sessions[0])
        people.append(delegate)
    return people


def test_dashboard_counts_who_waits_for_each_session(waiting, registrations, four_sessions):
    figures = dashboard_figures(event=registrations["event"])
    waits = {fill.session.pk: fill.waiting for slot in figures["slots"] for fill in slot.sessions}
    assert waits[four_sessions[0].pk] == 2
    assert sum(waits.values()) == 2


def test_dashboard_counts_needs_only_when_asked(waiting, registrations):
    event = registrations["event"]
    DelegateFactory(event=event, accessibility_needs="Hearing loop")
    DelegateFactory(event=event, dietary_requirements="Vegan", status=Delegate.Status.CANCELLED)
    assert dashboard_figures(event=event)["needs"] is None
    assert dashboard_figures(event=event, with_needs=True)["needs"] == {"dietary": 2, "access": 1}


def test_dashboard_shows_ballot_demand_per_workshop(ballot_event, programme):
    workshops = programme["workshops"]  # "Workshop 1" … "Workshop 8", each run twice
    rankings = [[0, 1, 2, 3], [0, 2, 1, 3], [1, 0, 4, 5, 6]]
    for ranking in rankings:
        save_ranking(
            delegate=DelegateFactory(event=ballot_event),
            ranking=[workshops[i].pk for i in ranking],
        )
    # Not in the ballot: an address nobody confirmed, and a day-one delegate.
    unconfirmed = DelegateFactory(event=ballot_event)
    save_ranking(delegate=unconfirmed, ranking=[workshops[i].pk for i in (7, 6, 5, 4)])
    Delegate.objects.filter(pk=unconfirmed.pk).update(email_confirmed_at=None)
    figures = dashboard_figures(event=ballot_event)
    assert figures["ranked"] == 3
    demand = {d.workshop.title: (d.sessions, d.seats, d.first, d.top) for d in figures["demand"]}
    assert demand == {
        "Workshop 1": (2, 4, 2, 3),
        "Workshop 2": (2, 4, 1, 3),
        "Workshop 3": (2, 4, 0, 2),
        "Workshop 4": (2, 4, 0, 2),
        "Workshop 5": (2, 4, 0, 1),
        "Workshop 6": (2, 4, 0, 1),
        "Workshop 7": (2, 4, 0, 0),
        "Workshop 8": (2, 4, 0, 0),
    }
    assert [d.oversubscribed for d in figures["demand"]] == [False] * 8


def test_live_dashboard_reads_no_ballot_demand(registrations):
    assert dashboard_figures(event=registrations["event"])["demand"] == []


def count_links(html):
    """(href, number) for every count on the dashboard that links to a list."""
    content = html.split('id="content-main"', 1)[1]
    return [
        (href.replace("&amp;", "&"), int(number))
        for href, number in re.findall(r'<a href="([^"]+)">(\d+)</a>', content)
    ]


def listed(client, href):
    response = client.get(href)
    assert response.status_code == 200, href
    return response.context["cl"].result_count


@pytest.mark.parametrize(
    ("role", "lists"),
    [
        ("Organisers", {"delegate", "session", "waitlistentry"}),
        ("Staff", {"delegate", "session"}),
        ("Catering & access", {"delegate"}),
    ],
    ids=["organisers", "staff", "catering"],
)
def test_every_dashboard_count_links_to_a_list_showing_that_many(
    client, waiting, registrations, role, lists
):
    event = registrations["event"]
    DelegateFactory(event=event, status=Delegate.Status.PENDING)
    DelegateFactory(event=event, email_confirmed_at=None, dietary_requirements="Vegan")
    client.force_login(AdminUserFactory(groups=[role]))
    links = count_links(client.get(reverse("admin_dashboard")).content.decode())
    assert {re.match(r"/admin/\w+/(\w+)/", href).group(1) for href, _ in links} == lists
    for href, number in links:
        assert listed(client, href) == number, href
    needs_links = [href for href, _ in links if "needs=" in href]
    assert len(needs_links) == (2 if role != "Staff" else 0)


def test_staff_get_no_needs_figures_and_cannot_filter_on_them(client, waiting):
    client.force_login(AdminUserFactory(groups=["Staff"]))
    html = client.get(reverse("admin_dashboard")).content.decode()
    assert "Dietary requirements" not in html
    # The filter is not theirs: the admin refuses it rather than filtering.
    response = client.get(reverse("admin:registration_delegate_changelist") + "?needs=dietary")
    assert response.status_code == 302
    assert response.url.endswith("?e=1")


def test_ballot_dashboard_query_count_does_not_grow(client, ballot_event, programme):
    client.force_login(AdminUserFactory(groups=["Organisers"]))
    workshops = programme["workshops"]

    def rank(count):
        for _ in range(count):
            delegate = DelegateFactory(event=ballot_event, dietary_requirements="Vegan")
            save_ranking(delegate=delegate, ranking=[w.pk for w in workshops[:5]])

    rank(1)
    small = dashboard_queries(client)
    rank(4)
    assert dashboard_queries(client) == small


def test_ballot_demand_marks_a_workshop_more_wanted_first_than_it_has_seats(
    ballot_event, programme
):
    workshops = programme["workshops"]
    for _ in range(5):  # Workshop 1 has two sessions of two seats
        save_ranking(
            delegate=DelegateFactory(event=ballot_event), ranking=[w.pk for w in workshops[:4]]
        )
    demand = dashboard_figures(event=ballot_event)["demand"]
    assert [(d.workshop.title, d.oversubscribed) for d in demand if d.first] == [
        ("Workshop 1", True)
    ]
