"""Length limits on the text people type, held by the database on SQLite as on PostgreSQL.

A field's `max_length` gives its forms a validator and the browser a
`maxlength`, and gives PostgreSQL a varchar length. But SQLite ignores varchar
lengths and a TextField has none in either database, so each model with typed
text also carries one CHECK on the lengths of all of it, in characters (as
Django counts them). One CHECK rather than one per field: `full_clean` runs a
query for each.
"""

from django.db import models
from django.db.models import Q
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual


def text_length_check(*, name, limits):
    """A CHECK that each field in `limits` (field name -> most characters) holds no more."""
    condition = Q()
    for field, limit in limits.items():
        condition &= Q(LessThanOrEqual(Length(field), limit))
    return models.CheckConstraint(
        condition=condition,
        name=name,
        violation_error_message="An answer is longer than it may be: shorten it and save again.",
    )
