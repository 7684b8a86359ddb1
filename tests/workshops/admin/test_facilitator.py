"""Facilitators in the admin: organisers name them and alone grant access needs; contact
details and needs stay out of reach of other roles, through the URL too."""

import pytest
from django.contrib import admin
from django.core import mail
from django.urls import reverse

from tests.factories import AdminUserFactory, FacilitatorFactory
from tests.jobs import run_queued_jobs
from workshops.models import Facilitator, FacilitatorLink

CHANGELIST = reverse("admin:workshops_facilitator_changelist")
ADD = reverse("admin:workshops_facilitator_add")


@pytest.fixture
def sessions(programme):
    s = programme["sessions"]
    return {"own": s[(0, 0)], "own_later": s[(3, 0)], "other": s[(0, 1)]}


@pytest.fixture
def facilitator(programme, sessions):
    return FacilitatorFactory(
        event=programme["event"],
        name="Nia Okafor",
        email="nia@training.example",
        workshops=[programme["workshops"][0]],
    )


def signed_in(client, *groups, permissions=()):
    client.force_login(AdminUserFactory(groups=list(groups), permissions=list(permissions)))
    return client


def form_data(programme, sessions, **changes):
    return {
        "event": programme["event"].pk,
        "name": "Nia Okafor",
        "email": "nia@training.example",
        "workshops": [programme["workshops"][0].pk],
        "needs_sessions": [sessions["own"].pk],
        **changes,
    }


def test_organiser_names_a_facilitator_with_a_grant(client, programme, sessions):
    response = signed_in(client, "Organisers").post(ADD, form_data(programme, sessions))
    assert response.status_code == 302
    facilitator = Facilitator.objects.get()
    assert list(facilitator.workshops.all()) == [programme["workshops"][0]]
    assert list(facilitator.needs_sessions.all()) == [sessions["own"]]


def test_grant_at_a_session_of_another_workshop_is_refused(client, programme, sessions):
    data = form_data(programme, sessions, needs_sessions=[sessions["other"].pk])
    response = signed_in(client, "Organisers").post(ADD, data)
    assert response.status_code == 200
    assert "only at sessions of this facilitator" in str(
        response.context["adminform"].form.errors["needs_sessions"]
    )
    assert Facilitator.objects.count() == 0


def test_same_address_twice_at_one_event_is_refused(client, programme, sessions, facilitator):
    data = form_data(programme, sessions, email="NIA@training.example")
    response = signed_in(client, "Organisers").post(ADD, data)
    assert response.status_code == 200
    assert Facilitator.objects.count() == 1


def test_without_the_grant_permission_grants_cannot_be_set(client, programme, sessions):
    user_client = signed_in(
        client,
        permissions=[
            "workshops.add_facilitator",
            "workshops.change_facilitator",
            "workshops.view_facilitator",
            "registration.view_contact_details",
        ],
    )
    response = user_client.post(ADD, form_data(programme, sessions))
    assert response.status_code == 302
    assert list(Facilitator.objects.get().needs_sessions.all()) == []
    page = user_client.get(
        reverse("admin:workshops_facilitator_change", args=[Facilitator.objects.get().pk])
    )
    assert 'name="needs_sessions"' not in page.content.decode()


def test_taking_a_workshop_away_takes_its_grants(client, programme, sessions, facilitator):
    facilitator.needs_sessions.add(sessions["own"])
    url = reverse("admin:workshops_facilitator_change", args=[facilitator.pk])
    data = form_data(
        programme,
        sessions,
        workshops=[programme["workshops"][1].pk],
        needs_sessions=[],
    )
    assert signed_in(client, "Organisers").post(url, data).status_code == 302
    assert list(facilitator.needs_sessions.all()) == []


def reader(client):
    """May read the facilitators' list, and no contact details."""
    return signed_in(client, permissions=["workshops.view_facilitator"])


def test_staff_read_the_list_and_addresses(client, facilitator):
    page = signed_in(client, "Staff").get(CHANGELIST).content.decode()
    assert "nia@training.example" in page  # Staff hold registration.view_contact_details


def test_without_contact_details_the_list_hides_addresses(client, facilitator):
    response = reader(client).get(CHANGELIST)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Nia Okafor" in page
    assert "nia@training.example" not in page


@pytest.mark.parametrize("query", ["email=nia@training.example", "email__startswith=n"])
def test_address_lookups_are_refused_without_contact_details(client, facilitator, query):
    assert reader(client).get(f"{CHANGELIST}?{query}").status_code == 400


@pytest.mark.parametrize(
    "query",
    [
        "workshops__sessions__bookings__delegate__accessibility_needs__icontains=wheel",
        "needs_sessions__bookings__delegate__accessibility_needs__isnull=False",
    ],
)
def test_needs_lookups_are_refused_for_staff(client, facilitator, query):
    assert signed_in(client, "Staff").get(f"{CHANGELIST}?{query}").status_code == 400


def test_paths_through_to_needs_are_unreadable_without_view_needs(rf, db):
    """ProtectsFields itself refuses them (not only Django's list_filter rule)."""
    request = rf.get("/")
    request.user = AdminUserFactory(groups=["Staff"])
    model_admin = admin.site._registry[Facilitator]
    path = "workshops__sessions__bookings__delegate__accessibility_needs"
    assert model_admin.may_read(request, path) is False
    assert (
        model_admin.may_read(request, "needs_sessions__bookings__delegate__dietary_requirements")
        is False
    )
    request.user = AdminUserFactory(groups=["Organisers"])
    assert model_admin.may_read(request, path) is True


def test_search_by_address_finds_nothing_without_contact_details(client, facilitator):
    response = reader(client).get(CHANGELIST, {"q": "nia@training"})
    assert list(response.context["cl"].result_list) == []


def test_send_sign_in_links_action_emails_each_a_link(client, facilitator):
    response = signed_in(client, "Organisers").post(
        CHANGELIST,
        {"action": "send_sign_in_links", "_selected_action": [facilitator.pk]},
    )
    assert response.status_code == 302
    assert FacilitatorLink.objects.get().facilitator == facilitator
    run_queued_jobs()
    [sent] = mail.outbox
    assert sent.to == ["nia@training.example"]
    assert "/facilitate/link/" in sent.body


def test_staff_cannot_send_sign_in_links(client, facilitator):
    signed_in(client, "Staff").post(
        CHANGELIST, {"action": "send_sign_in_links", "_selected_action": [facilitator.pk]}
    )
    assert FacilitatorLink.objects.count() == 0
