"""XLSX downloads ready to read and to print: widths, frozen and filtered header, page set-up,
a roster sheet per session, catering totals by diet and day."""

import pytest
from django.urls import reverse

from tests.factories import AdminUserFactory, DelegateFactory, RoomFactory
from tests.workshops.exports.data import make_known_delegates, read_workbook, sheet_values
from workshops.exports.formulas import SHEET_NAME_LENGTH
from workshops.exports.spreadsheets import column_widths


@pytest.fixture
def known(programme, four_sessions):
    return make_known_delegates(programme, four_sessions)


@pytest.fixture
def organiser_client(client, db):
    client.force_login(AdminUserFactory(username="olive", groups=["Organisers"]))
    return client


def excel_width(characters):
    """The width Excel stores for a column `characters` wide, in 1/256ths of a character."""
    return int((characters * 7 + 5) / 7 * 256) / 256


def xlsx(client, slug):
    return read_workbook(client.get(reverse("exports:event_download", args=[slug, "xlsx"])))


def test_attendee_sheet_is_sized_frozen_filtered_and_set_up_to_print(organiser_client, known):
    workbook = xlsx(organiser_client, "attendees")
    sheet = workbook.active
    assert workbook.sheetnames == ["Attendee list"]
    assert workbook.properties.title == "Attendee list"
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:M5"  # 9 columns and 4 rounds; header and 4 delegates
    assert [c.font.b for c in sheet[1]] == [True] * 13
    # Each column as wide as its longest cell plus two: "Last name", "Email" (Dan's address).
    # Excel stores N characters' width as N and the cell padding (5 pixels of a 7-pixel digit).
    widths = {c: sheet.column_dimensions[c].width for c in "ADH"}
    assert widths == {
        "A": excel_width(len("Last name") + 2),
        "D": excel_width(len("dan@warwickshire.police.uk") + 2),
        "H": excel_width(len("Day one") + 2),
    }
    setup = sheet.page_setup
    # One page wide: fitToWidth is left out when 1, the file format's default.
    assert (setup.orientation, setup.paperSize, setup.fitToWidth or 1, setup.fitToHeight) == (
        "landscape",
        9,  # A4
        1,
        0,
    )
    assert sheet.sheet_properties.pageSetUpPr.fitToPage is True
    assert sheet.print_title_rows == "$1:$1"
    assert sheet.oddHeader.center.text == "Attendee list"
    assert sheet.oddFooter.center.text == "Page &P of &N"


def test_rosters_xlsx_has_a_sheet_per_session_with_its_seats(
    organiser_client, known, programme, four_sessions
):
    workbook = xlsx(organiser_client, "rosters")
    assert len(workbook.sheetnames) == len(programme["sessions"]) == 16
    assert all(len(name) <= SHEET_NAME_LENGTH for name in workbook.sheetnames)
    first = four_sessions[0]
    name = f"R1 {first.room.name} – {first.workshop.title}"[:SHEET_NAME_LENGTH]
    sheet = workbook[name]
    place = [first.time_slot.name, first.workshop.title, first.room.name]
    assert sheet_values(sheet)[1:] == [
        [*place, "Ashby", "Dan", "Dan Ashby", "Sergeant", "Warwickshire Police"],
        [*place, "Lovelace", "Ada", "Ada L.", "Detective Inspector", "Warwickshire Police"],
    ]
    assert sheet.oddHeader.center.text == (
        f"{first.workshop.title}: {first.time_slot.name}, {first.time_slot.times}, "
        f"{first.room.name}"
    )
    assert sheet.auto_filter.ref == "A1:H3"
    # Every seat is on its session's sheet, and each empty session still has its sheet.
    seats = sum(len(sheet_values(ws)) - 1 for ws in workbook.worksheets)
    assert seats == 3 * 4
    assert sum(1 for ws in workbook.worksheets if ws.max_row == 1) == 16 - 8


def test_roster_sheet_names_are_safe_and_unique_whatever_organisers_typed(
    organiser_client, programme
):
    # Two rooms of one round whose names differ only past the 31 characters a name may hold.
    hostile = "[Main]: hall *?/\\ " + "x" * 40
    for index, key in enumerate([(0, 0), (0, 1)]):
        session = programme["sessions"][key]
        session.room = RoomFactory(name=f"{hostile}{index}")
        session.save()
    names = xlsx(organiser_client, "rosters").sheetnames
    assert [n for n in names if "Main" in n] == [
        "R1 Main hall xxxxxxxxxxxxxxxxxx",
        "R1 Main hall xxxxxxxxxxxxxx (2)",
    ]
    assert len({n.casefold() for n in names}) == 16
    assert all(len(n) <= SHEET_NAME_LENGTH and not set(n) & set("[]:*?/\\") for n in names)


def test_catering_xlsx_totals_each_diet_by_day(organiser_client, known, event):
    # Answers differing in capitals and spaces count together, under the usual spelling.
    DelegateFactory(event=event, dietary_requirements="vegetarian ", attends_day_two=False)
    DelegateFactory(event=event, dietary_requirements="  Vegetarian", attends_day_one=False)
    workbook = xlsx(organiser_client, "catering")
    assert workbook.sheetnames == ["Catering list", "Totals by diet and day"]
    totals = workbook["Totals by diet and day"]
    assert sheet_values(totals) == [
        ["Dietary requirement", "Day one", "Day two"],
        ["No dietary requirement stated", 1, 2],  # Brian both days, Dan day two
        ["Vegetarian", 2, 2],  # Ada both days, and the two above one day each
        ["No nuts", 1, 0],  # Carol, day one only
        ["Everyone attending", 4, 4],
    ]
    assert totals.oddHeader.center.text == "Catering list: totals by diet and day"


def test_page_header_keeps_an_ampersand_organisers_typed(organiser_client, known, four_sessions):
    session = four_sessions[0]
    session.room.name = "Fire & Rescue Suite"
    session.room.save()
    url = reverse("exports:session_download", args=[session.pk, "rosters", "xlsx"])
    sheet = read_workbook(organiser_client.get(url)).active
    # In a header "&" starts a code (&P is the page number): a typed one is doubled.
    assert sheet.oddHeader.center.text.endswith("Fire && Rescue Suite")


def test_column_widths_fit_the_longest_line_within_bounds():
    rows = [["No", "Name", "Notes"], [1, "Ada Lovelace", "x" * 100], [None, "", "two\nlines"]]
    assert column_widths(rows) == [6, len("Ada Lovelace") + 2, 60]


def test_one_sessions_roster_sheet_is_named_by_its_own_round(organiser_client, known, programme):
    session = programme["sessions"][(2, 3)]  # round 3

    response = organiser_client.get(
        reverse("exports:session_download", args=[session.pk, "rosters", "xlsx"])
    )

    [name] = read_workbook(response).sheetnames
    assert name.startswith("R3 ")
