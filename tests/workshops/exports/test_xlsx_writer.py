"""The XLSX writer: every export's cells read back as typed, quoted where a spreadsheet
would run them and never a formula; Excel's escapes, numbers, sizes, page headers."""

import io
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse

from registration.models import Delegate
from tests.conftest import SEVEN_SETS
from tests.factories import AdminUserFactory, AgencyFactory, DelegateFactory, RoomFactory
from tests.workshops.exports.data import (
    body,
    excel_text,
    make_known_delegates,
    read_csv,
    read_workbook,
    read_xlsx,
)
from workshops.exports import rows
from workshops.exports.formulas import neutralise_formula
from workshops.exports.progress import reporting_progress
from workshops.exports.resources import (
    AccessResource,
    AttendanceResource,
    AttendeeResource,
    CateringResource,
    CateringTotalsResource,
    RosterResource,
)
from workshops.exports.spreadsheets import (
    PAGE_HEADER_LENGTH,
    Sheet,
    page_header,
    row_xml,
    write_xlsx,
)
from workshops.models import Session
from workshops.services.booking import book_sessions

# The OWASP list's payloads (dynamic data exchange), one for each trigger and hiding place.
PAYLOADS = {
    "equals": "=cmd|' /C calc'!A0",
    "plus": "+cmd|' /C calc'!A0",
    "minus": "-2+3+cmd|' /C calc'!A0",
    "at": "@SUM(1+1)*cmd|' /C calc'!A0",
    "tab": "\t=cmd|' /C calc'!A0",
    "cr": "\r=cmd|' /C calc'!A0",
}
# Every XLSX whose cells come from what delegates typed (feedback: tests/workshops/admin).
DELEGATE_XLSX = ["attendees", "rosters", "catering", "access", "attendance", "no-shows"]


@pytest.fixture
def organiser_client(client, db):
    client.force_login(AdminUserFactory(username="olive", groups=["Organisers"]))
    return client


@pytest.fixture
def hostile(on_the_day):
    """A booked delegate per payload, the payload in every field they typed."""
    sessions = on_the_day["sessions"]
    for (label, text), choice in zip(PAYLOADS.items(), SEVEN_SETS, strict=False):
        delegate = DelegateFactory(
            event=on_the_day["event"],
            first_name=text,
            last_name=text,
            badge_name=text,
            job_title=text,
            agency=AgencyFactory(name=f"{text} {label}"),
            dietary_requirements=text,
            accessibility_needs=text,
        )
        book_sessions(delegate=delegate, sessions=[sessions[(r, w)] for r, w in enumerate(choice)])
    return on_the_day


def xlsx_url(slug):
    return reverse("exports:event_download", args=[slug, "xlsx"])


def shown_cells(workbook):
    """Every cell of every sheet as Excel shows it, with its type."""
    return [
        (excel_text(cell.value), cell.data_type)
        for sheet in workbook.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.value is not None
    ]


@pytest.mark.parametrize("slug", DELEGATE_XLSX)
def test_every_payload_reads_back_quoted_and_no_cell_is_a_formula(organiser_client, hostile, slug):
    cells = shown_cells(read_workbook(organiser_client.get(xlsx_url(slug))))

    assert [value for value, kind in cells if kind == "f"] == []
    texts = {value for value, kind in cells if kind == "s"}
    assert {f"'{text}" for text in PAYLOADS.values()} <= texts
    # Nothing Excel shows would be run: every text is already neutral.
    assert [text for text in texts if neutralise_formula(text) != text] == []


def test_excel_escapes_and_xml_characters_read_back_as_typed(organiser_client, event):
    typed = {
        "last_name": "_x0041_ & <b>Ross</b>",
        "first_name": " Padded ",
        "dietary_requirements": "No fish\r\nNo nuts\ttoo",
    }
    DelegateFactory(event=event, **typed)
    expected = [" Padded ", "_x0041_ & <b>Ross</b>", "No fish\r\nNo nuts\ttoo"]

    [row] = read_xlsx(organiser_client.get(xlsx_url("catering")))[1:]
    [csv_row] = read_csv(
        organiser_client.get(reverse("exports:event_download", args=["catering", "csv"]))
    )[1:]

    assert [row[1], row[0], row[4]] == expected
    assert [csv_row[1], csv_row[0], csv_row[4]] == expected


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_characters_no_xml_parser_accepts_are_dropped_in_both_formats(
    organiser_client, event, file_format
):
    DelegateFactory(event=event, last_name="Ann\uffff", dietary_requirements="\ufffe=1+1")
    url = reverse("exports:event_download", args=["catering", file_format])
    response = organiser_client.get(url)
    row = (read_csv(response) if file_format == "csv" else read_xlsx(response))[1]
    assert (row[0], row[4]) == ("Ann", "'=1+1")


