"""Validators for what people type."""

import re
import unicodedata

from django.core.exceptions import ValidationError

# Invisible characters that reorder the text around them: embeddings and overrides
# (U+202A–U+202E) and isolates (U+2066–U+2069). Typed into a name they can make it
# read differently on a badge, in a spreadsheet or in a plain-text email (U+202E
# turns "txt.exe" into what looks like "exe.txt"). The plain direction marks
# (U+200E, U+200F, U+061C) reorder nothing beyond a neutral character and are
# typed by right-to-left keyboards, so they are allowed.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
BIDI_MESSAGE = (
    "Remove the invisible text-direction characters (such as U+202E, right-to-left "
    "override): they can make the text read differently from what was typed."
)
# Characters that show nothing: a soft hyphen, zero-width space, word joiner, byte
# order mark. In a name they make two spellings that look the same ("C\u00adarol" and
# "Carol") but search, sort and match differently. Joiners (U+200C, U+200D) shape
# letters in several scripts, and the direction marks above are typed by
# right-to-left keyboards, so those stay.
INVISIBLE = frozenset("\u00ad\u180e\u200b\u2060\ufeff")
PHONE_CHARACTERS = re.compile(r"\+?[0-9 ()\-]+")
PHONE_MIN_DIGITS = 6
PHONE_MAX_DIGITS = 20


def validate_single_line(value):
    """Refuse line breaks, control and text-direction characters in a one-line answer.

    They have no place on a badge, a sign-in sheet or a spreadsheet row, and in a
    plain-text email they could pass for lines of our own.
    """
    if any(unicodedata.category(character) in ("Cc", "Zl", "Zp") for character in value):
        raise ValidationError(
            "Use one line of ordinary text: no line breaks or control characters.",
            code="single_line",
        )
    if not INVISIBLE.isdisjoint(value):
        raise ValidationError(
            "Remove the invisible characters (such as a soft hyphen or a zero-width space): "
            "they make the text match differently from how it looks.",
            code="invisible",
        )
    validate_no_bidi_controls(value)


def validate_no_bidi_controls(value):
    """Refuse the invisible characters that reorder text (`BIDI_CONTROLS`), in any answer."""
    if not BIDI_CONTROLS.isdisjoint(value):
        raise ValidationError(BIDI_MESSAGE, code="bidi_control")


def validate_phone(value):
    """Refuse a phone number that is not digits, spaces, brackets, hyphens and a leading +."""
    digits = sum(character.isdigit() for character in value)
    if not PHONE_CHARACTERS.fullmatch(value) or not (
        PHONE_MIN_DIGITS <= digits <= PHONE_MAX_DIGITS
    ):
        raise ValidationError(
            "Enter a phone number in digits, with spaces, brackets or hyphens if you like "
            "and + at the start for an international number, e.g. +44 20 7946 0000.",
            code="phone",
        )
