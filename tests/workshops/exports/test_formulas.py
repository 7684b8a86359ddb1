"""`spreadsheet_cell`: whatever text goes in, no spreadsheet reads a formula out of it."""

from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from workshops.exports.formulas import FORMULA_STARTS, spreadsheet_cell

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


def test_spreadsheet_cell_leaves_other_values_alone():
    assert [spreadsheet_cell(v) for v in (None, 3, "Smith-Jones", "a=b")] == [
        None,
        3,
        "Smith-Jones",
        "a=b",
    ]
