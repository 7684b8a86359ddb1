"""Deadlines as people read them: "until the end of Tuesday 2 February 2027".

`{% load deadlines %}`, then `{{ event.changes_deadline|deadline }}` after "until",
"by" or "at", and `{% link_lifetime %}` for how long an emailed booking link works.
"""

import datetime

from django import template
from django.conf import settings
from django.utils import timezone
from django.utils.dateformat import format as format_date

register = template.Library()


def deadline_phrase(moment):
    """`moment` as the last time something is open, in the site's time zone. Pure.

    At 00:00 it is the end of the day before ("the end of Tuesday 2 February 2027"),
    as "3 February, 00:00" is read a day late; else "14:30 on Tuesday 2 February 2027".
    """
    local = timezone.localtime(moment)
    if local.time() == datetime.time.min:
        return f"the end of {format_date(local - datetime.timedelta(days=1), 'l j F Y')}"
    return f"{format_date(local, 'H:i')} on {format_date(local, 'l j F Y')}"


def duration_phrase(hours):
    """72 -> "3 days", 36 -> "36 hours", 1 -> "1 hour". Pure."""
    if hours % 24 == 0:
        days = hours // 24
        return f"{days} day{'' if days == 1 else 's'}"
    return f"{hours} hour{'' if hours == 1 else 's'}"


@register.filter
def deadline(moment):
    return deadline_phrase(moment) if moment else ""


@register.simple_tag
def link_lifetime():
    """How long a booking link works (`MANAGE_LINK_HOURS`), as "3 days"."""
    return duration_phrase(settings.MANAGE_LINK_HOURS)
