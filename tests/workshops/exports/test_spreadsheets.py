"""The tabular downloads (attendee list, rosters, catering, access): content and escaping."""

import pytest
from django.urls import reverse

from registration.models import Delegate
from tests.factories import AdminUserFactory, AgencyFactory, DelegateFactory
from tests.workshops.exports.data import (
    excel_text,
    make_known_delegates,
    read_csv,
    read_table,
    read_workbook,
    read_xlsx_cells,
)
from workshops.models import ExportRecord

FORMATS = ["csv", "xlsx"]


@pytest.fixture
def known(programme, four_sessions):
    return make_known_delegates(programme, four_sessions)


@pytest.fixture
def organiser_client(client, db):
    client.force_login(AdminUserFactory(username="olive", groups=["Organisers"]))
    return client


def event_url(slug, file_format):
    return reverse("exports:event_download", args=[slug, file_format])


def seat(session):
    return f"{session.workshop.title} ({session.room.name})"


@pytest.mark.parametrize("file_format", FORMATS)
def test_attendee_list_has_one_row_per_live_delegate_with_seats_by_slot(
    organiser_client, known, programme, four_sessions, file_format
):
    s = programme["sessions"]
    slots = programme["slots"]
    rows = read_table(organiser_client.get(event_url("attendees", file_format)), file_format)
    assert rows == [
        [
            "Last name",
            "First name",
            "Badge name",
            "Email",
            "Job title",
            "Agency",
            "Agency type",
            "Day one",
            "Day two",
            *[f"Round {i + 1} ({slot.times})" for i, slot in enumerate(slots)],
        ],
        [
            "Ashby",
            "Brian",
            "Brian Ashby",
            "brian@nca.gov.uk",
            "Analyst",
            "National Crime Agency",
            "National law enforcement agency",
            "Yes",
            "Yes",
            seat(s[(0, 1)]),
            seat(s[(1, 5)]),
            seat(s[(2, 3)]),
            seat(s[(3, 7)]),
        ],
        [
            "Ashby",
            "Dan",
            "Dan Ashby",
            "dan@warwickshire.police.uk",
            "Sergeant",
            "Warwickshire Police",
            "Police force",
            "No",
            "Yes",
            *[seat(x) for x in four_sessions],
        ],
        [
            "Lovelace",
            "Ada",
            "Ada L.",
            "ada@warwickshire.police.uk",
            "Detective Inspector",
            "Warwickshire Police",
            "Police force",
            "Yes",
            "Yes",
            *[seat(x) for x in four_sessions],
        ],
        [
            "Zed",
            "Carol",
            "Carol Zed",
            "carol@nca.gov.uk",
            "Manager",
            "National Crime Agency",
            "National law enforcement agency",
            "Yes",
            "No",
            "",
            "",
            "",
            "",
        ],
    ]


@pytest.mark.parametrize("file_format", FORMATS)
def test_roster_for_one_session_lists_its_delegates_by_surname(
    organiser_client, known, four_sessions, file_format
):
    session = four_sessions[0]
    url = reverse("exports:session_download", args=[session.pk, "rosters", file_format])
    rows = read_table(organiser_client.get(url), file_format)
    place = [session.time_slot.name, session.workshop.title, session.room.name]
    assert rows == [
        [
            "Time slot",
            "Workshop",
            "Room",
            "Last name",
            "First name",
            "Badge name",
            "Job title",
            "Agency",
        ],
        [*place, "Ashby", "Dan", "Dan Ashby", "Sergeant", "Warwickshire Police"],
        [*place, "Lovelace", "Ada", "Ada L.", "Detective Inspector", "Warwickshire Police"],
    ]


def test_rosters_for_the_event_cover_every_seat_in_slot_order(organiser_client, known):
    rows = read_csv(organiser_client.get(event_url("rosters", "csv")))
    assert len(rows) == 1 + 3 * 4
    assert [row[0] for row in rows[1:]] == [f"Round {n}" for n in (1, 1, 1, 2, 2, 2, 3, 3, 3)] + [
        "Round 4"
    ] * 3


@pytest.mark.parametrize("file_format", FORMATS)
def test_catering_list_has_days_and_dietary_requirements_only(organiser_client, known, file_format):
    rows = read_table(organiser_client.get(event_url("catering", file_format)), file_format)
    assert rows == [
        ["Last name", "First name", "Day one", "Day two", "Dietary requirements"],
        ["Ashby", "Brian", "Yes", "Yes", ""],
        ["Ashby", "Dan", "No", "Yes", ""],
        ["Lovelace", "Ada", "Yes", "Yes", "Vegetarian"],
        ["Zed", "Carol", "Yes", "No", "No nuts"],
    ]


