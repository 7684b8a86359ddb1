"""The organisers' dashboard: registrations and every session's fill, on one page."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse

from registration.models import Event
from workshops.services.dashboard import dashboard_figures


def dashboard_view(request):
    """Staff with `registration.view_delegate` see the current event's figures (fixed queries)."""
    if not request.user.has_perm("registration.view_delegate"):
        raise PermissionDenied
    event = Event.objects.current()
    context = {
        **admin.site.each_context(request),
        "title": f"Dashboard: {event}" if event else "Dashboard",
        # The chart gets the whole width, for a projector.
        "is_nav_sidebar_enabled": False,
        **(dashboard_figures(event=event) if event else {"event": None}),
    }
    return TemplateResponse(request, "admin/workshops/dashboard.html", context)
