"""Refused requests get a page in the site's own words, saying nothing was changed."""

from django.test import Client
from django.urls import reverse

from registration.models import Delegate
from tests.factories import AdminUserFactory


def test_a_form_sent_without_its_csrf_token_explains_and_changes_nothing(event):
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("register"), {"email": "ada@police.uk", "first_name": "Ada"})
    page = response.content.decode()
    assert response.status_code == 403
    assert "This form had expired" in page
    assert "Nothing was changed" in page
    assert "CSRF verification failed" not in page
    assert not Delegate.objects.exists()


def test_a_refused_admin_lookup_gets_the_sites_400_page(client, event):
    client.force_login(AdminUserFactory(groups=["Catering & access"]))
    response = client.get(
        reverse("admin:registration_delegate_changelist") + "?checkin_reference__startswith=A"
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "We could not handle that request" in page
    assert "Bad Request (400)" not in page


def test_staff_without_an_export_role_get_the_sites_403_page(client, event):
    client.force_login(AdminUserFactory())
    response = client.get(reverse("exports:index"))
    page = response.content.decode()
    assert response.status_code == 403
    assert "You cannot open this page" in page
    assert "Nothing was changed" in page
    assert f'href="{reverse("admin:index")}"' in page  # staff find their way back