def test_the_sheet_says_how_far_its_rows_go(organiser_client, programme, four_sessions):
    make_known_delegates(programme, four_sessions)
    content = body(organiser_client.get(xlsx_url("attendees")))
    # Readers that trust the sheet's <dimension> (openpyxl's read-only mode) see every row.
    sheet = openpyxl.load_workbook(io.BytesIO(content), read_only=True).active
    assert sheet.calculate_dimension() == "A1:M5"
    assert len(list(sheet.iter_rows())) == 5


def test_an_event_without_sessions_gets_a_workbook_with_one_empty_sheet(organiser_client, event):
    workbook = read_workbook(organiser_client.get(xlsx_url("rosters")))
    assert workbook.sheetnames == ["Empty"]
    assert workbook.active.max_row == 1 and workbook.active["A1"].value is None


def test_a_typed_ampersand_g_keeps_the_page_header(organiser_client, programme, four_sessions):
    session = four_sessions[0]
    session.room = RoomFactory(name="R&G Suite")
    session.save()
    url = reverse("exports:session_download", args=[session.pk, "rosters", "xlsx"])
    sheet = read_workbook(organiser_client.get(url)).active
    # XlsxWriter's set_header reads "&G" as a picture and would drop the whole header.
    assert sheet.oddHeader.center.text.endswith("R&&G Suite")
    assert sheet.oddHeader.right.text == "Printed &D"


def test_page_header_is_cut_to_excels_limit_never_inside_a_typed_ampersand():
    for title in ("x" * 300, "&" * 300, "a" + "&" * 300, "名" * 300, "😀" * 300):
        header = page_header(title)
        text = header.removeprefix("&C").removesuffix("&RPrinted &D")
        assert len(header.encode("utf-16-le")) // 2 <= PAGE_HEADER_LENGTH, title[:3]
        assert header.startswith("&C") and header.endswith("&RPrinted &D")
        assert len(text) - len(text.rstrip("&")) in range(0, 300, 2), title[:3]
    assert page_header("Fire & Rescue") == "&CFire && Rescue&RPrinted &D"
    assert page_header("") == "&RPrinted &D"


def test_row_xml_writes_text_inline_numbers_as_numbers_and_leaves_out_empty_cells():
    cells = ["Ada", "", None, 5, 2.5, True, Decimal("1.5"), " x", float("nan")]
    assert row_xml(3, cells) == (
        '<row r="3">'
        '<c r="A3" t="inlineStr"><is><t>Ada</t></is></c>'
        '<c r="D3"><v>5</v></c>'
        '<c r="E3"><v>2.5</v></c>'
        '<c r="F3" t="b"><v>1</v></c>'
        '<c r="G3" t="inlineStr"><is><t>1.5</t></is></c>'
        '<c r="H3" t="inlineStr"><is><t xml:space="preserve"> x</t></is></c>'
        '<c r="I3" t="inlineStr"><is><t>nan</t></is></c>'
        "</row>"
    )


def test_writing_a_workbook_reports_progress_for_every_row(db):
    counted = []
    sheets = [
        Sheet(name="One", table_rows=[["Name"], *[[f"n{i}"] for i in range(1203)]]),
        Sheet(name="Two", table_rows=[["Name"], ["x"]]),
        Sheet(name="Three", table_rows=[]),
    ]
    with reporting_progress(counted.append):
        write_xlsx(sheets=sheets, title="Test", file=io.BytesIO())
    assert counted == [500, 500, 203, 1]


def test_export_rows_gives_each_cell_as_export_field_does(programme, four_sessions, event):
    make_known_delegates(programme, four_sessions)
    DelegateFactory(event=event, last_name="=1+1", badge_name="", dietary_requirements="\x07@x")
    delegates = rows.exportable_delegates(Delegate.objects.all())
    sessions = Session.objects.all()
    cases = [
        (AttendeeResource(slots=rows.attendee_slots(delegates)), rows.attendee_rows(delegates)),
        (RosterResource(), rows.roster_rows(sessions)),
        (CateringResource(), rows.catering_rows(delegates)),
        (CateringTotalsResource(), rows.catering_totals(delegates)),
        (AccessResource(), rows.access_rows(delegates)),
        (AttendanceResource(), rows.attendance_rows(delegates)),
        # A model instance goes the long way, through export_field itself.
        (CateringResource(), delegates.order_by("pk")),
    ]
    for resource, data in cases:
        data = list(data)
        fields = resource.get_export_fields()
        expected = [[resource.export_field(field, row) for field in fields] for row in data]
        assert list(resource.export_rows(data))[1:] == expected, type(resource).__name__
        assert len(expected) > 1, type(resource).__name__


def test_a_room_named_in_emoji_still_downloads_with_a_legal_sheet_name(
    organiser_client, programme, four_sessions
):
    session = four_sessions[0]
    session.room = RoomFactory(name="\U0001f6a8" * 40)
    session.save()
    url = reverse("exports:session_download", args=[session.pk, "rosters", "xlsx"])
    [name] = read_workbook(organiser_client.get(url)).sheetnames
    assert name == "R1 " + "\U0001f6a8" * 14  # 3 + 28 UTF-16 units: Excel's 31
