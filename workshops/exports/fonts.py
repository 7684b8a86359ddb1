"""Fonts for the printables, so that every name prints, whatever its script.

ReportLab's built-in Helvetica knows Latin-1 only: Ŵ, ł, Arabic and Chinese come out as
■. Every PDF draws its text through this module instead, with two fonts that pip installs:

- DejaVu Sans, regular and bold (the copy matplotlib ships, with its licence): Latin with
  Welsh, Polish and the rest of Latin Extended, Greek, Cyrillic, Hebrew and Arabic, the
  Arabic with its joined (presentation) forms;
- WenQuanYi Micro Hei (package paperang-p2-fonts-cjk, the file Debian ships as
  fonts-wqy-microhei; licence in LICENSES/WenQuanYi-Micro-Hei.txt): Chinese, Japanese
  kana and Korean. It has no bold, so bold text in those scripts uses the regular face.

Each character is drawn in the first font of its chain that has a glyph for it, so a
name mixing Latin and Chinese takes each from its own font. Right-to-left text is joined
by arabic-reshaper (the contextual letter forms, as characters every Arabic font maps)
and put in display order by python-bidi, so what reaches the PDF is plain characters in
fonts that have them: copying text from the PDF gives those characters. ReportLab embeds
only the glyphs a document uses (a subset per font), so a PDF grows by the glyphs it
prints, not by the fonts' size.
"""

import functools
import importlib.util
import unicodedata
from pathlib import Path

import arabic_reshaper
from arabic_reshaper.reshaper_config import ENABLE_ALL_LIGATURES, config_for_true_type_font
from bidi import get_display
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Flowable

REGULAR = "SocexSans"
BOLD = "SocexSans-Bold"
CJK = "SocexCJK"
RIGHT_TO_LEFT = {"R", "AL"}


def _package_dir(name):
    # find_spec locates an installed package without importing it (matplotlib's import
    # sets up plotting we never use).
    return Path(importlib.util.find_spec(name).origin).parent


def font_files():
    """The file behind each font name: {name: (path, index in a collection)}."""
    dejavu = _package_dir("matplotlib") / "mpl-data" / "fonts" / "ttf"
    return {
        REGULAR: (dejavu / "DejaVuSans.ttf", 0),
        BOLD: (dejavu / "DejaVuSans-Bold.ttf", 0),
        CJK: (_package_dir("paperang_p2_fonts_cjk") / "fonts" / "wqy-microhei.ttc", 0),
    }


# The fonts tried in turn for each character of text set in REGULAR or BOLD.
CHAINS = {REGULAR: (REGULAR, CJK), BOLD: (BOLD, CJK)}


@functools.cache
def register_fonts():
    """Register the fonts with ReportLab, once per process; returns each font's code points.

    Side effects: adds REGULAR, BOLD and CJK to ReportLab's font registry.
    """
    covered = {}
    for name, (path, index) in font_files().items():
        font = TTFont(name, str(path), subfontIndex=index)
        pdfmetrics.registerFont(font)
        covered[name] = frozenset(font.face.charToGlyph)
    return covered


@functools.cache
def _reshaper():
    # Only the ligatures DejaVu Sans has, so none comes out as ■.
    path, _index = font_files()[REGULAR]
    return arabic_reshaper.ArabicReshaper(
        configuration=config_for_true_type_font(str(path), ENABLE_ALL_LIGATURES)
    )


def _is_right_to_left(text):
    return any(unicodedata.bidirectional(character) in RIGHT_TO_LEFT for character in text)


def display_text(text):
    """`text` as it is drawn left to right: Arabic joined, right-to-left runs reversed."""
    if text.isascii() or not _is_right_to_left(text):
        return text
    return get_display(_reshaper().reshape(text))


@functools.lru_cache(maxsize=8192)
def runs(text, font):
    """`text` set in `font` as (font name, characters) pairs, in drawing order.

    Each character goes to the first font of the chain that has it; spaces and
    punctuation stay in the run they are in when its font has them. A character no
    font has goes to the first font (it prints as that font's empty box).
    """
    text = text or ""
    if text.isascii():
        return ((font, text),) if text else ()
    covered = register_fonts()
    chain = CHAINS[font]
    result = []
    for character in display_text(text):
        current = result[-1][0] if result else None
        if current is not None and ord(character) in covered[current] and not character.isalnum():
            chosen = current
        else:
            chosen = next((name for name in chain if ord(character) in covered[name]), font)
        if chosen == current:
            result[-1][1].append(character)
        else:
            result.append((chosen, [character]))
    return tuple((name, "".join(characters)) for name, characters in result)


def missing_characters(text, font):
    """The characters of `text`, as drawn, that no font of `font`'s chain has."""
    covered = register_fonts()
    return {
        character
        for name, chunk in runs(text, font)
        for character in chunk
        if ord(character) not in covered[name] and not character.isspace()
    }


def string_width(text, font, size):
    """The width of `text` in points, set in `font` at `size`."""
    register_fonts()
    return sum(pdfmetrics.stringWidth(chunk, name, size) for name, chunk in runs(text, font))


def needs_fallback(text, font):
    """Whether `text` needs more than `font` alone, drawn left to right as typed."""
    if text.isascii():
        return False
    found = runs(text, font)
    return len(found) > 1 or (found and found[0][0] != font) or display_text(text) != text


def draw_string(canvas, x, y, text, *, font, size):
    """Draw `text` with its left end at (x, y), each run in its own font."""
    register_fonts()
    for name, chunk in runs(text, font):
        canvas.setFont(name, size)
        canvas.drawString(x, y, chunk)
        x += pdfmetrics.stringWidth(chunk, name, size)


class TextLine(Flowable):
    """One line of text for a table cell, drawn run by run (see `cell`)."""

    def __init__(self, text, *, font, size):
        super().__init__()
        self.text, self.font, self.size = text, font, size

    def wrap(self, available_width, available_height):
        self.width, self.height = available_width, self.size
        return self.width, self.height

    def draw(self):
        # 0.2 of the size below the top is roughly where a table puts a plain string's
        # baseline, so text in both kinds of cell lines up.
        draw_string(self.canv, 0, self.size * 0.2, self.text, font=self.font, size=self.size)


def cell(text, *, font, size):
    """A table cell's content for `text`: the text itself when `font` alone draws it as
    typed (the table sets it, which is fastest), else a TextLine in `font` at `size`
    for each of its lines."""
    lines = text.split("\n")
    if not any(needs_fallback(line, font) for line in lines):
        return text
    if len(lines) == 1:
        return TextLine(text, font=font, size=size)
    return [TextLine(line, font=font, size=size * 1.1) for line in lines]


def split_lines(text, *, font, size, width, break_words=False):
    """`text` broken at spaces into lines no wider than `width` points where a word allows.

    Like ReportLab's simpleSplit, but measured with each character's own font, so a
    line of Chinese or Arabic breaks where it really ends. A word wider than
    `width` stays whole on its line (callers shrink the font instead), unless
    `break_words`, which cuts it between characters.
    """
    lines = []
    for word in (text or "").split():
        if lines and string_width(f"{lines[-1]} {word}", font, size) <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.extend(
                _break_word(word, font=font, size=size, width=width) if break_words else [word]
            )
    return lines


def _break_word(word, *, font, size, width):
    """`word` as one line, or cut into lines of as many characters as fit in `width`."""
    pieces = [""]
    for character in word:
        if pieces[-1] and string_width(pieces[-1] + character, font, size) > width:
            pieces.append("")
        pieces[-1] += character
    return pieces
