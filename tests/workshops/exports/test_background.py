"""Large downloads built by a worker: queued, built with progress, fetched, expired."""

import datetime
import io

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from tests.factories import AdminUserFactory
from tests.jobs import queued_jobs, run_queued_jobs
from tests.workshops.exports.data import add_booked_delegates, make_known_delegates, read_csv
from workshops.exports import pdfs, rows
from workshops.exports.files import delete_expired_export_files
from workshops.exports.progress import reporting_progress
from workshops.models import ExportFile, ExportRecord, Session
from workshops.tasks import delete_expired_exports

State = ExportFile.State


@pytest.fixture
def known(programme, four_sessions, settings):
    settings.BACKGROUND_EXPORT_MIN_ROWS = 5
    known = make_known_delegates(programme, four_sessions)
    add_booked_delegates(programme, four_sessions, 3)
    return known  # 7 live delegates (and one cancelled), 5 of them in each of four sessions


@pytest.fixture
def staff(db, client):
    user = AdminUserFactory(username="priya", groups=["Staff"])
    client.force_login(user)
    return user


def ask_for_badges(client):
    return client.get(reverse("exports:event_download", args=["badges", "pdf"]))


def test_badges_for_many_are_queued_for_a_worker_not_built_in_the_request(client, staff, known):
    response = ask_for_badges(client)
    export_file = ExportFile.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/admin/exports/files/{export_file.pk}/"
    assert (export_file.state, export_file.total, export_file.user) == (State.QUEUED, 7, staff)
    assert export_file.export_name == "Name badges"
    assert len(export_file.scope["delegates"]) == 8  # the cancelled one is left out when built
    [job] = queued_jobs("workshops.tasks.build_export")
    assert job.queue_name == "long"
    assert ExportRecord.objects.count() == 0  # nothing has left the system yet
    page = client.get(response["Location"]).content.decode()
    assert "Waiting for a background worker: 7 rows to build." in page
    assert '<meta http-equiv="refresh" content="2">' in page


def test_the_worker_builds_the_file_and_its_owner_downloads_it_recorded(client, staff, known):
    ask_for_badges(client)
    run_queued_jobs()
    export_file = ExportFile.objects.get()
    assert (export_file.state, export_file.row_count, export_file.done) == (State.READY, 7, 7)
    assert export_file.size == len(export_file.content)
    hours = (export_file.expires_at - export_file.finished_at).total_seconds() / 3600
    assert hours == pytest.approx(24)
    page = client.get(f"/admin/exports/files/{export_file.pk}/").content.decode()
    assert 'http-equiv="refresh"' not in page
    assert f'href="/admin/exports/files/{export_file.pk}/download"' in page

    response = client.get(f"/admin/exports/files/{export_file.pk}/download")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith('attachment; filename="name-badges-')
    assert len(PdfReader(io.BytesIO(response.content)).pages) == 1  # seven badges, one page
    record = ExportRecord.objects.get()
    assert (record.user, record.export_name, record.format, record.row_count) == (
        staff,
        "Name badges",
        "pdf",
        7,
    )
    assert record.filters == {"built_in_background": export_file.pk}
    # The exports page lists it for its owner.
    index = client.get(reverse("exports:index")).content.decode()
    assert f'<a href="/admin/exports/files/{export_file.pk}/">Name badges (PDF)</a>' in index


def test_a_role_without_the_export_permission_may_not_see_or_fetch_the_file(client, staff, known):
    ask_for_badges(client)
    run_queued_jobs()
    export_file = ExportFile.objects.get()
    client.force_login(AdminUserFactory(groups=["Catering & access"]))
    assert client.get(f"/admin/exports/files/{export_file.pk}/").status_code == 403
    assert client.get(f"/admin/exports/files/{export_file.pk}/download").status_code == 403
    assert ExportRecord.objects.count() == 0
    index = client.get(reverse("exports:index")).content.decode()
    assert "/admin/exports/files/" not in index


def test_someone_of_the_same_role_may_fetch_it_and_is_recorded_as_themselves(client, staff, known):
    ask_for_badges(client)
    run_queued_jobs()
    export_file = ExportFile.objects.get()
    colleague = AdminUserFactory(username="omar", groups=["Staff"])
    client.force_login(colleague)
    assert client.get(f"/admin/exports/files/{export_file.pk}/download").status_code == 200
    assert ExportRecord.objects.get().username == "omar"