@pytest.mark.parametrize("file_format", FORMATS)
def test_access_list_has_only_delegates_with_accessibility_needs(
    organiser_client, known, file_format
):
    rows = read_table(organiser_client.get(event_url("access", file_format)), file_format)
    assert rows == [
        ["Last name", "First name", "Day one", "Day two", "Accessibility needs"],
        ["Ashby", "Dan", "No", "Yes", "Hearing loop"],
        ["Lovelace", "Ada", "Yes", "Yes", "Step-free access"],
    ]


TRIGGERS = ["=", "+", "-", "@", "\t", "\r"]


@pytest.mark.parametrize("file_format", FORMATS)
@pytest.mark.parametrize("trigger", TRIGGERS, ids=["equals", "plus", "minus", "at", "tab", "cr"])
def test_cells_starting_with_a_formula_trigger_are_quoted(
    organiser_client, event, trigger, file_format
):
    payload = f'{trigger}HYPERLINK("http://evil.example","x")'
    DelegateFactory(event=event, last_name=f"{trigger}cmd", dietary_requirements=payload)
    response = organiser_client.get(event_url("catering", file_format))
    if file_format == "csv":
        row = read_csv(response)[1]
        assert row[0] == f"'{trigger}cmd"
        assert row[4] == f"'{payload}"
    else:
        cells = read_xlsx_cells(response)[1]
        # Even a carriage return reads back as itself (written as Excel's `_x000D_`).
        assert excel_text(cells[0].value) == f"'{trigger}cmd"
        assert excel_text(cells[4].value) == f"'{payload}"
        assert {cells[0].data_type, cells[4].data_type} == {"s"}


# Each hides a formula behind something a writer strips or a spreadsheet skips over.
HIDDEN_FORMULAS = {
    "control-character": "\x02=1+1",
    "two-control-characters": "\x01\x1f@SUM(A1:A9)",
    "vertical-tab-then-tab": "\x0b\t=1+1",
    "space": " =1+1",
    "line-feed": "\n-2+3",
    "no-break-space": "\xa0+1+1",
    "ideographic-space": "\u3000=1+1",
    "zero-width-space": "\u200b=1+1",
    "byte-order-mark": "\ufeff=1+1",
    "full-width-equals": "\uff1d1+1",
    "full-width-plus": "\uff0b1+1",
    "full-width-minus": "\uff0d1+1",
    "full-width-at": "\uff20SUM(A1)",
    "control-then-full-width": "\x07\uff1dHYPERLINK(1)",
}


@pytest.mark.parametrize("file_format", FORMATS)
@pytest.mark.parametrize("hostile", HIDDEN_FORMULAS.values(), ids=HIDDEN_FORMULAS.keys())
def test_formulas_hidden_behind_other_characters_are_quoted(
    organiser_client, event, hostile, file_format
):
    DelegateFactory(event=event, first_name=hostile, dietary_requirements=hostile)
    response = organiser_client.get(event_url("catering", file_format))
    # What XLSX cannot hold is dropped in both formats, then the quote goes in front.
    shown = "'" + hostile.translate(dict.fromkeys([*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20)]))
    if file_format == "csv":
        row = read_csv(response)[1]
        assert (row[1], row[4]) == (shown, shown)
    else:
        cells = read_xlsx_cells(response)[1]
        assert (excel_text(cells[1].value), excel_text(cells[4].value)) == (shown, shown)
        assert (cells[1].data_type, cells[4].data_type) == ("s", "s")


@pytest.mark.parametrize("hostile", HIDDEN_FORMULAS.values(), ids=HIDDEN_FORMULAS.keys())
def test_no_xlsx_cell_is_a_formula_whatever_the_delegate_typed(
    organiser_client, programme, four_sessions, hostile
):
    programme["slots"][0].name = hostile
    programme["slots"][0].save()
    DelegateFactory(
        event=programme["event"],
        first_name=hostile,
        last_name=hostile,
        badge_name=hostile,
        job_title=hostile,
        agency=AgencyFactory(name=hostile),
    )
    for slug in ("attendees", "rosters", "catering", "access"):
        workbook = read_workbook(organiser_client.get(event_url(slug, "xlsx")))
        for sheet in workbook.worksheets:  # every roster sheet, the catering totals
            formulas = [
                c.coordinate for row in sheet.iter_rows() for c in row if c.data_type == "f"
            ]
            assert formulas == [], (slug, sheet.title)


