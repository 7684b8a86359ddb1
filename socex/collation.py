"""People's names as readers file and look for them, on both databases.

`NAMES` is a collation that sorts them; `SEARCH` one that compares them ignoring
case, accents, punctuation and spaces, so that "celik" finds "Çelik" and "obrien"
finds "O'Brien".

Byte order, the default of SQLite and of a PostgreSQL created with the C locale,
puts "de Souza" after "Young" and "Çelik" after "Zhang", so a sign-in sheet hides
them at its end. On PostgreSQL the collation is ICU's root locale, created by
`registration/migrations/0024_name_collation.py`, and `SEARCH` is ICU's root
locale at primary strength with punctuation and spaces ignored ("alternate
shifted"), nondeterministic (0025, 0028). On SQLite both are Python
functions registered on every new connection (below): `NAMES` compares letters
without their accents and case first, then the exact text, so the order is
total; `SEARCH` compares only the former.
"""

import unicodedata
from functools import lru_cache

from django.db.backends.signals import connection_created
from django.dispatch import receiver

NAMES = "socex_names"

# Letters that are not a base letter plus an accent in Unicode, spelled as readers file them.
_SPELLED = str.maketrans({"ø": "o", "Ø": "O", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE",
                          "ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "ð": "d", "Ð": "D",
                          "þ": "th", "Þ": "TH", "ı": "i"})  # fmt: skip


@lru_cache(maxsize=65_536)
def name_key(text):
    """What `NAMES` compares: the text without accents, case-folded, then the text itself."""
    letters = unicodedata.normalize("NFKD", text.translate(_SPELLED))
    plain = "".join(c for c in letters if not unicodedata.combining(c)).casefold()
    return plain, text


def _compare(a, b):
    a, b = name_key(a), name_key(b)
    return (a > b) - (a < b)


SEARCH = "socex_search"


# Ignored by `SEARCH`, as by ICU's "alternate shifted" at primary strength: punctuation,
# spaces and invisible format characters, so that "obrien", "O’B" (a phone's curly
# apostrophe) and "marykate" find "O'Brien" and "Mary-Kate".
_IGNORED = ("P", "Z", "Cf")


@lru_cache(maxsize=65_536)
def search_key(text):
    """What `SEARCH` compares: `name_key`'s letters without punctuation, spaces or format marks."""
    return "".join(c for c in name_key(text)[0] if not unicodedata.category(c).startswith(_IGNORED))


def _compare_folded(a, b):
    a, b = search_key(a), search_key(b)
    return (a > b) - (a < b)


@receiver(connection_created)
def register_sqlite_collation(sender, connection, **kwargs):
    if connection.vendor == "sqlite":
        connection.connection.create_collation(NAMES, _compare)
        connection.connection.create_collation(SEARCH, _compare_folded)
