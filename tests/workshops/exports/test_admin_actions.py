"""Downloading the selected delegates or sessions from the admin lists."""

import pytest
from django.urls import reverse

from tests.factories import AdminUserFactory
from tests.workshops.exports.data import make_known_delegates, read_csv, read_pdf
from workshops.models import ExportRecord


@pytest.fixture
def known(programme, four_sessions):
    return make_known_delegates(programme, four_sessions)


def run_action(client, url, action, ids):
    return client.post(url, {"action": action, "_selected_action": [str(i) for i in ids]})


def test_staff_download_selected_delegates_as_attendee_list(client, known):
    client.force_login(AdminUserFactory(groups=["Staff"]))
    response = run_action(
        client,
        reverse("admin:registration_delegate_changelist"),
        "download_attendees_csv",
        [known["ada"].pk, known["carol"].pk, known["gone"].pk],
    )
    rows = read_csv(response)
    assert [row[:2] for row in rows[1:]] == [["Lovelace", "Ada"], ["Zed", "Carol"]]
    record = ExportRecord.objects.get()
    assert (record.export_name, record.row_count) == ("Attendee list: 3 selected", 2)


def test_staff_print_sign_in_sheets_for_selected_sessions(client, known, four_sessions):
    client.force_login(AdminUserFactory(groups=["Staff"]))
    response = run_action(
        client,
        reverse("admin:workshops_session_changelist"),
        "download_sign_in_sheets_pdf",
        [four_sessions[0].pk, four_sessions[1].pk],
    )
    assert len(read_pdf(response).pages) == 2


def test_export_actions_are_offered_only_to_roles_that_export(client, known):
    url = reverse("admin:registration_delegate_changelist")
    client.force_login(AdminUserFactory(groups=["Staff"]))
    assert b"download_attendees_csv" in client.get(url).content
    client.logout()
    client.force_login(AdminUserFactory(groups=["Catering & access"]))
    page = client.get(url)
    assert page.status_code == 200
    assert b"download_attendees_csv" not in page.content
    response = run_action(client, url, "download_attendees_csv", [known["ada"].pk])
    # No such action for this role: the list comes back (or redirects to it), no file.
    assert response.status_code in (200, 302)
    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert ExportRecord.objects.count() == 0


def test_download_of_a_filtered_list_records_its_query_and_selection(client, known):
    client.force_login(AdminUserFactory(groups=["Staff"]))
    url = reverse("admin:registration_delegate_changelist")
    client.post(
        f"{url}?attends_day_two__exact=1&q=nca",
        {
            "action": "download_attendees_csv",
            "select_across": "1",
            "index": "0",
            "_selected_action": [str(known["brian"].pk)],
        },
    )
    run_action(client, url, "download_attendees_xlsx", [known["carol"].pk, known["ada"].pk])
    records = ExportRecord.objects.order_by("pk")
    assert [(r.row_count, r.filters) for r in records] == [
        (1, {"query": "attends_day_two__exact=1&q=nca", "selected": "all"}),
        (2, {"query": "", "selected": sorted([known["ada"].pk, known["carol"].pk])}),
    ]


def test_export_records_list_shows_the_filters_applied(client, known):
    client.force_login(AdminUserFactory(groups=["Staff"]))
    url = reverse("admin:registration_delegate_changelist")
    run_action(client, f"{url}?q=lovelace", "download_attendees_csv", [known["ada"].pk])
    client.force_login(AdminUserFactory(groups=["Organisers"]))
    page = client.get(reverse("admin:workshops_exportrecord_changelist"))
    assert f"q=lovelace; ticked: {known['ada'].pk}" in page.content.decode()
