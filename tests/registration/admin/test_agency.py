"""Agencies in the admin: organisers edit the short names delegates search by."""

from django.urls import reverse

from registration.models import Agency
from tests.factories import AdminUserFactory, AgencyFactory


def test_agency_admin_edits_short_names(client, db):
    agency = AgencyFactory(name="HM Revenue and Customs", kind=Agency.Kind.GOVERNMENT)
    client.force_login(AdminUserFactory(is_superuser=True))
    url = reverse("admin:registration_agency_change", args=[agency.pk])
    assert 'name="aliases"' in client.get(url).content.decode()
    response = client.post(
        url,
        {
            "name": agency.name,
            "aliases": "HMRC\nCustoms",
            "kind": agency.kind,
            "is_confirmed": "on",
            "admission": agency.admission,
            "email_domains": "",
            "place_limit": "",
        },
    )
    assert response.status_code == 302
    agency.refresh_from_db()
    assert agency.alias_list == ["HMRC", "Customs"]
    assert agency.label == "HM Revenue and Customs (HMRC)"


def test_agency_admin_search_finds_short_names(client, db):
    AgencyFactory(name="HM Revenue and Customs", aliases="HMRC")
    AgencyFactory(name="Home Office")
    client.force_login(AdminUserFactory(is_superuser=True))
    response = client.get(reverse("admin:registration_agency_changelist"), {"q": "hmrc"})
    assert [a.name for a in response.context["cl"].result_list] == ["HM Revenue and Customs"]


def test_agency_aliases_over_500_characters_refused(client, db):
    agency = AgencyFactory(name="Home Office")
    client.force_login(AdminUserFactory(is_superuser=True))
    response = client.post(
        reverse("admin:registration_agency_change", args=[agency.pk]),
        {
            "name": agency.name,
            "aliases": "x" * 501,
            "kind": agency.kind,
            "admission": agency.admission,
        },
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["aliases"] == [
        "Ensure this value has at most 500 characters (it has 501)."
    ]
    agency.refresh_from_db()
    assert agency.aliases == ""


def test_the_agency_autocomplete_offers_the_best_match_first(client, db):
    """Adding a delegate, "NCA" finds the National Crime Agency before Lancashire."""
    AgencyFactory(name="Lancashire Constabulary")
    AgencyFactory(name="National Crime Agency", aliases="Crime Agency\r\nnca\r\nNational")
    AgencyFactory(name="Police Scotland", aliases="NCAS")
    AgencyFactory(name="NCA Liaison Office")
    AgencyFactory(name="NCA")
    client.force_login(AdminUserFactory(is_superuser=True))
    response = client.get(
        reverse("admin:autocomplete"),
        {
            "term": "nca",
            "app_label": "registration",
            "model_name": "delegate",
            "field_name": "agency",
        },
    )
    assert response.status_code == 200
    assert [row["text"] for row in response.json()["results"]] == [
        "NCA",
        "National Crime Agency",
        "NCA Liaison Office",
        "Police Scotland",
        "Lancashire Constabulary",
    ]
