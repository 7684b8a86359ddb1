"""Fonts for the printables: each character of a name in a font that has its glyph.

The glyph checks read the font files with fontTools, independently of the cmap
ReportLab parsed, so a wrong font file or a wrong fallback shows up here.
"""

import functools
import unicodedata

import pytest
from fontTools.ttLib import TTCollection, TTFont

from workshops.exports import fonts

NAMES = {
    "welsh": "Gwenllïan Ŵyn ap Siôn",
    "polish": "Łukasz Żółć-Wąsowicz",
    "arabic": "محمد عبد الله",
    "chinese": "王小明",
    "latin and chinese": "Anna Müller 李娜",
    "latin and arabic": "Ahmed أحمد Khan",
    "greek and cyrillic": "Ελένη Юлия",
    "japanese and korean": "さくら 김민준",
}


@functools.cache
def cmap_from_file(name):
    path, index = fonts.font_files()[name]
    font = TTCollection(str(path)).fonts[index] if path.suffix == ".ttc" else TTFont(str(path))
    return font.getBestCmap()


@pytest.mark.parametrize("font", [fonts.REGULAR, fonts.BOLD])
@pytest.mark.parametrize("script", NAMES)
def test_every_character_of_a_name_has_a_glyph_in_the_font_chosen_for_it(script, font):
    runs = fonts.runs(NAMES[script], font)
    drawn = [(name, character) for name, chunk in runs for character in chunk]
    assert drawn
    without_glyph = [(name, c) for name, c in drawn if ord(c) not in cmap_from_file(name)]
    assert without_glyph == []
    assert fonts.missing_characters(NAMES[script], font) == set()


def test_a_name_mixing_latin_and_chinese_takes_each_from_its_own_font():
    assert fonts.runs("Anna Müller 李娜", fonts.BOLD) == (
        (fonts.BOLD, "Anna Müller "),
        (fonts.CJK, "李娜"),
    )


def test_welsh_and_polish_letters_need_no_fallback():
    for name in (NAMES["welsh"], NAMES["polish"]):
        assert fonts.runs(name, fonts.REGULAR) == ((fonts.REGULAR, name),)
        assert not fonts.needs_fallback(name, fonts.REGULAR)


def test_arabic_is_drawn_joined_and_right_to_left():
    (run,) = fonts.runs("محمد", fonts.REGULAR)
    assert run[0] == fonts.REGULAR
    # Meem initial, hah medial, meem medial, dal final: the joined forms, last letter first.
    assert run[1] == "\ufeaa\ufee4\ufea4\ufee3"
    assert unicodedata.normalize("NFKC", run[1])[::-1] == "محمد"


def test_a_latin_name_with_an_arabic_word_keeps_the_latin_reading_order():
    drawn = "".join(chunk for _name, chunk in fonts.runs("Ahmed أحمد Khan", fonts.REGULAR))
    assert drawn.startswith("Ahmed ") and drawn.endswith(" Khan")
    assert unicodedata.normalize("NFKC", drawn[6:-5])[::-1] == "أحمد"


def test_a_script_no_font_covers_is_reported_missing():
    assert fonts.missing_characters("สมชาย", fonts.REGULAR) == set("สมชาย")


def test_widths_add_up_each_run_in_its_own_font():
    latin = fonts.string_width("Anna ", fonts.REGULAR, 10)
    chinese = fonts.string_width("李娜", fonts.REGULAR, 10)
    assert chinese == pytest.approx(20.0)  # two full-width ideographs at 10 pt
    assert fonts.string_width("Anna 李娜", fonts.REGULAR, 10) == pytest.approx(latin + chinese)


def test_split_lines_breaks_at_spaces_within_the_width():
    text = "Komenda Główna Policji Warszawa"
    lines = fonts.split_lines(text, font=fonts.REGULAR, size=10, width=100)
    assert " ".join(lines) == text
    assert len(lines) > 1
    assert all(fonts.string_width(line, fonts.REGULAR, 10) <= 100 for line in lines)
