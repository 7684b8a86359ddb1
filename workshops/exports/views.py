"""The exports page in the admin and the downloads it links to.

Every view is wrapped in `admin_site.admin_view` (see `urls.py`): anyone who
is not signed-in staff is sent to the admin sign-in page and gets nothing.
"""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse

from registration.models import Delegate, Event
from workshops.exports.downloads import EXPORTS, ROSTERS, SIGN_IN_SHEETS, download, downloads_for
from workshops.models import Session


def _current_event():
    event = Event.objects.current()
    if event is None:
        raise Http404("There is no current event.")
    return event


def exports_index(request):
    available = downloads_for(request.user)
    if not available:
        raise PermissionDenied("You may not download any lists.")
    event = Event.objects.current()
    per_session = [e for e in available if e.per_session]
    sessions = []
    if event and per_session:
        sessions = Session.objects.on_offer(event).order_by("time_slot__starts_at", "room__name")
    context = {
        **admin.site.each_context(request),
        "title": "Exports",
        "event": event,
        "event_wide": available,
        "rosters": ROSTERS in available,
        "sign_in_sheets": SIGN_IN_SHEETS in available,
        "sessions": sessions,
    }
    return TemplateResponse(request, "admin/workshops/exports.html", context)


def event_download(request, slug, file_format):
    """A download covering the whole current event: every delegate, or every session."""
    export = EXPORTS.get(slug)
    if export is None or file_format not in export.formats:
        raise Http404("No such download.")
    event = _current_event()
    if export.per_session:
        scope = {"sessions": Session.objects.for_event(event)}
    else:
        scope = {"delegates": Delegate.objects.filter(event=event)}
    return download(export=export, file_format=file_format, user=request.user, **scope)


def session_download(request, session_id, slug, file_format):
    """A roster or sign-in sheet for one session."""
    export = EXPORTS.get(slug)
    if export is None or not export.per_session or file_format not in export.formats:
        raise Http404("No such download.")
    session = get_object_or_404(
        Session.objects.select_related("workshop", "time_slot", "room"), pk=session_id
    )
    return download(
        export=export,
        file_format=file_format,
        user=request.user,
        sessions=Session.objects.filter(pk=session.pk),
        # Slot and room first: the file name is cut short, and they tell sessions apart.
        subject=f"{session.time_slot.name}, {session.room.name}, {session.workshop.title}",
    )
