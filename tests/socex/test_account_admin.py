"""Organisers add colleagues' accounts and their second factor, never above their own rights."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.test import override_settings
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from socex.totp import create_totp_device, totp_key
from tests.factories import AdminUserFactory

User = get_user_model()
PASSWORD = "a-long-test-password"


@pytest.fixture
def organiser(db):
    return AdminUserFactory(username="lead", groups=["Organisers"])


@pytest.fixture
def colleague(db):
    return AdminUserFactory(username="sam", groups=["Staff"])


def change_form(account, **changes):
    """The account's change form as posted, with `changes`."""
    data = {
        "username": account.username,
        "first_name": account.first_name,
        "last_name": account.last_name,
        "email": account.email,
        "is_active": "on",
        "is_staff": "on",
        "groups": [str(g.pk) for g in account.groups.all()],
        "last_login_0": "",
        "last_login_1": "",
        "date_joined_0": "2019-05-01",
        "date_joined_1": "09:00:00",
    }
    data.update(changes)
    return data


def change_url(account):
    return reverse("admin:auth_user_change", args=[account.pk])


def test_organiser_adds_a_colleague_with_the_staff_role(client, organiser):
    client.force_login(organiser)
    response = client.post(
        reverse("admin:auth_user_add"),
        {"username": "jo", "usable_password": "true", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert response.status_code == 302
    jo = User.objects.get(username="jo")
    staff = Group.objects.get(name="Staff")
    response = client.post(change_url(jo), change_form(jo, groups=[str(staff.pk)]))
    assert response.status_code == 302
    jo.refresh_from_db()
    assert (jo.is_staff, jo.is_superuser) == (True, False)
    assert [g.name for g in jo.groups.all()] == ["Staff"]


def test_organiser_is_offered_no_superuser_status_and_cannot_post_it(client, organiser, colleague):
    client.force_login(organiser)
    page = client.get(change_url(colleague))
    assert "is_superuser" not in page.context["adminform"].form.fields
    client.post(change_url(colleague), change_form(colleague, is_superuser="on"))
    colleague.refresh_from_db()
    assert colleague.is_superuser is False


def test_organiser_cannot_grant_a_group_with_rights_they_lack(client, organiser, colleague):
    technical = Group.objects.create(name="Technical")
    technical.permissions.add(Permission.objects.get(codename="delete_user"))
    client.force_login(organiser)
    offered = client.get(change_url(colleague)).context["adminform"].form.fields["groups"]
    assert set(offered.queryset.values_list("name", flat=True)) == {
        "Staff",
        "Organisers",
        "Catering & access",
        "Door staff",
    }
    response = client.post(change_url(colleague), change_form(colleague, groups=[technical.pk]))
    assert response.status_code == 200
    assert "groups" in response.context["adminform"].form.errors
    assert [g.name for g in colleague.groups.all()] == ["Staff"]


def test_organiser_reads_but_cannot_change_a_superuser(client, organiser):
    tech = User.objects.create_superuser("tech", "", PASSWORD)
    client.force_login(organiser)
    assert client.get(change_url(tech)).status_code == 200  # read-only
    client.post(change_url(tech), change_form(tech, username="taken", is_active=""))
    tech.refresh_from_db()
    assert (tech.username, tech.is_active) == ("tech", True)
    password_url = reverse("admin:auth_user_password_change", args=[tech.pk])
    response = client.post(password_url, {"password1": "x" * 20, "password2": "x" * 20})
    assert response.status_code == 403
    assert tech.check_password(PASSWORD)


def test_organiser_cannot_change_someone_holding_a_right_they_lack(client, organiser):
    mover = AdminUserFactory(
        username="mover", groups=["Organisers"], permissions=["workshops.override_capacity"]
    )
    client.force_login(organiser)
    second_factor = reverse("admin:auth_user_second_factor", args=[mover.pk])
    assert client.post(second_factor).status_code == 403
    assert not TOTPDevice.objects.filter(user=mover).exists()


def test_second_factor_page_replaces_the_device_and_shows_the_key_once(
    client, organiser, colleague
):
    old = create_totp_device(colleague)
    client.force_login(organiser)
    url = reverse("admin:auth_user_second_factor", args=[colleague.pk])
    page = client.get(url).content.decode()
    assert "Replace the authenticator app" in page
    response = client.post(url)
    assert response.status_code == 200
    assert "no-store" in response.headers["Cache-Control"]
    new = TOTPDevice.objects.get(user=colleague)
    assert new.pk != old.pk
    page = response.content.decode()
    assert f'<code id="totp-key">{totp_key(new)}</code>' in page
    assert 'src="data:image/svg+xml' in page
    assert totp_key(new) not in client.get(url).content.decode()


def test_second_factor_page_is_linked_from_the_account(client, organiser, colleague):
    client.force_login(organiser)
    page = client.get(change_url(colleague)).content.decode()
    assert reverse("admin:auth_user_second_factor", args=[colleague.pk]) in page
    assert "None set up yet." in page


def test_staff_cannot_open_the_second_factor_page(client, colleague, organiser):
    client.force_login(colleague)
    url = reverse("admin:auth_user_second_factor", args=[organiser.pk])
    assert client.get(url).status_code == 403
    assert client.post(url).status_code == 403
    assert not TOTPDevice.objects.filter(user=organiser).exists()


@override_settings(OTP_REQUIRED=True)
def test_replacing_your_own_device_keeps_you_signed_in(client, organiser):
    organiser.set_password(PASSWORD)
    organiser.save()
    device = create_totp_device(organiser)
    client.post(
        reverse("admin:login"),
        {
            "username": organiser.username,
            "password": PASSWORD,
            "otp_device": device.persistent_id,
            "otp_token": f"{totp(device.bin_key):06d}",
        },
    )
    url = reverse("admin:auth_user_second_factor", args=[organiser.pk])
    assert client.post(url).status_code == 200
    assert client.get(reverse("admin:index")).status_code == 200


def test_organiser_cannot_reset_a_fellow_organisers_password_or_second_factor(client, organiser):
    peer = AdminUserFactory(username="peer", groups=["Organisers"])
    peer.set_password(PASSWORD)
    peer.save()
    client.force_login(organiser)

    assert client.get(change_url(peer)).status_code == 200  # read-only
    password = client.post(
        reverse("admin:auth_user_password_change", args=[peer.pk]),
        {"password1": "x" * 20, "password2": "x" * 20},
    )
    second_factor = client.post(reverse("admin:auth_user_second_factor", args=[peer.pk]))

    assert (password.status_code, second_factor.status_code) == (403, 403)
    peer.refresh_from_db()
    assert peer.check_password(PASSWORD)
    assert not TOTPDevice.objects.filter(user=peer).exists()


def test_organiser_still_changes_their_own_account_and_staff_accounts(client, organiser, colleague):
    client.force_login(organiser)

    own = client.post(change_url(organiser), change_form(organiser, first_name="Lee"))
    staff = client.post(change_url(colleague), change_form(colleague, first_name="Sam"))

    assert (own.status_code, staff.status_code) == (302, 302)
    organiser.refresh_from_db()
    colleague.refresh_from_db()
    assert (organiser.first_name, colleague.first_name) == ("Lee", "Sam")


def test_a_deactivated_organiser_is_not_another_organisers_to_reactivate(client, organiser):
    peer = AdminUserFactory(username="away", groups=["Organisers"])
    peer.is_active = False
    peer.save()
    client.force_login(organiser)

    client.post(change_url(peer), change_form(peer, is_active="on"))

    peer.refresh_from_db()
    assert peer.is_active is False