@pytest.mark.parametrize("file_format", FORMATS)
def test_cells_with_a_trigger_inside_are_left_alone(organiser_client, event, file_format):
    DelegateFactory(event=event, last_name="Smith-Jones", dietary_requirements="a=b, c+d, e@f")
    row = read_table(organiser_client.get(event_url("catering", file_format)), file_format)[1]
    assert (row[0], row[4]) == ("Smith-Jones", "a=b, c+d, e@f")


@pytest.mark.parametrize("file_format", FORMATS)
def test_headers_typed_by_organisers_are_quoted_too(
    organiser_client, programme, four_sessions, file_format
):
    slot = programme["slots"][0]
    slot.name = "=1+1"
    slot.save()
    DelegateFactory(event=programme["event"])
    header = read_table(organiser_client.get(event_url("attendees", file_format)), file_format)[0]
    assert header[9] == f"'=1+1 ({slot.times})"


@pytest.mark.parametrize("file_format", FORMATS)
def test_control_characters_xlsx_cannot_hold_are_dropped_in_both_formats(
    organiser_client, event, file_format
):
    DelegateFactory(event=event, last_name="Bell\x07", dietary_requirements="Halal\x0b\x1f")
    row = read_table(organiser_client.get(event_url("catering", file_format)), file_format)[1]
    assert (row[0], row[4]) == ("Bell", "Halal")


@pytest.mark.parametrize("file_format", FORMATS)
def test_download_is_recorded_with_user_format_and_rows(organiser_client, known, file_format):
    organiser_client.get(event_url("attendees", file_format))
    record = ExportRecord.objects.get()
    assert (record.user.username, record.username) == ("olive", "olive")
    assert (record.export_name, record.format, record.row_count) == (
        "Attendee list",
        file_format,
        4,
    )


def test_roster_download_record_names_the_session(organiser_client, known, four_sessions):
    session = four_sessions[0]
    organiser_client.get(reverse("exports:session_download", args=[session.pk, "rosters", "csv"]))
    record = ExportRecord.objects.get()
    assert record.export_name == (
        f"Session rosters: {session.time_slot.name}, {session.room.name}, {session.workshop.title}"
    )
    assert record.row_count == 2


def test_csv_is_streamed(organiser_client, known):
    response = organiser_client.get(event_url("attendees", "csv"))
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="attendee-list-')


def test_unknown_download_or_format_is_not_found(organiser_client, known):
    assert organiser_client.get(event_url("attendees", "pdf")).status_code == 404
    assert organiser_client.get(event_url("everything", "csv")).status_code == 404
    url = reverse("exports:session_download", args=[999999, "rosters", "csv"])
    assert organiser_client.get(url).status_code == 404
    assert ExportRecord.objects.count() == 0


def test_attendee_list_leaves_out_registrations_awaiting_approval(organiser_client, known, event):
    DelegateFactory(event=event, last_name="Pending", status=Delegate.Status.PENDING)
    rows = read_csv(organiser_client.get(event_url("attendees", "csv")))
    assert [row[0] for row in rows[1:]] == ["Ashby", "Ashby", "Lovelace", "Zed"]


def test_two_sessions_of_one_workshop_download_under_different_names(organiser_client, programme):
    workshop = programme["workshops"][0]
    workshop.title = "County Lines: from the first line to the last runner, a long workshop title"
    workshop.save()
    names = set()
    for session in workshop.sessions.all():
        url = reverse("exports:session_download", args=[session.pk, "rosters", "csv"])
        disposition = organiser_client.get(url)["Content-Disposition"]
        names.add(disposition)
        assert session.time_slot.name.lower().replace(" ", "-") in disposition
    assert len(names) == workshop.sessions.count() == 2


def test_unconfirmed_addresses_are_left_out_of_every_list(organiser_client, event):
    DelegateFactory(event=event, last_name="Confirmed")
    DelegateFactory(event=event, last_name="Typedin", unconfirmed=True)
    for slug in ("attendees", "catering"):
        text = organiser_client.get(event_url(slug, "csv")).getvalue().decode()
        assert "Confirmed" in text and "Typedin" not in text, slug
