"""Validators for what people type."""

import unicodedata

from django.core.exceptions import ValidationError


def validate_single_line(value):
    """Refuse line breaks and control characters in a one-line answer (a name, a job title).

    They have no place on a badge, a sign-in sheet or a spreadsheet row, and in a
    plain-text email they could pass for lines of our own.
    """
    if any(unicodedata.category(character) in ("Cc", "Zl", "Zp") for character in value):
        raise ValidationError(
            "Use one line of ordinary text: no line breaks or control characters.",
            code="single_line",
        )
