"""The admin site's own rules: technical apps for superusers only, "Delete selected" last."""

import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse

from tests.factories import AdminUserFactory

TECHNICAL_LISTS = ["/admin/axes/accessattempt/", "/admin/otp_totp/totpdevice/"]


def app_labels(response):
    return [app["app_label"] for app in response.context["app_list"]]


@pytest.mark.django_db
def test_organisers_see_no_sign_in_lockouts_or_second_factor_devices(client):
    organiser = AdminUserFactory(
        groups=["Organisers"],
        # Even a group or person granted axes' and otp's permissions: superusers only.
        permissions=["axes.view_accessattempt", "otp_totp.view_totpdevice"],
    )
    client.force_login(organiser)
    labels = app_labels(client.get(reverse("admin:index")))
    assert "axes" not in labels
    assert "otp_totp" not in labels
    assert labels == [
        "outbox",
        "registration",
        "workshops",
        "django_tasks_database",
        "worker",
        "auth",
    ]
    assert [client.get(url).status_code for url in TECHNICAL_LISTS] == [403, 403]


@pytest.mark.django_db
def test_superusers_see_the_technical_apps(client):
    client.force_login(AdminUserFactory(is_superuser=True))
    labels = app_labels(client.get(reverse("admin:index")))
    assert labels[-3:] == ["auth", "axes", "otp_totp"]
    assert [client.get(url).status_code for url in TECHNICAL_LISTS] == [200, 200]


@pytest.mark.django_db
def test_delete_selected_comes_last_in_every_action_list():
    request = RequestFactory().get("/admin/")
    request.user = AdminUserFactory(is_superuser=True)
    with_delete = []
    for model, model_admin in admin.site._registry.items():
        names = list(model_admin.get_actions(request))
        if "delete_selected" in names:
            assert names[-1] == "delete_selected", model._meta.label
            with_delete.append(model._meta.label)
    assert "registration.Delegate" in with_delete
    assert len(with_delete) > 10


@pytest.mark.django_db
def test_delegate_list_offers_delete_selected_last(client):
    client.force_login(AdminUserFactory(groups=["Organisers"]))
    response = client.get(reverse("admin:registration_delegate_changelist"))
    choices = [name for name, _label in response.context["action_form"].fields["action"].choices]
    assert choices[1] == "cancel_registrations"
    assert choices[-1] == "delete_selected"