def test_a_file_not_ready_cannot_be_downloaded(client, staff, known):
    ask_for_badges(client)
    export_file = ExportFile.objects.get()
    assert client.get(f"/admin/exports/files/{export_file.pk}/download").status_code == 404


def test_expired_files_are_deleted_and_the_records_of_their_downloads_stay(client, staff, known):
    ask_for_badges(client)
    run_queued_jobs()
    export_file = ExportFile.objects.get()
    client.get(f"/admin/exports/files/{export_file.pk}/download")
    assert delete_expired_export_files() == 0
    later = export_file.expires_at + datetime.timedelta(seconds=1)
    assert delete_expired_export_files(now=later) == 1
    assert not ExportFile.objects.exists()
    assert client.get(f"/admin/exports/files/{export_file.pk}/download").status_code == 404
    assert ExportRecord.objects.count() == 1


def test_the_periodic_job_deletes_expired_files(client, staff, known):
    ask_for_badges(client)
    run_queued_jobs()
    ExportFile.objects.update(expires_at=timezone.now() - datetime.timedelta(minutes=1))
    delete_expired_exports.enqueue()
    [job] = run_queued_jobs()
    assert job.return_value == {"deleted": 1}
    assert not ExportFile.objects.exists()


def test_small_downloads_and_csv_are_still_built_in_the_request(client, staff, known, settings):
    response = client.get(reverse("exports:event_download", args=["attendees", "csv"]))
    assert len(read_csv(response)) == 8  # CSV streams, however large
    settings.BACKGROUND_EXPORT_MIN_ROWS = 8
    response = ask_for_badges(client)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert not ExportFile.objects.exists()


def test_large_xlsx_and_sign_in_sheets_from_admin_actions_are_queued(client, staff, known):
    response = client.get(reverse("exports:event_download", args=["rosters", "xlsx"]))
    assert response.status_code == 302
    response = client.post(
        reverse("admin:registration_delegate_changelist"),
        {"action": "download_badges_pdf", "select_across": "1", "_selected_action": ["1"]},
    )
    assert response.status_code == 302
    assert [f.export_slug for f in ExportFile.objects.order_by("pk")] == ["rosters", "badges"]
    run_queued_jobs()
    assert set(ExportFile.objects.values_list("state", flat=True)) == {State.READY}
    rosters = ExportFile.objects.get(export_slug="rosters")
    assert rosters.row_count == 24  # every seat: 5 in each of four sessions, 4 more


def test_writers_report_progress_row_by_row(known, four_sessions):
    counted = []
    with reporting_progress(counted.append):
        pdfs.write_badges(
            badges=rows.badge_rows(rows.exportable_delegates(known["ada"].event.delegates.all())),
            event_name="SOCEX",
            file=io.BytesIO(),
        )
    assert counted == [1] * 7
    counted.clear()
    with reporting_progress(counted.append):
        pdfs.write_sign_in_sheets(
            sessions_with_seats=rows.sessions_with_rosters(
                Session.objects.filter(pk__in=[s.pk for s in four_sessions])
            ),
            title="Sign-in sheets",
            file=io.BytesIO(),
        )
    assert sum(counted) == 20


def test_whoever_asked_loses_the_file_with_their_role(client, staff, known):
    ask_for_badges(client)
    run_queued_jobs()
    export_file = ExportFile.objects.get()
    staff.groups.clear()
    staff.groups.add(Group.objects.get(name="Door staff"))

    assert client.get(f"/admin/exports/files/{export_file.pk}/download").status_code == 403
    assert ExportRecord.objects.count() == 0


def test_a_file_past_its_expiry_is_not_served_before_the_job_deletes_it(client, staff, known):
    ask_for_badges(client)
    run_queued_jobs()
    export_file = ExportFile.objects.get()
    ExportFile.objects.filter(pk=export_file.pk).update(
        expires_at=timezone.now() - datetime.timedelta(minutes=1)
    )

    assert client.get(f"/admin/exports/files/{export_file.pk}/download").status_code == 404
    assert ExportRecord.objects.count() == 0
