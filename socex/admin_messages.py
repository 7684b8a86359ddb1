"""What the admin's bulk actions say: counts with the right plural, worded in one place.

Every action reports through `report_counts`, its sentences made by `counted`,
so "1 registration was approved" and "2 were not awaiting approval" come out
right, and are translatable (`ngettext`), wherever the action lives. Count the
selection before acting on it: an action can move rows out of the list's
filter (approving empties "Awaiting approval"), and counting the same queryset
afterwards once reported "-1 were not awaiting approval".
"""

from django.contrib import messages
from django.utils.translation import ngettext


def counted(count, singular, plural, **values):
    """`singular` or `plural` as `count` asks, `%(count)d` and `values` filled in.

    `counted(1, "%(count)d registration was approved.", "%(count)d registrations were
    approved.")` is "1 registration was approved.".
    """
    return ngettext(singular, plural, count) % {"count": count, **values}


def report_counts(modeladmin, request, *sentences, skipped=None, level=messages.SUCCESS):
    """Tell the organiser what a bulk action did, in one message.

    `sentences` are `counted(...)` results (empty ones are left out); `skipped`
    is an optional `(count, singular, plural)` said only when `count` is not 0.
    """
    if skipped is not None and skipped[0]:
        sentences = (*sentences, counted(*skipped))
    modeladmin.message_user(request, " ".join(s for s in sentences if s), level)
