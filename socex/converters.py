"""The `<id:...>` path converter: a row id from an address, only if a database could hold it.

Django's `<int:...>` takes any run of digits, so an address with twenty of
them reaches the database as an integer SQLite cannot bind (OverflowError, a
500) unless every lookup happens to guard against it. An id here is 1 to
2**63 - 1, the range of the BigAutoField ids; anything else does not match
the address, which is a 404.
"""

from django.urls import register_converter

LARGEST_ID = 2**63 - 1


class IdConverter:
    # At most 19 digits: whatever matches is parsed without the cost of a huge number.
    regex = "[1-9][0-9]{0,18}"

    def to_python(self, value):
        number = int(value)
        if number > LARGEST_ID:
            raise ValueError(f"{value} is beyond any database id")  # Django: no match
        return number

    def to_url(self, value):
        return str(value)


register_converter(IdConverter, "id")
