import re

import pytest
from django.contrib.auth import get_user_model, login
from django.contrib.sessions.backends.db import SessionStore
from django.core.management import CommandError, call_command
from django.test import RequestFactory, override_settings
from django.urls import reverse
from django_otp import login as otp_login
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from socex.second_factor import SecondFactorRequiredMiddleware

PASSWORD = "correct horse battery staple"


@pytest.fixture
def organiser(db):
    return get_user_model().objects.create_superuser("organiser", "", PASSWORD)


def sign_in(client, password, **extra):
    return client.post(
        reverse("admin:login"), {"username": "organiser", "password": password, **extra}
    )


@override_settings(AXES_FAILURE_LIMIT=3)
def test_admin_login_locks_out_after_repeated_failures(client, organiser):
    statuses = [sign_in(client, "wrong").status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    locked = sign_in(client, PASSWORD)
    assert locked.status_code == 429
    assert "too many unsuccessful sign-in attempts" in locked.content.decode()
    assert "_auth_user_id" not in client.session


@override_settings(AXES_FAILURE_LIMIT=3)
def test_admin_login_success_resets_failures(client, organiser):
    sign_in(client, "wrong")
    sign_in(client, "wrong")
    assert sign_in(client, PASSWORD).status_code == 302
    client.logout()
    assert sign_in(client, "wrong").status_code == 200


@override_settings(OTP_REQUIRED=True)
def test_admin_with_otp_required_refuses_password_only_session(client, organiser):
    client.force_login(organiser)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert response.headers["Location"].startswith(reverse("admin:login"))


@override_settings(OTP_REQUIRED=True)
def test_admin_with_otp_required_password_without_code_is_refused(client, organiser):
    TOTPDevice.objects.create(user=organiser, name="phone", confirmed=True)
    response = sign_in(client, PASSWORD)
    assert response.status_code == 200
    assert 'name="otp_token"' in response.content.decode()
    assert client.get(reverse("admin:index")).status_code == 302


@override_settings(OTP_REQUIRED=True)
def test_admin_with_otp_required_password_and_code_signs_in(client, organiser):
    device = TOTPDevice.objects.create(user=organiser, name="phone", confirmed=True)
    response = sign_in(
        client,
        PASSWORD,
        otp_device=device.persistent_id,
        otp_token=f"{totp(device.bin_key):06d}",
    )
    assert response.status_code == 302
    assert client.get(reverse("admin:index")).status_code == 200


@override_settings(OTP_REQUIRED=True)
def test_admin_sign_in_with_password_and_code_in_one_submission(client, organiser):
    """The page asks for username, password and code at once; no device need be chosen."""
    page = client.get(reverse("admin:login")).content.decode()
    assert 'name="otp_token"' in page
    device = TOTPDevice.objects.create(user=organiser, name="phone", confirmed=True)
    response = sign_in(client, PASSWORD, otp_token=f"{totp(device.bin_key):06d}")
    assert response.status_code == 302
    assert client.get(reverse("admin:index")).status_code == 200


@override_settings(OTP_REQUIRED=True)
def test_admin_sign_in_with_a_wrong_code_is_refused(client, organiser):
    device = TOTPDevice.objects.create(user=organiser, name="phone", confirmed=True)
    wrong = (totp(device.bin_key) + 1) % 1_000_000
    response = sign_in(client, PASSWORD, otp_token=f"{wrong:06d}")
    assert response.status_code == 200
    assert "Invalid token" in response.content.decode()
    assert client.get(reverse("admin:index")).status_code == 302


@override_settings(OTP_REQUIRED=True)
def test_admin_sign_in_with_another_accounts_device_named_is_refused(client, organiser):
    TOTPDevice.objects.create(user=organiser, name="phone", confirmed=True)
    other = TOTPDevice.objects.create(
        user=get_user_model().objects.create_user("other", "", PASSWORD), confirmed=True
    )
    response = sign_in(
        client, PASSWORD, otp_device=other.persistent_id, otp_token=f"{totp(other.bin_key):06d}"
    )
    assert response.status_code == 200
    assert client.get(reverse("admin:index")).status_code == 302


@override_settings(OTP_REQUIRED=True)
def test_admin_sign_in_with_two_devices_asks_which(client, organiser):
    first, _second = (
        TOTPDevice.objects.create(user=organiser, name=name, confirmed=True)
        for name in ("phone", "spare")
    )
    response = sign_in(client, PASSWORD, otp_token=f"{totp(first.bin_key):06d}")
    assert response.status_code == 200
    assert "Please select a device." in response.content.decode()


def test_admin_without_otp_required_password_signs_in(client, organiser):
    assert sign_in(client, PASSWORD).status_code == 302
    assert client.get(reverse("admin:index")).status_code == 200


def test_ensure_organiser_creates_totp_device_and_prints_it_once(db, capsys):
    call_command("ensure_organiser")
    device = TOTPDevice.objects.get(user__username="organiser")
    out = capsys.readouterr().out
    assert device.confirmed is True
    assert device.config_url in out
    assert re.search(r"or type the key: [A-Z2-7]{32}\n", out)
    call_command("ensure_organiser")
    assert "otpauth" not in capsys.readouterr().out
    assert TOTPDevice.objects.count() == 1


def test_setup_totp_replace_leaves_one_new_device(organiser, capsys):
    old = TOTPDevice.objects.create(user=organiser, name="lost phone", confirmed=True)
    call_command("setup_totp", "organiser", "--replace")
    devices = list(TOTPDevice.objects.filter(user=organiser))
    assert [d.pk == old.pk for d in devices] == [False]
    assert devices[0].config_url in capsys.readouterr().out


def test_setup_totp_refuses_non_staff_account(db):
    get_user_model().objects.create_user("visitor", "", PASSWORD)
    with pytest.raises(CommandError, match="not a staff account"):
        call_command("setup_totp", "visitor")


def request_signed_in_as(user, *, verified_with=None):
    """A request that has been through the session, auth and second-factor middleware."""
    request = RequestFactory().get("/")
    request.session = SessionStore()
    request.user = user
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    user.otp_device = None
    if verified_with is not None:
        otp_login(request, verified_with)
    user.is_verified = lambda: user.otp_device is not None
    seen = {}
    SecondFactorRequiredMiddleware(lambda r: seen.setdefault("user", r.user))(request)
    return seen["user"]


@override_settings(OTP_REQUIRED=True)
def test_second_factor_middleware_password_only_user_is_anonymous(organiser):
    assert request_signed_in_as(organiser).is_authenticated is False


@override_settings(OTP_REQUIRED=True)
def test_second_factor_middleware_verified_user_stays_signed_in(organiser):
    device = TOTPDevice.objects.create(user=organiser, name="phone", confirmed=True)
    user = request_signed_in_as(organiser, verified_with=device)
    assert (user.is_authenticated, user.username) == (True, "organiser")


@override_settings(OTP_REQUIRED=False)
def test_second_factor_middleware_off_leaves_password_user_signed_in(organiser):
    assert request_signed_in_as(organiser).is_authenticated is True


def sign_in_from(client, address, password):
    return client.post(
        reverse("admin:login"),
        {"username": "organiser", "password": password},
        REMOTE_ADDR=address,
    )


@override_settings(AXES_FAILURE_LIMIT=3, AXES_USERNAME_FAILURE_LIMIT=6)
def test_admin_login_stranger_failures_leave_owner_signing_in_from_elsewhere(client, organiser):
    statuses = [sign_in_from(client, "198.51.100.7", "wrong").status_code for _ in range(10)]
    assert statuses == [200, 200] + [429] * 8
    assert sign_in_from(client, "203.0.113.9", PASSWORD).status_code == 302


@override_settings(AXES_FAILURE_LIMIT=3, AXES_USERNAME_FAILURE_LIMIT=6)
def test_admin_login_failures_from_many_addresses_lock_those_addresses_at_ceiling(
    client, organiser
):
    # Two failures from each of three addresses: none reaches 3, together they reach 6.
    statuses = [sign_in_from(client, f"198.51.100.{i // 2}", "wrong").status_code for i in range(6)]
    assert statuses == [200] * 5 + [429]
    # Each guessing address is locked out, even with the right password...
    for guesser in ("198.51.100.0", "198.51.100.1", "198.51.100.2"):
        assert sign_in_from(client, guesser, PASSWORD).status_code == 429
    assert "_auth_user_id" not in client.session


@override_settings(AXES_FAILURE_LIMIT=5, AXES_USERNAME_FAILURE_LIMIT=20)
def test_admin_login_outsiders_on_many_addresses_cannot_lock_the_owner_out(client, organiser):
    """Five wrong passwords from each of four addresses: the owner still signs in from theirs."""
    for address in ("198.51.100.1", "198.51.100.2", "198.51.100.3", "198.51.100.4"):
        statuses = [sign_in_from(client, address, "wrong").status_code for _ in range(5)]
        assert statuses == [200] * 4 + [429]
    assert sign_in_from(client, "198.51.100.1", PASSWORD).status_code == 429
    assert sign_in_from(client, "203.0.113.9", PASSWORD).status_code == 302
    assert client.get(reverse("admin:index")).status_code == 200
