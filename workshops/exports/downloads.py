"""What can be downloaded, who may, and building each download.

`download` is the one entry point: the exports page, its per-session links
and the admin actions all call it, so the permission check and the record of
who took what happen in one place.
"""

import tempfile
from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.http import FileResponse
from django.utils import timezone
from django.utils.text import slugify

from registration.models import Delegate
from workshops.exports import pdfs, rows
from workshops.exports.formulas import sheet_name
from workshops.exports.resources import (
    AccessResource,
    AttendanceResource,
    AttendeeResource,
    CateringResource,
    CateringTotalsResource,
    FeedbackResource,
    RosterResource,
)
from workshops.exports.spreadsheets import Sheet, csv_response, xlsx_response
from workshops.models import ExportRecord, TimeSlot

EXPORT_PERMISSION = "registration.export_delegates"
NEEDS_PERMISSION = Delegate.NEEDS_PERMISSION
CSV, XLSX, PDF = ExportRecord.Format.CSV, ExportRecord.Format.XLSX, ExportRecord.Format.PDF


@dataclass(frozen=True)
class Export:
    slug: str
    title: str
    description: str
    formats: tuple
    permission: str
    # Builds the response from `delegates` or `sessions`; returns (response, rows in it).
    build: Callable
    per_session: bool = False
    # One file per event day (the `day` passed to `download`), such as the door list.
    per_day: bool = False


def may_download(*, user, export):
    """Staff who hold the export's permission: exports, or needs for the needs lists."""
    return user.is_active and user.is_staff and user.has_perm(export.permission)


def downloads_for(user):
    return [export for export in EXPORTS.values() if may_download(user=user, export=export)]


def download(
    *,
    export,
    file_format,
    user,
    delegates=None,
    sessions=None,
    day=None,
    subject="",
    filters=None,
):
    """Build the download `export` as `file_format` and record who took it.

    `delegates` (a Delegate queryset) or `sessions` (a Session queryset) say
    whose data goes in; cancelled or unapproved registrations never do. `day`
    is the event day of a per-day export. `subject` names the
    selection in the record and the file name (e.g. one session); `filters` (a dict) says
    how it was chosen (an admin list's query string and the rows selected).

    Side effects: inserts an `ExportRecord`. Raises `PermissionDenied` if the
    user may not have this export, `ValueError` for a format it does not come in.
    """
    if not may_download(user=user, export=export):
        raise PermissionDenied(f"You may not download the {export.title.lower()}.")
    if file_format not in export.formats:
        raise ValueError(f"The {export.title.lower()} does not come as {file_format}.")
    filename = download_filename(export=export, subject=subject, file_format=file_format)
    response, row_count = export.build(
        delegates=delegates,
        sessions=sessions,
        day=day,
        file_format=file_format,
        filename=filename,
        title=export_name(export=export, subject=subject),
    )
    record_download(
        user=user,
        name=export_name(export=export, subject=subject),
        file_format=file_format,
        row_count=row_count,
        filters=filters,
    )
    return response


def export_name(*, export, subject):
    """The download's title in its record and its sheets: the export's, and the selection."""
    return f"{export.title}: {subject}" if subject else export.title


def download_filename(*, export, subject, file_format):
    stem = slugify(f"{export.title} {subject}")[:80]
    return f"{stem}-{timezone.localdate():%Y-%m-%d}.{file_format}"


def record_download(*, user, name, file_format, row_count, filters=None):
    """Side effects: inserts the `ExportRecord` of `user` taking the download `name`."""
    return ExportRecord.objects.create(
        user=user,
        username=user.get_username(),
        export_name=name,
        format=file_format,
        row_count=row_count,
        filters=filters or {},
    )


def _tabular(*, resource, data, file_format, filename, title, extra_sheets=()):
    """CSV of `data`; or XLSX: `data` on a sheet named from `title`, then `extra_sheets`."""
    table_rows = resource.export_rows(data)
    if file_format == CSV:
        return csv_response(table_rows=table_rows, filename=filename)
    first = Sheet(name=sheet_name(title.split(":")[0]), table_rows=table_rows, title=title)
    return xlsx_response(sheets=[first, *extra_sheets], title=title, filename=filename)


