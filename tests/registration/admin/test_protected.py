"""Needs are out of reach, through the URL too, for every role that may not see them."""

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.urls import reverse

from registration.admin.protected import ProtectsFields, protected_models_reached
from registration.models import Delegate
from tests.factories import AdminUserFactory, DelegateFactory
from workshops.models import ExportRecord
from workshops.services.booking import book_sessions
from workshops.services.waitlist import join_waitlist

DELEGATES = reverse("admin:registration_delegate_changelist")


@pytest.fixture
def people(programme, four_sessions):
    """Three delegates: Amin (halal) and Baker (wheelchair) fill the first session; Cole waits."""
    event = programme["event"]
    halal = DelegateFactory(event=event, last_name="Amin", dietary_requirements="Halal")
    wheels = DelegateFactory(event=event, last_name="Baker", accessibility_needs="Wheelchair user")
    plain = DelegateFactory(event=event, last_name="Cole")
    book_sessions(delegate=halal, sessions=four_sessions)
    book_sessions(delegate=wheels, sessions=four_sessions)
    s = programme["sessions"]
    book_sessions(delegate=plain, sessions=[s[(0, 1)], s[(1, 5)], s[(2, 3)], s[(3, 7)]])
    join_waitlist(delegate=plain, session=s[(0, 0)])
    return {"halal": halal, "wheels": wheels, "plain": plain}


def user_with(client, *groups, permissions=()):
    client.force_login(AdminUserFactory(groups=list(groups), permissions=list(permissions)))
    return client


def every_view_permission_but_needs():
    views = Permission.objects.filter(
        content_type__app_label__in=["registration", "workshops", "outbox"],
        codename__startswith="view_",
    ).exclude(codename="view_needs")
    return [
        f"{p.content_type.app_label}.{p.codename}" for p in views.select_related("content_type")
    ]


def listed(client, query):
    response = client.get(DELEGATES + query)
    assert response.status_code == 200
    return sorted(d.last_name for d in response.context["cl"].result_list)


@pytest.mark.parametrize(
    "query",
    [
        "?dietary_requirements__icontains=halal",
        "?dietary_requirements=Halal",
        "?accessibility_needs__regex=^W",
        "?accessibility_needs__startswith=W",
        "?accessibility_needs__isnull=False&dietary_requirements__gt=",
        # Set only when a needs answer was given: as telling as the answer's presence.
        "?needs_consent_at__isnull=False",
        "?needs_consent_at__gt=2000-01-01",
    ],
)
def test_needs_lookup_in_the_url_is_refused_for_staff(client, people, query):
    response = user_with(client, "Staff").get(DELEGATES + query)
    assert response.status_code == 400


@pytest.mark.parametrize(
    ("url_name", "query"),
    [
        ("registration_delegate", "bookings__delegate__dietary_requirements__icontains=halal"),
        ("registration_agency", "delegates__dietary_requirements__icontains=halal"),
        ("registration_event", "delegates__accessibility_needs__regex=^W"),
        ("registration_invitation", "delegates__dietary_requirements__icontains=halal"),
        ("workshops_booking", "delegate__dietary_requirements__icontains=halal"),
        ("workshops_bookingchange", "delegate__dietary_requirements__icontains=halal"),
        ("workshops_waitlistentry", "delegate__accessibility_needs__regex=^W"),
        ("workshops_session", "bookings__delegate__dietary_requirements__icontains=halal"),
        ("workshops_session", "waitlist__delegate__dietary_requirements=Halal"),
        ("workshops_workshop", "preferences__delegate__dietary_requirements__icontains=h"),
        ("workshops_timeslot", "sessions__bookings__delegate__accessibility_needs=x"),
        ("workshops_room", "sessions__bookings__delegate__accessibility_needs=x"),
        ("workshops_announcement", "recipients__delegate__dietary_requirements=Halal"),
        ("workshops_allocationrun", "event__delegates__dietary_requirements=Halal"),
    ],
)
def test_lookup_reaching_needs_from_any_admin_is_refused(client, people, url_name, query):
    client = user_with(client, permissions=every_view_permission_but_needs())
    url = reverse(f"admin:{url_name}_changelist")
    assert client.get(url).status_code == 200
    assert client.get(f"{url}?{query}").status_code == 400


def test_catering_role_may_filter_by_needs(client, people):
    client = user_with(client, "Catering & access")
    assert listed(client, "?dietary_requirements__icontains=halal") == ["Amin"]
    assert listed(client, "?accessibility_needs__regex=^W") == ["Baker"]


def test_staff_bulk_export_of_a_needs_filtered_list_is_refused(client, people):
    response = user_with(client, "Staff").post(
        DELEGATES + "?dietary_requirements__icontains=halal",
        {
            "action": "download_attendees_csv",
            "select_across": "1",
            "index": "0",
            "_selected_action": [str(people["plain"].pk)],
        },
    )
    assert response.status_code == 400
    assert ExportRecord.objects.count() == 0


