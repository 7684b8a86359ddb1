"""Keep spreadsheet programs from running what a delegate typed.

A cell that starts with `=`, `+`, `-` or `@` is read as a formula by Excel,
LibreOffice and Google Sheets, and a leading tab or carriage return can hide
one (the OWASP "CSV injection" list). Prefixing a single quote makes the cell
plain text in every one of them. django-import-export's own setting only
strips a leading `=`, so every exported cell passes through here instead.
"""

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formula(value):
    """Return `value` with a leading single quote if a spreadsheet would run it."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value
