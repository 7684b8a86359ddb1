"""Every registered admin's list and add page opens for every role, empty or with rows.

A page a role may not open answers 403 (or sends them to sign in); none answers
500. The waiting lists' page failed only with no rows (its formset's empty form,
read for the page's media, has no delegate): the browser tests that opened it
always had rows, so both states are loaded here. Hostile filters (a NUL byte, a
year too large for a date) get a 400 or Django's "?e=1", on every list.
"""

import re

import pytest
from django.contrib import admin
from django.urls import reverse

from registration.models import Delegate
from tests.factories import AdminUserFactory
from tests.socex.test_admin_actions import one_of_everything  # noqa: F401 (a fixture)

ROLES = ["superuser", "Organisers", "Staff", "Catering & access", "Door staff"]
# What a page may answer: shown, sent to sign in (a role without the admin), refused.
ANSWERS = {200, 302, 403}


def signed_in(client, role):
    if role == "superuser":
        user = AdminUserFactory(username="root", is_superuser=True)
    else:
        user = AdminUserFactory(username=role.lower().replace(" ", "-"), groups=[role])
    client.force_login(user)
    return client


def admin_url(model, page):
    opts = model._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{page}")


def open_every_list_and_add_page(client):
    answers = {}
    for model in admin.site._registry:
        for page in ("changelist", "add"):
            url = admin_url(model, page)
            answers[url] = client.get(url).status_code
    return answers


@pytest.mark.parametrize("role", ROLES)
def test_every_list_and_add_page_opens_with_no_rows(client, db, role):
    answers = open_every_list_and_add_page(signed_in(client, role))
    assert {url: code for url, code in answers.items() if code not in ANSWERS} == {}


@pytest.mark.parametrize("role", ROLES)
def test_every_list_and_add_page_opens_with_rows(client, one_of_everything, role):  # noqa: F811
    answers = open_every_list_and_add_page(signed_in(client, role))
    assert {url: code for url, code in answers.items() if code not in ANSWERS} == {}


def test_organisers_open_the_waiting_lists_with_no_one_waiting(client, db):
    response = signed_in(client, "Organisers").get("/admin/workshops/waitlistentry/")
    assert response.status_code == 200


def list_filter_parameters(model_admin, request):
    """The query-string names of a list's simple filters (choices, booleans, relations)."""
    names = ["q"]
    for spec in model_admin.get_list_filter(request):
        field = spec if isinstance(spec, str) else spec[0] if isinstance(spec, tuple) else None
        if field is not None:
            names.append(f"{field}__exact")
    return names


@pytest.mark.parametrize("where", ["value", "name"])
def test_a_nul_byte_in_any_list_filter_is_refused_with_400(client, rf, db, where):
    client = signed_in(client, "superuser")
    request = rf.get("/")
    request.user = AdminUserFactory(username="root")
    refused = {}
    for model, model_admin in admin.site._registry.items():
        for name in list_filter_parameters(model_admin, request):
            query = {name: "\x00"} if where == "value" else {f"{name}\x00": "x"}
            refused[(model._meta.label, name)] = client.get(
                admin_url(model, "changelist"), query
            ).status_code
    assert len(refused) > 30
    assert {key: code for key, code in refused.items() if code != 400} == {}


def test_a_nul_byte_in_a_form_or_the_sign_in_page_is_refused_with_400(client, db):
    organiser = signed_in(client, "Organisers")
    url = reverse("admin:registration_agency_add")
    assert organiser.post(url, {"name": "Kent\x00 Police"}).status_code == 400
    client.logout()
    sign_in = client.post(reverse("admin:login"), {"username": "a\x00", "password": "x"})
    assert sign_in.status_code == 400


@pytest.mark.parametrize("year", ["99999999999999999999", "9999", "10000", "-1", "0"])
def test_a_date_hierarchy_year_out_of_range_goes_back_to_the_list(client, db, year):
    client = signed_in(client, "superuser")
    hierarchies = [
        (model, model_admin.date_hierarchy)
        for model, model_admin in admin.site._registry.items()
        if model_admin.date_hierarchy
    ]
    assert len(hierarchies) >= 2
    for model, field in hierarchies:
        url = admin_url(model, "changelist")
        response = client.get(url, {f"{field}__year": year})
        assert (response.status_code, response["Location"]) == (302, f"{url}?e=1"), model


@pytest.mark.postgres
def test_a_nul_byte_in_delegate_filters_never_reaches_postgresql(client, db):
    client = signed_in(client, "Organisers")
    url = admin_url(Delegate, "changelist")
    for query in ["status__exact=%00", "agency__kind__exact=%00", "q=%00"]:
        assert client.get(f"{url}?{query}").status_code == 400, query


@pytest.mark.parametrize("role", ROLES)
def test_the_admin_home_links_only_to_pages_the_role_may_open(client, db, role):
    """Door staff were offered the dashboard, which refused them."""
    home = signed_in(client, role).get(reverse("admin:index"))
    links = set(re.findall(r'<a [^>]*href="(/[^"]*)"', home.content.decode())) - {"/"}
    refused = {url: client.get(url).status_code for url in links}
    assert {url: code for url, code in refused.items() if code != 200} == {}
    assert (reverse("admin_dashboard") in links) == (role != "Door staff")
