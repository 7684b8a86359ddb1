"""The delegate admin by role: Catering & access see names, agency and needs, no contact details."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from tests.factories import AdminUserFactory, AgencyFactory, DelegateFactory

DELEGATES = reverse("admin:registration_delegate_changelist")
CONTACT = ["ada.l@met.example", "01632 960123", "Head of Cyber Resilience"]


@pytest.fixture
def ada(event):
    return DelegateFactory(
        event=event,
        first_name="Ada",
        last_name="Lovelace",
        agency=AgencyFactory(name="Kent Police"),
        email=CONTACT[0],
        phone=CONTACT[1],
        job_title=CONTACT[2],
        dietary_requirements="Halal",
    )


def signed_in(client, group):
    client.force_login(AdminUserFactory(groups=[group]))
    return client


def pages(client, delegate):
    urls = [DELEGATES, reverse("admin:registration_delegate_change", args=[delegate.pk])]
    responses = [client.get(url) for url in urls]
    assert [r.status_code for r in responses] == [200, 200]
    return [r.content.decode() for r in responses]


def test_catering_role_sees_names_agency_and_needs_but_no_contact_details(client, ada):
    changelist, change = pages(signed_in(client, "Catering & access"), ada)
    for page in (changelist, change):
        assert "Ada" in page
        assert "Kent Police" in page
        for detail in CONTACT:
            assert detail not in page
    assert "Halal" in change


def test_staff_still_see_contact_details(client, ada):
    changelist, change = pages(signed_in(client, "Staff"), ada)
    assert CONTACT[0] in changelist
    for detail in CONTACT:
        assert detail in change
    assert "Halal" not in change


def test_catering_role_cannot_search_by_email(client, ada):
    client = signed_in(client, "Catering & access")
    assert client.get(DELEGATES, {"q": CONTACT[0]}).context["cl"].result_count == 0
    assert client.get(DELEGATES, {"q": "lovelace"}).context["cl"].result_count == 1


def test_staff_search_by_email_finds_the_delegate(client, ada):
    response = signed_in(client, "Staff").get(DELEGATES, {"q": CONTACT[0]})
    assert response.context["cl"].result_count == 1


@pytest.mark.parametrize(
    "query",
    [
        "email__icontains=met.example",
        "email=ada.l@met.example",
        "phone__startswith=01632",
        "job_title__icontains=cyber",
        "bookings__delegate__email__regex=^a",
    ],
)
def test_catering_role_lookup_on_contact_details_is_refused(client, ada, query):
    assert signed_in(client, "Catering & access").get(f"{DELEGATES}?{query}").status_code == 400


def test_staff_and_organisers_hold_the_contact_details_permission(db):
    holders = Group.objects.filter(permissions__codename="view_contact_details")
    assert sorted(holders.values_list("name", flat=True)) == ["Organisers", "Staff"]
