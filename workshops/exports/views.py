"""The exports page in the admin and the downloads it links to.

Every view is wrapped in `admin_site.admin_view` (see `urls.py`): anyone who
is not signed-in staff is sent to the admin sign-in page and gets nothing.
"""

from datetime import date

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.utils import timezone

from registration.models import Delegate, Event
from workshops.exports.background import download_or_queue, fetch, files_for, may_fetch
from workshops.exports.downloads import EXPORTS, ROSTERS, SIGN_IN_SHEETS, downloads_for
from workshops.models import ExportFile, Session


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
    per_day = [e for e in available if e.per_day]
    sessions = []
    if event and per_session:
        sessions = Session.objects.on_offer(event).order_by("time_slot__starts_at", "room__name")
    context = {
        **admin.site.each_context(request),
        "title": "Exports",
        "event": event,
        "event_wide": [e for e in available if not e.per_day],
        "per_day": per_day,
        "days": event.days if event else [],
        "rosters": ROSTERS in available,
        "sign_in_sheets": SIGN_IN_SHEETS in available,
        "sessions": sessions,
        "files": files_for(request.user),
    }
    return TemplateResponse(request, "admin/workshops/exports.html", context)


def event_download(request, slug, file_format):
    """A download covering the whole current event: every delegate, or every session."""
    export = EXPORTS.get(slug)
    if export is None or export.per_day or file_format not in export.formats:
        raise Http404("No such download.")
    event = _current_event()
    if export.per_session:
        scope = {"sessions": Session.objects.for_event(event)}
    else:
        scope = {"delegates": Delegate.objects.filter(event=event)}
    return download_or_queue(export=export, file_format=file_format, user=request.user, **scope)


def session_download(request, session_id, slug, file_format):
    """A roster or sign-in sheet for one session."""
    export = EXPORTS.get(slug)
    if export is None or not export.per_session or file_format not in export.formats:
        raise Http404("No such download.")
    session = get_object_or_404(
        Session.objects.select_related("workshop", "time_slot", "room"), pk=session_id
    )
    return download_or_queue(
        export=export,
        file_format=file_format,
        user=request.user,
        sessions=Session.objects.filter(pk=session.pk),
        # Slot and room first: the file name is cut short, and they tell sessions apart.
        subject=f"{session.time_slot.name}, {session.room.name}, {session.workshop.title}",
    )


def day_download(request, day, slug, file_format):
    """A download for one day of the current event, such as the door list."""
    export = EXPORTS.get(slug)
    if export is None or not export.per_day or file_format not in export.formats:
        raise Http404("No such download.")
    event = _current_event()
    try:
        day = date.fromisoformat(day)
    except ValueError:
        raise Http404("No such day.") from None
    if day not in event.days:
        raise Http404("That is not a day of the event.")
    return download_or_queue(
        export=export,
        file_format=file_format,
        user=request.user,
        delegates=Delegate.objects.filter(event=event),
        day=day,
        subject=f"{day:%Y-%m-%d}",
    )


def _export_file(request, file_id):
    export_file = get_object_or_404(ExportFile.objects.defer("content"), pk=file_id)
    if not may_fetch(user=request.user, export_file=export_file):
        raise PermissionDenied("This file was made for someone else.")
    return export_file


def file_status(request, file_id):
    """A large download being built: a progress bar, reloading itself until it is ready."""
    export_file = _export_file(request, file_id)
    active = export_file.state in (ExportFile.State.QUEUED, ExportFile.State.RUNNING)
    context = {
        **admin.site.each_context(request),
        "title": export_file.export_name,
        "file": export_file,
        "refresh_seconds": 2 if active else None,
    }
    return TemplateResponse(request, "admin/workshops/export_file.html", context)


def file_download(request, file_id):
    """The ready file itself; each fetch is recorded."""
    export_file = _export_file(request, file_id)
    if export_file.state != ExportFile.State.READY:
        raise Http404("That file is not ready.")
    if export_file.expires_at and export_file.expires_at <= timezone.now():
        raise Http404("That file has expired: make it again from the exports page.")
    export_file = ExportFile.objects.get(pk=export_file.pk)  # now with its bytes
    return fetch(export_file=export_file, user=request.user)
