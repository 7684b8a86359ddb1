"""Large downloads, the worker's side: build a queued `ExportFile`, delete expired ones.

`build_export_file` (the job `workshops.tasks.build_export`) builds the file
with the same builder a request uses (`downloads.EXPORTS`), counting rows as the
writers report them (`workshops.exports.progress`) into the row for the
progress bar, and stores the bytes in the row. A job run twice (its worker
died) builds the file again from the start; the bytes are written once, with
the state, so nobody fetches half a file.
"""

import time
from datetime import date, timedelta

from django.conf import settings
from django.utils import timezone

from registration.models import Delegate
from workshops.exports.downloads import EXPORTS
from workshops.exports.progress import reporting_progress
from workshops.models import ExportFile, Session

State = ExportFile.State
# The progress bar's row is written at most this often.
PROGRESS_EVERY_SECONDS = 1.0


def build_export_file(*, file_id):
    """Build the queued export file `file_id`; return its state.

    Side effects: updates the `ExportFile` (running, progress, then ready with
    its bytes and expiry, or failed with the reason; an error is raised again
    for the job's record).
    """
    # A conditional UPDATE claims it: only a file still waiting (or being built by a
    # worker that died) is built.
    claimed = ExportFile.objects.filter(pk=file_id, state__in=(State.QUEUED, State.RUNNING))
    if not claimed.update(state=State.RUNNING, done=0):
        return ExportFile.objects.filter(pk=file_id).values_list("state", flat=True).first()
    export_file = ExportFile.objects.defer("content").get(pk=file_id)
    try:
        content, row_count = _build(export_file)
    except Exception as error:
        ExportFile.objects.filter(pk=file_id).update(
            state=State.FAILED, failure=repr(error), finished_at=timezone.now()
        )
        raise
    now = timezone.now()
    ExportFile.objects.filter(pk=file_id, state=State.RUNNING).update(
        state=State.READY,
        content=content,
        size=len(content),
        row_count=row_count,
        done=export_file.total,
        finished_at=now,
        expires_at=now + timedelta(hours=settings.EXPORT_FILE_KEEP_HOURS),
    )
    return State.READY


def _build(export_file):
    export = EXPORTS[export_file.export_slug]
    scope = export_file.scope
    done, last_written = 0, time.monotonic()

    def count(n):
        nonlocal done, last_written
        done += n
        if time.monotonic() - last_written >= PROGRESS_EVERY_SECONDS:
            ExportFile.objects.filter(pk=export_file.pk).update(done=done)
            last_written = time.monotonic()

    with reporting_progress(count):
        response, row_count = export.build(
            delegates=Delegate.objects.filter(pk__in=scope.get("delegates", [])),
            sessions=Session.objects.filter(pk__in=scope.get("sessions", [])),
            day=date.fromisoformat(scope["day"]) if scope.get("day") else None,
            file_format=export_file.format,
            filename=export_file.filename,
            title=export_file.export_name,
        )
    # Not `response.close()`: that sends `request_finished`, which closes this worker's
    # database connection mid-job. The temporary file behind a streamed response is
    # closed (and gone) when the response is collected, as this function returns.
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return content, row_count


def delete_expired_export_files(*, now=None):
    """Delete the export files past their expiry; return how many.

    Side effects: deletes `ExportFile` rows (their bytes with them); the
    `ExportRecord`s of their fetches stay.
    """
    now = now or timezone.now()
    deleted, _ = ExportFile.objects.filter(expires_at__lte=now).delete()
    return deleted
