"""Large downloads, the request's side: queue them for a worker, show them, hand them over.

A PDF or XLSX covering at least `BACKGROUND_EXPORT_MIN_ROWS` delegates (or
seats, for per-session exports) is not built in the request:
`download_or_queue` inserts an `ExportFile` and its job and sends the user to
the file's page, which shows a progress bar and reloads itself until the file
is ready. Smaller downloads and CSV (streamed) go through `download` as before.

Who may fetch a file: the person who asked for it, or anyone whose role lets
them download that export themselves (they could build the same file); every
fetch is recorded like a download in the request.
"""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils import timezone

from workshops.exports import rows
from workshops.exports.downloads import (
    CSV,
    EXPORTS,
    download,
    download_filename,
    export_name,
    may_download,
    record_download,
)
from workshops.models import ExportFile
from workshops.tasks import build_export

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def rows_to_build(*, export, delegates=None, sessions=None):
    """How many delegates (or, per session, seats) the download covers: one count query."""
    if export.per_session:
        return rows.roster_queryset(sessions).count()
    return rows.exportable_delegates(delegates).count()


def download_or_queue(*, export, file_format, user, delegates=None, sessions=None, **options):
    """The download now (`download`), or, if it is large, a redirect to it being built.

    Side effects: as `download`, or as `queue_download`.
    """
    if file_format != CSV and may_download(user=user, export=export):
        total = rows_to_build(export=export, delegates=delegates, sessions=sessions)
        if total >= settings.BACKGROUND_EXPORT_MIN_ROWS:
            export_file = queue_download(
                export=export,
                file_format=file_format,
                user=user,
                delegates=delegates,
                sessions=sessions,
                total=total,
                **options,
            )
            return redirect("exports:file", export_file.pk)
    return download(
        export=export,
        file_format=file_format,
        user=user,
        delegates=delegates,
        sessions=sessions,
        **options,
    )


def queue_download(
    *,
    export,
    file_format,
    user,
    delegates=None,
    sessions=None,
    day=None,
    subject="",
    filters=None,
    total=0,
):
    """Queue the download for a worker to build; return its `ExportFile`.

    Side effects: inserts the file (with the ids of the delegates or sessions
    it covers, taken now) and its job (`workshops.tasks.build_export`), in one
    transaction. Raises `PermissionDenied` if `user` may not have the export.
    """
    if not may_download(user=user, export=export):
        raise PermissionDenied(f"You may not download the {export.title.lower()}.")
    if export.per_session:
        scope = {"sessions": sorted(sessions.values_list("pk", flat=True))}
    else:
        scope = {"delegates": sorted(delegates.values_list("pk", flat=True))}
    if day is not None:
        scope["day"] = day.isoformat()
    with transaction.atomic():
        export_file = ExportFile.objects.create(
            user=user,
            username=user.get_username(),
            export_slug=export.slug,
            format=file_format,
            export_name=export_name(export=export, subject=subject),
            filename=download_filename(export=export, subject=subject, file_format=file_format),
            scope=scope,
            filters=filters or {},
            total=total,
            expires_at=timezone.now() + timedelta(hours=settings.EXPORT_FILE_KEEP_HOURS),
        )
        job = build_export.enqueue(file_id=export_file.pk)
        export_file.task_id = str(job.id)
        export_file.save(update_fields=["task_id"])
    return export_file


def may_fetch(*, user, export_file):
    """Anyone who may download that export themselves now: the person who asked for it
    or a colleague in their role, never someone whose role has since been taken away."""
    if not (user.is_active and user.is_staff):
        return False
    export = EXPORTS.get(export_file.export_slug)
    return export is not None and may_download(user=user, export=export)


def fetch(*, export_file, user):
    """Hand over a ready file. Side effects: inserts the `ExportRecord` of this fetch.

    Raises `PermissionDenied` for anyone but its owner or their role.
    """
    if not may_fetch(user=user, export_file=export_file):
        raise PermissionDenied("This file was made for someone else.")
    record_download(
        user=user,
        name=export_file.export_name,
        file_format=export_file.format,
        row_count=export_file.row_count,
        filters={**export_file.filters, "built_in_background": export_file.pk},
    )
    response = HttpResponse(
        bytes(export_file.content), content_type=CONTENT_TYPES[export_file.format]
    )
    response["Content-Disposition"] = f'attachment; filename="{export_file.filename}"'
    return response


def files_for(user):
    """The files `user` asked for that have not expired, newest first (without their bytes)."""
    return ExportFile.objects.filter(user=user, expires_at__gt=timezone.now()).defer("content")
