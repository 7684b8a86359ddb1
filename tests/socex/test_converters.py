"""`<id:...>`: the ids a database can hold, and nothing else."""

import re

import pytest

from socex.converters import LARGEST_ID, IdConverter


@pytest.mark.parametrize("text", ["1", "42", str(LARGEST_ID)])
def test_id_converter_takes_ids_a_database_holds(text):
    assert re.fullmatch(IdConverter.regex, text)
    assert IdConverter().to_python(text) == int(text)


@pytest.mark.parametrize("text", ["0", "007", "-1", "²", "٣", "1e3", "9" * 20, "9" * 4301])
def test_id_converter_address_with_anything_else_does_not_match(text):
    assert not re.fullmatch(IdConverter.regex, text)


def test_id_converter_number_past_the_largest_id_is_no_match():
    with pytest.raises(ValueError):
        IdConverter().to_python(str(LARGEST_ID + 1))