def test_staff_search_for_a_needs_word_finds_nobody(client, people):
    assert listed(user_with(client, "Staff"), "?q=halal") == []
    assert listed(user_with(client, "Staff"), "?q=wheelchair") == []


def test_staff_ordering_by_every_column_keeps_needs_out(client, people):
    client = user_with(client, "Staff")
    columns = client.get(DELEGATES).context["cl"].list_display
    for index in range(len(columns)):
        response = client.get(f"{DELEGATES}?o={index}")
        assert response.status_code == 200
        order_by = str(response.context["cl"].queryset.query).split("ORDER BY")[1]
        assert "dietary" not in order_by
        assert "accessibility" not in order_by


class NeedsEverywhereAdmin(admin.ModelAdmin):
    """An admin that puts needs in every place a list can use them."""

    list_display = [
        "__str__",
        "dietary_requirements",
        "bookings__delegate__accessibility_needs",
        "has_needs",
    ]
    list_filter = [
        "status",
        "dietary_requirements",
        ("accessibility_needs", admin.EmptyFieldListFilter),
    ]
    search_fields = [
        "last_name",
        "^dietary_requirements",
        "bookings__delegate__accessibility_needs",
    ]
    ordering = ["-accessibility_needs", "last_name"]
    fieldsets = [(None, {"fields": ["first_name", ("last_name", "dietary_requirements")]})]

    @admin.display(ordering="-dietary_requirements")
    def has_needs(self, delegate):
        return bool(delegate.dietary_requirements)


class ProtectedNeedsEverywhereAdmin(ProtectsFields, NeedsEverywhereAdmin):
    pass


@pytest.fixture
def needs_everywhere(db):
    return ProtectedNeedsEverywhereAdmin(Delegate, admin.site)


def request_by(rf, *groups):
    request = rf.get("/")
    request.user = AdminUserFactory(groups=list(groups))
    return request


def test_protected_admin_hides_needs_everywhere_without_the_permission(rf, needs_everywhere):
    request = request_by(rf, "Staff")
    assert needs_everywhere.get_list_display(request) == ["__str__"]
    assert needs_everywhere.get_list_filter(request) == ["status"]
    assert needs_everywhere.get_search_fields(request) == ["last_name"]
    assert needs_everywhere.get_ordering(request) == ["last_name"]
    assert needs_everywhere.get_fieldsets(request) == [
        (None, {"fields": ["first_name", ("last_name",)]})
    ]
    assert not needs_everywhere.lookup_allowed("dietary_requirements__icontains", "h", request)
    assert needs_everywhere.lookup_allowed("last_name__icontains", "h", request)


def test_protected_admin_shows_needs_to_holders(rf, needs_everywhere):
    request = request_by(rf, "Catering & access")
    assert needs_everywhere.get_list_display(request) == NeedsEverywhereAdmin.list_display
    assert needs_everywhere.get_search_fields(request) == NeedsEverywhereAdmin.search_fields
    assert needs_everywhere.get_ordering(request) == NeedsEverywhereAdmin.ordering
    assert needs_everywhere.lookup_allowed("dietary_requirements__icontains", "h", request)


def test_every_admin_that_reaches_protected_fields_protects_them(db):
    unprotected = []
    for model_admin in admin.site._registry.values():
        for each in [
            model_admin,
            *(inline(model_admin.model, admin.site) for inline in model_admin.inlines),
        ]:
            if protected_models_reached(each.model) and not isinstance(each, ProtectsFields):
                unprotected.append(type(each).__name__)
    assert unprotected == []
    assert Delegate in protected_models_reached(admin.site._registry[Delegate].model)


@pytest.mark.parametrize(
    "query",
    [
        "checkin_reference__startswith={}",
        "checkin_reference__regex=^{}",
        "checkin_reference__gt={}",
        "checkin_reference={}",
    ],
)
def test_badge_references_cannot_be_guessed_through_lookups_without_badges(client, people, query):
    """Catering & access may not print badges, so a count of matches must not spell the QR out."""
    reference = people["halal"].checkin_reference
    url = DELEGATES + "?" + query.format(reference[:1])
    assert user_with(client, "Catering & access").get(url).status_code == 400
    # Staff print the badges, QR codes and all: for them the lookup tells nothing new.
    assert user_with(client, "Staff").get(url).status_code == 200


def test_staff_do_not_see_when_a_delegate_consented_to_needs_use(client, people):
    halal = people["halal"]
    Delegate.objects.filter(pk=halal.pk).update(needs_consent_at="2019-05-01T10:00:00Z")

    staff_page = user_with(client, "Staff").get(
        reverse("admin:registration_delegate_change", args=[halal.pk])
    )
    catering_page = user_with(client, "Catering & access").get(
        reverse("admin:registration_delegate_change", args=[halal.pk])
    )

    assert staff_page.status_code == 200
    assert "Consent to use" not in staff_page.content.decode()
    assert "Consent to use" in catering_page.content.decode()
