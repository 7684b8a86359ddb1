"""Keep spreadsheet programs from running what a delegate typed.

A cell that starts with `=`, `+`, `-` or `@` is read as a formula by Excel,
LibreOffice and Google Sheets, and a leading tab or carriage return can hide
one (the OWASP "CSV injection" list). Spreadsheets also skip leading
whitespace and read the full-width forms (＝＋－＠) as the ASCII ones, and a
writer that drops characters XLSX cannot hold may uncover a trigger behind
them. Prefixing a single quote makes the cell plain text in every one of them.
django-import-export's own setting only strips a leading `=`, so every
exported cell passes through `spreadsheet_cell` instead.
"""

import unicodedata

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# Read as the first character of a formula, wherever leading blanks end.
FORMULA_STARTS = frozenset("=+-@\uff1d\uff0b\uff0d\uff20\ufe66\ufe62\ufe63\ufe6b")
# Skipped before a formula: whitespace, control and invisible format characters, and
# (to be safe) code points with no visible form here: unassigned, private use, surrogates.
BLANK_CATEGORIES = frozenset({"Cc", "Cf", "Cn", "Co", "Cs", "Zs", "Zl", "Zp"})


def spreadsheet_cell(value):
    """Return `value` as a spreadsheet cell should hold it.

    Characters XLSX cannot hold are dropped (in CSV too, so both formats say
    the same), and only then is the cell neutralised: nothing done after
    `neutralise_formula` may change the text, or it could uncover a formula.
    Applying it twice changes nothing.
    """
    if not isinstance(value, str):
        return value
    return neutralise_formula(ILLEGAL_CHARACTERS_RE.sub("", value))


def neutralise_formula(value):
    """Return `value` with a leading single quote if a spreadsheet would run it."""
    if isinstance(value, str) and (
        value.startswith(FORMULA_TRIGGERS) or _first_visible(value) in FORMULA_STARTS
    ):
        return "'" + value
    return value


def _first_visible(text):
    for character in text:
        if not character.isspace() and unicodedata.category(character) not in BLANK_CATEGORIES:
            return character
    return ""
