"""The roles: Staff read and download, Organisers change, Catering & access see needs."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from tests.factories import AdminUserFactory, AgencyFactory, DelegateFactory
from registration.admin.delegate import NEEDS_FIELDS
from workshops.models import ExportRecord

STAFF_PERMISSIONS = {
    "registration.view_event",
    "registration.view_agency",
    "registration.view_delegate",
    "registration.export_delegates",
    "registration.view_contact_details",
    "workshops.view_room",
    "workshops.view_timeslot",
    "workshops.view_workshop",
    "workshops.view_session",
    "workshops.view_booking",
    "workshops.view_bookingchange",
    "workshops.view_checkin",
    "workshops.view_standbyentry",
    "workshops.view_noshowrelease",
    "workshops.view_facilitator",
    "workshops.view_surveyanswer",
    "workshops.view_surveyquestions",
    "workshops.view_certificate",
}


def permissions_of(group_name):
    return {
        f"{p.content_type.app_label}.{p.codename}"
        for p in Group.objects.get(name=group_name).permissions.select_related("content_type")
    }


@pytest.fixture
def delegate(event):
    return DelegateFactory(
        event=event,
        first_name="Ada",
        last_name="Lovelace",
        dietary_requirements="Pescatarian",
        accessibility_needs="Wheelchair user",
    )


def signed_in(client, *groups, is_staff=True):
    client.force_login(AdminUserFactory(groups=list(groups), is_staff=is_staff))
    return client


def test_staff_group_can_view_and_export_only(db):
    assert permissions_of("Staff") == STAFF_PERMISSIONS


def test_catering_group_can_view_delegates_and_needs_only(db):
    assert permissions_of("Catering & access") == {
        "registration.view_delegate",
        "registration.view_needs",
    }


def test_door_staff_group_can_check_in_only(db):
    assert permissions_of("Door staff") == {"workshops.check_in"}


def test_organisers_group_has_every_permission_on_our_models(db):
    perms = permissions_of("Organisers")
    assert perms > STAFF_PERMISSIONS
    assert {
        "registration.view_needs",
        "registration.change_delegate",
        "registration.delete_delegate",
        "workshops.add_session",
        "workshops.change_workshop",
        "workshops.view_exportrecord",
        "workshops.check_in",
        "workshops.add_checkindevice",
        "workshops.view_noshowrelease",
    } < perms
    assert "workshops.override_capacity" not in perms


def test_staff_can_open_delegates_but_not_save_changes(client, delegate):
    client = signed_in(client, "Staff")
    url = reverse("admin:registration_delegate_change", args=[delegate.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert b'name="_save"' not in page.content
    response = client.post(url, {"first_name": "Changed", "last_name": "Lovelace"})
    assert response.status_code == 403
    delegate.refresh_from_db()
    assert delegate.first_name == "Ada"


@pytest.mark.parametrize(
    "url_name",
    [
        "admin:registration_agency_add",
        "admin:registration_delegate_add",
        "admin:workshops_session_add",
        "admin:workshops_workshop_add",
    ],
)
def test_staff_cannot_add(client, db, url_name):
    assert signed_in(client, "Staff").get(reverse(url_name)).status_code == 403


def test_staff_cannot_change_an_agency(client, db):
    agency = AgencyFactory(name="Warwickshire Police")
    client = signed_in(client, "Staff")
    url = reverse("admin:registration_agency_change", args=[agency.pk])
    assert client.post(url, {"name": "Renamed", "kind": "police"}).status_code == 403
    agency.refresh_from_db()
    assert agency.name == "Warwickshire Police"


def test_staff_do_not_see_needs_on_the_delegate_page(client, delegate):
    page = signed_in(client, "Staff").get(
        reverse("admin:registration_delegate_change", args=[delegate.pk])
    )
    assert b"Pescatarian" not in page.content
    assert b"Wheelchair user" not in page.content


def test_catering_role_sees_needs_on_the_delegate_page(client, delegate):
    page = signed_in(client, "Catering & access").get(
        reverse("admin:registration_delegate_change", args=[delegate.pk])
    )
    assert b"Pescatarian" in page.content
    assert b"Wheelchair user" in page.content


def test_delegate_search_and_filters_do_not_reach_needs_for_staff(rf, delegate):
    from django.contrib import admin

    from registration.models import Delegate

    request = rf.get("/")
    request.user = AdminUserFactory(groups=["Staff"])
    model_admin = admin.site.get_model_admin(Delegate)
    searched = " ".join(model_admin.get_search_fields(request))
    filtered = " ".join(str(f) for f in model_admin.get_list_filter(request))
    for field in NEEDS_FIELDS:
        assert field not in searched
        assert field not in filtered


def test_staff_search_for_a_dietary_term_finds_nobody(client, delegate):
    page = signed_in(client, "Staff").get(
        reverse("admin:registration_delegate_changelist"), {"q": "Pescatarian"}
    )
    assert page.status_code == 200
    assert page.context["cl"].result_count == 0


@pytest.mark.parametrize(
    ("groups", "allowed", "denied"),
    [
        (["Staff"], ["attendees.csv", "badges.pdf"], ["catering.csv", "access.xlsx"]),
        (["Catering & access"], ["catering.xlsx", "access.csv"], ["attendees.csv"]),
        (["Organisers"], ["attendees.xlsx", "catering.csv", "sign-in-sheets.pdf"], []),
        ([], [], ["attendees.csv", "catering.csv", "rosters.csv"]),
    ],
    ids=["staff", "catering", "organisers", "no-role"],
)
def test_downloads_follow_the_role(client, delegate, groups, allowed, denied):
    client = signed_in(client, *groups)
    for name in allowed:
        assert client.get(f"/admin/exports/{name}").status_code == 200, name
    for name in denied:
        assert client.get(f"/admin/exports/{name}").status_code == 403, name
    assert ExportRecord.objects.count() == len(allowed)


@pytest.mark.parametrize("path", ["", "attendees.csv", "catering.xlsx", "badges.pdf"])
def test_anonymous_visitor_is_sent_to_sign_in_and_gets_nothing(client, delegate, path):
    response = client.get(f"/admin/exports/{path}")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
    assert ExportRecord.objects.count() == 0


def test_role_without_staff_status_gets_nothing(client, delegate):
    client = signed_in(client, "Organisers", is_staff=False)
    response = client.get("/admin/exports/attendees.csv")
    assert response.status_code == 302
    assert ExportRecord.objects.count() == 0


def test_exports_page_lists_what_the_role_may_download(client, delegate):
    staff_page = signed_in(client, "Staff").get(reverse("exports:index")).content.decode()
    assert "/admin/exports/attendees.csv" in staff_page
    assert "/admin/exports/catering.csv" not in staff_page
    client.logout()
    catering_page = (
        signed_in(client, "Catering & access").get(reverse("exports:index")).content.decode()
    )
    assert "/admin/exports/catering.csv" in catering_page
    assert "/admin/exports/attendees.csv" not in catering_page


def test_exports_page_refuses_staff_without_an_export_role(client, delegate):
    assert signed_in(client).get(reverse("exports:index")).status_code == 403


def test_admin_index_links_to_exports_for_roles_that_export(client, delegate):
    page = signed_in(client, "Staff").get(reverse("admin:index"))
    assert reverse("exports:index").encode() in page.content
    client.logout()
    page = signed_in(client).get(reverse("admin:index"))
    assert reverse("exports:index").encode() not in page.content


def test_export_records_are_read_only_in_the_admin(client, delegate):
    client = signed_in(client, "Organisers")
    client.get("/admin/exports/attendees.csv")
    record = ExportRecord.objects.get()
    changelist = client.get(reverse("admin:workshops_exportrecord_changelist"))
    assert changelist.status_code == 200
    assert b"Attendee list" in changelist.content
    assert client.get(reverse("admin:workshops_exportrecord_add")).status_code == 403
    url = reverse("admin:workshops_exportrecord_change", args=[record.pk])
    assert client.post(url, {"export_name": "Nothing", "row_count": 0}).status_code == 403
    delete_url = reverse("admin:workshops_exportrecord_delete", args=[record.pk])
    assert client.post(delete_url, {"post": "yes"}).status_code == 403
    record.refresh_from_db()
    assert record.export_name == "Attendee list"


def test_staff_cannot_see_export_records(client, delegate):
    url = reverse("admin:workshops_exportrecord_changelist")
    assert signed_in(client, "Staff").get(url).status_code == 403


def test_every_permission_offered_belongs_to_a_model_that_exists(db):
    """Models that moved between apps leave no second, unlabelled set of permissions."""
    stale = [
        f"{p.content_type.app_label}.{p.codename}"
        for p in Permission.objects.select_related("content_type")
        if p.content_type.model_class() is None
    ]

    assert stale == []
