"""`spreadsheet_cell`: whatever text goes in, no spreadsheet reads a formula out of it."""

import io
import sys
import unicodedata

import xlsxwriter
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook

from workshops.exports.formulas import (
    BLANK_CATEGORIES,
    FORMULA_STARTS,
    FORMULA_TRIGGERS,
    ILLEGAL_CHARACTERS_RE,
    SHEET_NAME_LENGTH,
    page_header_text,
    sheet_name,
    spreadsheet_cell,
)

# Text built to start with blanks and triggers, and arbitrary text besides.
TRIGGERISH = st.text(alphabet=st.sampled_from([*FORMULA_STARTS, "\t", "\r", "\n", " ", "\x02"]))
CELL_TEXT = st.one_of(st.text(), st.builds(str.__add__, TRIGGERISH, st.text()))


@given(CELL_TEXT)
def test_spreadsheet_cell_never_leaves_a_formula_for_openpyxl(text):
    cell = Workbook().active.cell(row=1, column=1, value=spreadsheet_cell(text))
    assert cell.data_type != "f"


@given(CELL_TEXT)
def test_spreadsheet_cell_quotes_every_hidden_trigger_and_holds_only_legal_characters(text):
    value = spreadsheet_cell(text)
    assert not ILLEGAL_CHARACTERS_RE.search(value)
    visible = value.lstrip("".join(c for c in value if not c.isprintable() or c.isspace()))
    assert value.startswith("'") or not visible.startswith(tuple(FORMULA_STARTS))


@given(CELL_TEXT)
def test_spreadsheet_cell_twice_changes_nothing(text):
    assert spreadsheet_cell(spreadsheet_cell(text)) == spreadsheet_cell(text)


def test_spreadsheet_cells_shortcuts_hold_for_every_character():
    # Text that is all printable skips the search for illegal characters, and text that
    # starts with a letter or digit skips the formula check: both must be safe for any text.
    for character in map(chr, range(sys.maxunicode + 1)):
        if ILLEGAL_CHARACTERS_RE.match(character):
            assert not character.isprintable(), hex(ord(character))
        if character.isalnum():
            assert character not in FORMULA_STARTS, hex(ord(character))
            assert not character.startswith(FORMULA_TRIGGERS), hex(ord(character))
            assert not character.isspace(), hex(ord(character))
            assert unicodedata.category(character) not in BLANK_CATEGORIES, hex(ord(character))


def test_spreadsheet_cell_drops_what_no_xml_parser_accepts():
    assert spreadsheet_cell("A\ud800n\udfffn\ufffe\uffff\x00") == "Ann"
    assert spreadsheet_cell("\ud83d=1+1") == "'=1+1"


def test_spreadsheet_cell_leaves_other_values_alone():
    assert [spreadsheet_cell(v) for v in (None, 3, "Smith-Jones", "a=b")] == [
        None,
        3,
        "Smith-Jones",
        "a=b",
    ]


@given(CELL_TEXT, st.lists(st.text(max_size=40), max_size=5))
def test_sheet_name_is_always_a_name_excel_and_openpyxl_accept(text, taken):
    name = sheet_name(text, taken=taken)
    assert 0 < len(name) <= SHEET_NAME_LENGTH
    assert not set(name) & set("[]:*?/\\")
    assert not ILLEGAL_CHARACTERS_RE.search(name)
    assert name[0] != "'" and name[-1] != "'"
    assert name[0] not in FORMULA_STARTS
    assert name.casefold() not in {t.casefold() for t in taken}
    Workbook().create_sheet(title=name)  # raises on a name it refuses
    xlsxwriter.Workbook(io.BytesIO()).add_worksheet(name)  # and so does XlsxWriter


def test_sheet_name_cleans_then_shortens_then_numbers_repeats():
    assert sheet_name("=SUM(A1)") == "SUM(A1)"
    assert sheet_name("  'Room: 1/2'  ") == "Room 1 2"
    assert sheet_name("") == "Sheet"
    assert sheet_name("???", fallback="Session 4") == "Session 4"
    assert sheet_name("history") == "history (sheet)"
    long = "Kenilworth Suite, County Lines and serious violence"
    assert sheet_name(long) == "Kenilworth Suite, County Lines"  # 31 characters, less a space
    assert sheet_name(long, taken=["KENILWORTH SUITE, COUNTY LINES"]) == (
        "Kenilworth Suite, County Li (2)"
    )
    assert sheet_name("Room", taken=["room", "Room (2)"]) == "Room (3)"
    # Excel counts UTF-16 units: a character past U+FFFF takes two of the 31.
    assert sheet_name("0" * 18 + "\U00010000" * 7) == "0" * 18 + "\U00010000" * 6
    assert sheet_name("\U0001f600" * 20, taken=["\U0001f600" * 15]) == "\U0001f600" * 13 + " (2)"


def test_page_header_text_doubles_ampersands_and_drops_what_xlsx_cannot_hold():
    assert page_header_text("Fire & Rescue\x07\n Suite") == "Fire && Rescue Suite"
