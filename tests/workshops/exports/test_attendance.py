"""Attendance and no-show lists (CSV, XLSX) and the door list PDF, the paper fallback."""

import datetime
import io
import uuid

import pytest
from django.urls import reverse
from pypdf import PdfReader

from tests.factories import AdminUserFactory, AgencyFactory, DelegateFactory
from tests.workshops.exports.data import read_table
from workshops.models import ExportRecord
from workshops.services.booking import book_sessions
from workshops.services.checkin import record_scan
from workshops.services.doors import Door, DoorStaff

DAY_TWO = datetime.date(2019, 5, 23)
HEADER = [
    "Day",
    "Door",
    "Last name",
    "First name",
    "Badge name",
    "Agency",
    "Status",
    "Arrived at",
    "Checked in by",
]


@pytest.fixture
def attended(on_the_day, four_sessions):
    """Ada (day two only, booked, arrived at the entrance and round 1) and a hostile name."""
    event = on_the_day["event"]
    police = AgencyFactory(name="Kent Police")
    ada = DelegateFactory(
        event=event, first_name="Ada", last_name="Byron", agency=police, attends_day_one=False
    )
    book_sessions(delegate=ada, sessions=four_sessions)
    DelegateFactory(
        event=event,
        first_name="=HYPERLINK(1)",
        last_name="Zed",
        agency=police,
        attends_day_one=False,
    )
    staff = DoorStaff(user=AdminUserFactory(username="door"))
    at = datetime.datetime(2019, 5, 23, 8, 41, tzinfo=datetime.UTC)
    for door in (
        Door(event=event, day=DAY_TWO),
        Door(event=event, day=DAY_TWO, session=four_sessions[0]),
    ):
        record_scan(
            scan_id=uuid.uuid4(), door=door, reference=ada.checkin_reference, by=staff, now=at
        )
    return on_the_day


@pytest.fixture
def organiser_client(client, db):
    client.force_login(AdminUserFactory(groups=["Organisers"]))
    return client


def door(session):
    slot = session.time_slot
    return f"{slot.name} {slot.times[:5]}: {session.workshop.title} ({session.room.name})"


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_attendance_lists_every_door_with_who_came(
    organiser_client, attended, four_sessions, file_format
):
    url = reverse("exports:event_download", args=["attendance", file_format])
    rows = read_table(organiser_client.get(url), file_format)
    day = "Thursday 23 May 2019"
    assert rows[0] == HEADER
    assert rows[1:] == [
        [day, "Entrance", "Byron", "Ada", "Ada Byron", "Kent Police", "Arrived", "09:41", "door"],
        [
            day,
            "Entrance",
            "Zed",
            "'=HYPERLINK(1)",
            "'=HYPERLINK(1) Zed",
            "Kent Police",
            "Not arrived",
            "",
            "",
        ],
        [
            day,
            door(four_sessions[0]),
            "Byron",
            "Ada",
            "Ada Byron",
            "Kent Police",
            "Arrived",
            "09:41",
            "door",
        ],
        *[
            [day, door(s), "Byron", "Ada", "Ada Byron", "Kent Police", "Not arrived", "", ""]
            for s in four_sessions[1:]
        ],
    ]
    assert ExportRecord.objects.get().row_count == 6


def test_no_shows_lists_only_who_never_came(organiser_client, attended, four_sessions):
    rows = read_table(
        organiser_client.get(reverse("exports:event_download", args=["no-shows", "csv"])), "csv"
    )
    assert [(r[1], r[2], r[6]) for r in rows[1:]] == [
        ("Entrance", "Zed", "Not arrived"),
        *[(door(s), "Byron", "Not arrived") for s in four_sessions[1:]],
    ]


def test_door_list_is_alphabetical_with_the_day_s_sessions(
    organiser_client, attended, four_sessions
):
    url = reverse("exports:day_download", args=["2019-05-23", "door-list", "pdf"])
    response = organiser_client.get(url)
    assert response["Content-Type"] == "application/pdf"
    text = PdfReader(io.BytesIO(b"".join(response.streaming_content))).pages[0].extract_text()
    text = " ".join(text.split())  # the day's sessions wrap onto a second line
    assert "Door list: Strategic SOCEX 2019, Thursday 23 May 2019 · 2 expected" in text
    assert text.index("Byron") < text.index("Zed")
    rooms = ", ".join(f"{10 + i}:00 {s.room.name}" for i, s in enumerate(four_sessions))
    assert rooms in text
    assert ExportRecord.objects.get().export_name == "Door list: 2019-05-23"


@pytest.mark.parametrize("day", ["2019-05-24", "yesterday", "2019-13-01"])
def test_door_list_only_for_a_day_of_the_event(organiser_client, attended, day):
    url = reverse("exports:day_download", args=[day, "door-list", "pdf"])
    assert organiser_client.get(url).status_code == 404
    assert (
        organiser_client.get(
            reverse("exports:event_download", args=["door-list", "pdf"])
        ).status_code
        == 404
    )
    assert ExportRecord.objects.count() == 0


@pytest.mark.parametrize(
    ("group", "status"), [("Staff", 200), ("Door staff", 403), ("Catering & access", 403)]
)
def test_attendance_follows_the_export_role(client, attended, group, status):
    client.force_login(AdminUserFactory(groups=[group]))
    for url in [
        reverse("exports:event_download", args=["attendance", "csv"]),
        reverse("exports:day_download", args=["2019-05-23", "door-list", "pdf"]),
    ]:
        assert client.get(url).status_code == status


def test_exports_page_links_each_day_s_door_list(organiser_client, attended):
    html = organiser_client.get(reverse("exports:index")).content.decode()
    assert "/admin/exports/days/2019-05-22/door-list.pdf" in html
    assert "/admin/exports/days/2019-05-23/door-list.pdf" in html
    assert "/admin/exports/no-shows.xlsx" in html


def test_before_the_event_nobody_is_a_no_show(organiser_client, programme, four_sessions):
    # The programme's event and rounds lie ahead.
    ada = DelegateFactory(event=programme["event"], first_name="Ada", last_name="Byron")
    book_sessions(delegate=ada, sessions=four_sessions)

    no_shows = read_table(
        organiser_client.get(reverse("exports:event_download", args=["no-shows", "csv"])), "csv"
    )
    attendance = read_table(
        organiser_client.get(reverse("exports:event_download", args=["attendance", "csv"])), "csv"
    )

    assert no_shows[1:] == []
    assert {row[6] for row in attendance[1:]} == {"Not started yet"}
    assert len(attendance[1:]) == 2 + 4  # two days at the entrance, four sessions
