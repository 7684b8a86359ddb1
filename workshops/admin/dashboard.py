"""The organisers' dashboard: registrations and every session's fill, on one page.

Counts link to the admin lists they count, filtered the same way, but only
lists the person may open: Staff see no waiting lists and no needs, so those
counts stay plain numbers for them (or are not shown).
"""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import reverse

from registration.models import Delegate, Event
from workshops.services.dashboard import dashboard_figures


def list_links(user):
    """The admin lists `user` may open, by name: the base URL each count's link starts from."""
    lists = {
        "delegates": ("registration.view_delegate", "admin:registration_delegate_changelist"),
        "sessions": ("workshops.view_session", "admin:workshops_session_changelist"),
        "waiting": ("workshops.view_waitlistentry", "admin:workshops_waitlistentry_changelist"),
        "workshops": ("workshops.view_workshop", "admin:workshops_workshop_changelist"),
    }
    return {name: reverse(url) for name, (perm, url) in lists.items() if user.has_perm(perm)}


def dashboard_view(request):
    """Staff with `registration.view_delegate` see the current event's figures (fixed queries)."""
    if not request.user.has_perm("registration.view_delegate"):
        raise PermissionDenied
    event = Event.objects.current()
    may_read_needs = request.user.has_perm(Delegate.NEEDS_PERMISSION)
    context = {
        **admin.site.each_context(request),
        "title": f"Dashboard: {event}" if event else "Dashboard",
        # The chart gets the whole width, for a projector.
        "is_nav_sidebar_enabled": False,
        "links": list_links(request.user),
        "statuses": Delegate.Status,
        **(dashboard_figures(event=event, with_needs=may_read_needs) if event else {"event": None}),
    }
    return TemplateResponse(request, "admin/workshops/dashboard.html", context)
