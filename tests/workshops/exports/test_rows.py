"""Every download takes the same number of queries however many delegates there are."""

import pytest
from django.urls import reverse

from tests.factories import AdminUserFactory
from tests.workshops.exports.data import add_booked_delegates, count_queries, read_csv

DOWNLOADS = [
    "attendees.csv",
    "attendees.xlsx",
    "rosters.csv",
    "rosters.xlsx",
    "catering.csv",
    "catering.xlsx",
    "access.csv",
    "access.xlsx",
    "sign-in-sheets.pdf",
    "badges.pdf",
]


@pytest.fixture
def organiser_client(client, db):
    client.force_login(AdminUserFactory(groups=["Organisers"]))
    return client


@pytest.mark.parametrize("name", DOWNLOADS)
def test_download_query_count_does_not_grow_with_delegates(
    organiser_client, programme, four_sessions, name
):
    url = f"/admin/exports/{name}"
    add_booked_delegates(programme, four_sessions, 3)
    small = count_queries(organiser_client, url)
    add_booked_delegates(programme, four_sessions, 30)
    large = count_queries(organiser_client, url)
    assert small == large


def test_attendee_list_csv_takes_a_fixed_handful_of_queries(
    organiser_client, programme, four_sessions
):
    add_booked_delegates(programme, four_sessions, 30)
    # Sign-in session and user, the current event, two permission look-ups, time slots,
    # the count, the record, the rows (the session is not written: socex/sessions.py).
    assert count_queries(organiser_client, "/admin/exports/attendees.csv") == 9


def test_session_roster_query_count_does_not_grow_with_delegates(
    organiser_client, programme, four_sessions
):
    url = reverse("exports:session_download", args=[four_sessions[0].pk, "rosters", "csv"])
    add_booked_delegates(programme, four_sessions, 3)
    small = count_queries(organiser_client, url)
    add_booked_delegates(programme, four_sessions, 30)
    assert count_queries(organiser_client, url) == small
    assert len(read_csv(organiser_client.get(url))) == 1 + 33


def test_catering_csv_reads_no_totals(organiser_client, programme, four_sessions):
    # The totals sheet is XLSX only: the CSV takes the same queries as the access list.
    add_booked_delegates(programme, four_sessions, 3)
    catering = count_queries(organiser_client, "/admin/exports/catering.csv")
    assert catering == count_queries(organiser_client, "/admin/exports/access.csv")
    # XLSX: the totals, and the count that decides whether a worker builds it.
    assert count_queries(organiser_client, "/admin/exports/catering.xlsx") == catering + 2
