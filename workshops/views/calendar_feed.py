"""The private calendar feed: subscribing (a new secret URL, shown once) and serving it."""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from registration.views.access import delegate_required
from workshops.services.calendar import timetable_ics
from workshops.services.calendar_feed import (
    feed_bookings,
    feed_delegate,
    issue_calendar_feed,
    revoke_calendar_feed,
)


@delegate_required
@require_POST
def subscribe(request):
    """`action=new`: a new feed URL (the old one stops working), shown once; `off`: none."""
    delegate = request.delegate
    if request.POST.get("action") == "off":
        if revoke_calendar_feed(delegate=delegate):
            messages.success(request, "Your calendar link is turned off: it no longer works.")
        return redirect("workshops:manage")
    url = issue_calendar_feed(delegate=delegate)
    return render(
        request,
        "socex/calendar_feed.html",
        {
            "delegate": delegate,
            "feed_url": url,
            "webcal_url": "webcal://" + url.split("://", 1)[-1],
        },
    )


@never_cache
@require_safe
def feed(request, token):
    """The feed itself, for calendar apps: no sign-in, the token in the URL is the key."""
    delegate = feed_delegate(raw_token=token)
    if delegate is None:
        raise Http404("No such calendar.")
    response = HttpResponse(
        timetable_ics(delegate=delegate, bookings=feed_bookings(delegate=delegate)),
        content_type="text/calendar; charset=utf-8",
    )
    response["Content-Disposition"] = 'inline; filename="socex-timetable.ics"'
    return response
