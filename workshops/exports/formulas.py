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

import re
import unicodedata

# What an XLSX cell (XML 1.0) cannot hold: control characters but tab, line feed and
# carriage return (openpyxl's ILLEGAL_CHARACTERS_RE), and U+FFFE, U+FFFF and lone
# surrogates, which no XML parser accepts. Every one of them is unprintable.
ILLEGAL_CHARACTERS_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
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
    # Every character XLSX cannot hold is unprintable: most text skips the search.
    if not value.isprintable():
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    return neutralise_formula(value)


def neutralise_formula(value):
    """Return `value` with a leading single quote if a spreadsheet would run it."""
    if not isinstance(value, str) or value[:1].isalnum():
        # Most cells start with a letter or digit: neither a trigger nor blank.
        return value
    if value.startswith(FORMULA_TRIGGERS) or _first_visible(value) in FORMULA_STARTS:
        return "'" + value
    return value


def _first_visible(text):
    for character in text:
        if not _is_blank(character):
            return character
    return ""


def _is_blank(character):
    return character.isspace() or unicodedata.category(character) in BLANK_CATEGORIES


# A worksheet's name: at most 31 characters (UTF-16 units), none of these, not blank, no quote at
# either end, and unique in its workbook ignoring case (Excel refuses the file otherwise).
SHEET_NAME_LENGTH = 31
SHEET_NAME_FORBIDDEN = str.maketrans(dict.fromkeys("[]:*?/\\", " "))


def sheet_name(text, *, taken=(), fallback="Sheet"):
    """Return `text` made a safe, legal worksheet name not in `taken` (compared ignoring case).

    Names are not cells, but they come from what organisers typed (a room, a
    workshop), so the same cleaning applies: characters XLSX cannot hold are
    dropped and anything a spreadsheet could read as the start of a formula is
    removed from the front (a leading quote, the cell's remedy, is not allowed
    in a name). Then Excel's own rules.
    """
    text = ILLEGAL_CHARACTERS_RE.sub("", str(text)).translate(SHEET_NAME_FORBIDDEN)
    text = " ".join(text.split())
    while text and (text[0] in FORMULA_STARTS or text[0] == "'" or _is_blank(text[0])):
        text = text[1:]
    name = _utf16_start(text.strip("' "), SHEET_NAME_LENGTH).rstrip("' ") or fallback
    if name.casefold() == "history":  # Excel keeps that name for itself
        name = f"{name} (sheet)"
    taken = {t.casefold() for t in taken}
    number = 2
    candidate = name
    while candidate.casefold() in taken:
        suffix = f" ({number})"
        candidate = _utf16_start(name, SHEET_NAME_LENGTH - len(suffix)).rstrip("' ") + suffix
        number += 1
    return candidate


def _utf16_start(text, units):
    """The longest start of `text` of at most `units` UTF-16 code units, as Excel counts
    (a character past U+FFFF, such as an emoji, is two)."""
    count = 0
    for index, character in enumerate(text):
        count += 2 if ord(character) > 0xFFFF else 1
        if count > units:
            return text[:index]
    return text


def page_header_text(text):
    """`text` for a printed page's header or footer, where `&` starts a control code."""
    text = ILLEGAL_CHARACTERS_RE.sub("", str(text))
    return " ".join(text.split()).replace("&", "&&")