def _pdf_response(write, filename):
    # FileResponse closes the file once it is sent, so no context manager here.
    file = tempfile.TemporaryFile()  # noqa: SIM115
    try:
        result = write(file)
    except BaseException:
        file.close()
        raise
    file.seek(0)
    response = FileResponse(
        file, as_attachment=True, filename=filename, content_type="application/pdf"
    )
    return response, result


def build_attendees(*, delegates, file_format, filename, title, **kwargs):
    delegates = rows.exportable_delegates(delegates)
    resource = AttendeeResource(slots=rows.attendee_slots(delegates))
    response = _tabular(
        resource=resource,
        data=rows.attendee_rows(delegates),
        file_format=file_format,
        filename=filename,
        title=title,
    )
    return response, delegates.count()


def build_rosters(*, sessions, file_format, filename, title, **kwargs):
    """CSV: one table of every seat. XLSX: a sheet per session, named by round and room."""
    if file_format == CSV:
        response = _tabular(
            resource=RosterResource(),
            data=rows.roster_rows(sessions),
            file_format=file_format,
            filename=filename,
            title=title,
        )
    else:
        response = xlsx_response(
            sheets=_roster_sheets(rows.rosters_by_session(sessions)),
            title=title,
            filename=filename,
        )
    return response, rows.roster_queryset(sessions).count()


def _roster_sheets(sessions_and_seats):
    """One `Sheet` per session: "R1 Kenilworth Suite – County Lines…", its seats by surname."""
    resource = RosterResource()
    taken, rounds = [], None
    for session, seats in sessions_and_seats:
        slot = session.time_slot
        if rounds is None:  # numbered among all the event's rounds, whichever are exported
            rounds = {
                pk: index + 1
                for index, pk in enumerate(
                    TimeSlot.objects.filter(event_id=slot.event_id).values_list("pk", flat=True)
                )
            }
        number = rounds.get(slot.pk, 0)
        name = sheet_name(
            f"R{number} {session.room.name} – {session.workshop.title}",
            taken=taken,
            fallback=f"Session {session.pk}",
        )
        taken.append(name)
        yield Sheet(
            name=name,
            table_rows=resource.export_rows(seats),
            title=f"{session.workshop.title}: {slot.name}, {slot.times}, {session.room.name}",
        )


def build_catering(*, delegates, file_format, filename, title, **kwargs):
    """The list; in XLSX a second sheet totals each diet by day, for the caterers' order."""
    delegates = rows.exportable_delegates(delegates)
    totals = []
    if file_format == XLSX:
        totals.append(
            Sheet(
                name=sheet_name("Totals by diet and day"),
                table_rows=CateringTotalsResource().export_rows(rows.catering_totals(delegates)),
                title=f"{title}: totals by diet and day",
            )
        )
    response = _tabular(
        resource=CateringResource(),
        data=rows.catering_rows(delegates),
        file_format=file_format,
        filename=filename,
        title=title,
        extra_sheets=totals,
    )
    return response, delegates.count()


def build_access(*, delegates, file_format, filename, title, **kwargs):
    delegates = rows.exportable_delegates(delegates)
    response = _tabular(
        resource=AccessResource(),
        data=rows.access_rows(delegates),
        file_format=file_format,
        filename=filename,
        title=title,
    )
    return response, delegates.exclude(accessibility_needs="").count()


def build_sign_in_sheets(*, sessions, filename, **kwargs):
    sessions_with_seats = rows.sessions_with_rosters(sessions)

    def write(file):
        pdfs.write_sign_in_sheets(
            sessions_with_seats=sessions_with_seats, title="Sign-in sheets", file=file
        )
        return sum(len(seats) for _session, seats in sessions_with_seats)

    return _pdf_response(write, filename)


def build_badges(*, delegates, filename, **kwargs):
    delegates = rows.exportable_delegates(delegates).select_related("event")
    first = delegates.first()
    event_name = first.event.name if first else ""

    def write(file):
        return pdfs.write_badges(
            badges=rows.badge_rows(delegates), event_name=event_name, file=file
        )

    return _pdf_response(write, filename)


