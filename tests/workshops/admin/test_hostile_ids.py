"""Ids in admin addresses that are not ids, or too big for any: not found, never a 500."""

import pytest
from django.contrib.auth.models import User

from tests.factories import DelegateFactory

# Ids a number parser or the database might choke on: int() refuses more than 4,300 digits,
# 20 digits overflow a database integer, and "²" is a digit to str.isdigit but not to int.
HOSTILE_IDS = {"4301-digits": "9" * 4301, "20-digits": "9" * 20, "superscript-two": "²"}
ADDRESSES = [
    "/admin/workshops/session/{id}/move/{id}/",
    "/admin/workshops/allocationrun/{id}/report/",
    "/admin/workshops/announcement/{id}/preview/",
    "/admin/registration/delegate/{id}/workshops/",
    "/admin/exports/sessions/{id}/rosters.csv",
    "/admin/registration/delegate/{id}/change/",
    "/admin/workshops/session/{id}/change/",
]


@pytest.fixture
def admin_client(client, db):
    client.force_login(User.objects.create_superuser("organiser", "", "a-long-test-password"))
    return client


def assert_not_found(response):
    """A 404, or the admin's own answer to a missing object: back to the index, saying so."""
    if response.status_code == 404:
        return
    assert response.status_code == 200
    assert response.redirect_chain[-1] == ("/admin/", 302)
    assert "doesn’t exist. Perhaps it was deleted?" in response.content.decode()


@pytest.mark.parametrize("hostile", HOSTILE_IDS.values(), ids=HOSTILE_IDS.keys())
@pytest.mark.parametrize("address", ADDRESSES)
def test_admin_page_with_hostile_id_is_not_found(admin_client, event, address, hostile):
    DelegateFactory(event=event)
    assert_not_found(admin_client.get(address.format(id=hostile), follow=True))


@pytest.mark.parametrize("hostile", HOSTILE_IDS.values(), ids=HOSTILE_IDS.keys())
def test_admin_publish_with_hostile_id_is_not_found(admin_client, hostile):
    response = admin_client.post(f"/admin/workshops/allocationrun/{hostile}/publish/", follow=True)
    assert_not_found(response)


def test_admin_move_page_with_ids_beyond_the_database_is_not_found(admin_client):
    # One past the largest BigAutoField id: it must not reach SQLite (OverflowError).
    beyond = 2**63
    assert_not_found(admin_client.get(f"/admin/workshops/session/{beyond}/move/1/", follow=True))