def build_attendance(*, delegates, file_format, filename, title, only_missing=False, **kwargs):
    delegates = rows.exportable_delegates(delegates)
    table = list(rows.attendance_rows(delegates, only_missing=only_missing))
    response = _tabular(
        resource=AttendanceResource(),
        data=table,
        file_format=file_format,
        filename=filename,
        title=title,
    )
    return response, len(table)


def build_no_shows(**kwargs):
    return build_attendance(only_missing=True, **kwargs)


def build_door_list(*, delegates, day, filename, **kwargs):
    delegates = rows.exportable_delegates(delegates)
    first = Delegate.objects.filter(pk__in=delegates.values("pk")).select_related("event").first()
    people = rows.door_list(delegates, event=first.event, day=day) if first else []
    name = first.event.name if first else ""

    def write(file):
        return pdfs.write_door_list(
            people=people,
            heading=f"Door list: {name}, {day:%A %-d %B %Y}  ·  {len(people)} expected",
            file=file,
        )

    return _pdf_response(write, filename)


def build_feedback(*, sessions, file_format, filename, title, **kwargs):
    """Every answer to the surveys of `sessions`; the question wording heads the answers."""
    table = list(rows.feedback_rows(sessions))
    response = _tabular(
        resource=FeedbackResource(),
        data=table,
        file_format=file_format,
        filename=filename,
        title=title,
    )
    return response, len(table)


# What can be downloaded: one entry per export, each with its builder.
ATTENDEES = Export(
    "attendees",
    "Attendee list",
    "Every delegate with agency, days attending and their session in each time slot.",
    (CSV, XLSX),
    EXPORT_PERMISSION,
    build_attendees,
)
ROSTERS = Export(
    "rosters",
    "Session rosters",
    "Who holds a seat in each session, by slot, room and surname (XLSX: a sheet per session).",
    (CSV, XLSX),
    EXPORT_PERMISSION,
    build_rosters,
    per_session=True,
)
SIGN_IN_SHEETS = Export(
    "sign-in-sheets",
    "Sign-in sheets",
    "A page per session: title, slot, room, capacity and delegates with a signature column.",
    (PDF,),
    EXPORT_PERMISSION,
    build_sign_in_sheets,
    per_session=True,
)
BADGES = Export(
    "badges",
    "Name badges",
    "Eight badges to an A4 page, each with a QR code for check-in.",
    (PDF,),
    EXPORT_PERMISSION,
    build_badges,
)
CATERING = Export(
    "catering",
    "Catering list",
    "Days attending and dietary requirements; the XLSX adds totals by diet and day.",
    (CSV, XLSX),
    NEEDS_PERMISSION,
    build_catering,
)
ACCESS = Export(
    "access",
    "Access list",
    "Delegates who told us of accessibility needs, and those needs.",
    (CSV, XLSX),
    NEEDS_PERMISSION,
    build_access,
)
ATTENDANCE = Export(
    "attendance",
    "Attendance",
    "Everyone expected at each door (the entrance each day, each session) and whether, when "
    "and by whom they were let in: arrived, walk-in, from standby, or not arrived.",
    (CSV, XLSX),
    EXPORT_PERMISSION,
    build_attendance,
)
NO_SHOWS = Export(
    "no-shows",
    "No-shows",
    "Those expected at a door (the entrance, or a session they held a seat in) who never came "
    "through it.",
    (CSV, XLSX),
    EXPORT_PERMISSION,
    build_no_shows,
)
DOOR_LIST = Export(
    "door-list",
    "Door list",
    "The paper fallback for a day's entrance: everyone expected, alphabetical, a box to tick, "
    "and their sessions that day.",
    (PDF,),
    EXPORT_PERMISSION,
    build_door_list,
    per_day=True,
)
FEEDBACK = Export(
    "feedback",
    "Session feedback",
    "Every answer to the session surveys: rating and free text, anonymous unless the delegate "
    "chose to be named.",
    (CSV, XLSX),
    "workshops.view_surveyanswer",
    build_feedback,
    per_session=True,
)
EXPORTS = {
    export.slug: export
    for export in (
        ATTENDEES,
        ROSTERS,
        SIGN_IN_SHEETS,
        BADGES,
        CATERING,
        ACCESS,
        ATTENDANCE,
        NO_SHOWS,
        DOOR_LIST,
        FEEDBACK,
    )
}
